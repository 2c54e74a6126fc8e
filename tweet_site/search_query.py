"""What a search asks for: the one parser behind every search of the site (the reader page,
the `search` and `search_feed` queries, the tweets table's search box), the limits that keep
the cost of one search bounded, and which searches are costly."""

import functools
import re
import unicodedata
from typing import NamedTuple

from tweet_site.chars import DROP_INVISIBLE
from tweet_site.core import MIN_RUN, NO_SPACE_SCRIPTS

TOKEN = re.compile(r'(?P<neg>-)?(?:"(?P<phrase>[^"]*)"?(?P<pstar>\*)?|(?P<word>[^\s"]+))')
WORD_CHARS = re.compile(r"\w")
WORD = re.compile(r"\w+")
# A character of a script written without spaces (unicode61 keeps a whole run as one token).
# The substring index (etl/search_index.py) holds each tweet's runs of these characters and
# symbols, MIN_RUN+ long: any search term of MIN_RUN+ such characters lies inside one of them.
NO_SPACE_CHAR = re.compile(f"[{NO_SPACE_SCRIPTS}]")
NO_MATCH = '"nomatchforthisterm"'

# What one search may ask for. Each wanted term is another index lookup (a prefix term
# reads every word it starts: FTS5 merges their lists in memory, in one step the SQL time
# limit can't interrupt), each OR-group another pass over a candidate for the checks done
# in Python. At a million tweets, before these limits: 200 one-letter prefixes took 2 s and
# grew the server by 180 MB; 26 prefixes joined by OR 22 s (no time limit); 300 emoji
# joined by OR checked every tweet against each in Python. Within them, what is left that
# outlasts the budget (a 1-2 character term checked in Python) is a costly search, below.
MAX_TERMS = 10
MAX_GROUPS = 5
MAX_PREFIXES = 3
# A one-letter prefix is a 26th of the whole index (t*: 120 ms and 15 MB a lookup); the
# word index also holds every 3-letter prefix, so those are single lookups.
MIN_PREFIX = 2
# A tweet is 280 characters; a phrase of 280 characters is a long list of lookups already.
MAX_TERM_CHARS = 280
# Searches of up to this many words (a phrase counts each of its words) and no prefix but of
# 3 letters cost about what one word does (at a million tweets, 4 words: 1.5x "fox", a
# phrase of 4: 5-7x; 10 words: 10x, a phrase of 10: 15x): they never wait for a slot.
CHEAP_WORDS = 4


class Parsed(NamedTuple):
    groups: tuple
    notes: tuple


def has_symbols(text):
    return any(unicodedata.category(c) == "So" for c in text)


def is_run_char(c):
    return bool(NO_SPACE_CHAR.match(c)) or unicodedata.category(c) == "So"


def runs(text):
    """The maximal runs of characters the substring index holds, 3+ long."""
    found, run = [], ""
    for c in text + " ":
        if is_run_char(c):
            run += c
            continue
        if len(run) >= MIN_RUN:
            found.append(run)
        run = ""
    return found


def needs_substrings(text):
    """Japanese, Chinese, Korean, Thai, emoji: not split into words by unicode61."""
    return bool(NO_SPACE_CHAR.search(text)) or has_symbols(text)


def read_groups(query):
    """Every OR-group the input holds, each a list of (negated, text, prefix) terms."""
    query = unicodedata.normalize("NFKC", (query or "").translate(DROP_INVISIBLE))
    groups, terms, negate_next = [], [], False
    for match in TOKEN.finditer(query):
        if match["word"] is not None:
            word = match["word"]
            if word == "OR" and not match["neg"]:
                if terms:
                    groups.append(terms)
                terms = []
                continue
            if word == "AND" and not match["neg"]:
                continue
            if word == "NOT" and not match["neg"]:
                negate_next = True
                continue
            prefix = word.endswith("*")
            text = word.strip("*")
        else:
            text, prefix = match["phrase"].strip(), bool(match["pstar"])
        if not (WORD_CHARS.search(text) or has_symbols(text)):
            continue
        terms.append((bool(match["neg"]) or negate_next, text, prefix))
        negate_next = False
    if terms:
        groups.append(terms)
    # A group of exclusions alone can't be searched: treat its terms as wanted.
    return [
        g if any(not neg for neg, _, _ in g) else [(False, t, p) for _, t, p in g] for g in groups
    ]


def words(text):
    """How many lookups of the word index a term is (a phrase: one per word)."""
    return 1 if needs_substrings(text) else max(1, len(WORD.findall(text)))


def prefix_length(text):
    """The length of the beginning of a word a prefix term looks up (a phrase's last word)."""
    found = WORD.findall(text)
    return len(found[-1]) if found else len(text)


def is_prefix(negated, text, prefix):
    """A term the word index looks up as a prefix (exclusions and substrings never are)."""
    return prefix and not negated and not needs_substrings(text)


# Cached: the search SQL calls these once per candidate row with the same query.
@functools.lru_cache(maxsize=64)
def parsed(query):
    """User input -> the OR-groups searched (tuples of (negated, text, prefix) terms), within
    the limits above, and a sentence for each limit that left something out."""
    groups, terms, prefixes = [], 0, 0
    left_out = {"groups": 0, "terms": 0, "prefixes": 0}
    short, cut = [], False
    for group in read_groups(query):
        if len(groups) == MAX_GROUPS:
            left_out["groups"] += 1
            continue
        kept = []
        # The wanted terms first: they are what a match is found by.
        for negated, text, prefix in sorted(group, key=lambda term: term[0]):
            if len(text) > MAX_TERM_CHARS:
                text, cut = text[:MAX_TERM_CHARS], True
            if is_prefix(negated, text, prefix) and prefix_length(text) < MIN_PREFIX:
                short.append(text + "*")
                prefix = False
            size, room = words(text), MAX_TERMS - terms
            if size > room:
                left_out["terms"] += size - room
                if room == 0 or needs_substrings(text):
                    continue
                # A phrase keeps its first words (whole: no longer a prefix).
                text = text[: list(WORD.finditer(text))[room - 1].end()]
                size, prefix = room, False
            if is_prefix(negated, text, prefix):
                if prefixes == MAX_PREFIXES:
                    left_out["prefixes"] += 1
                    continue
                prefixes += 1
            terms += size
            kept.append((negated, text, prefix))
        if any(not negated for negated, _, _ in kept):
            groups.append(tuple(kept))
        else:
            left_out["terms"] += sum(words(text) for _, text, _ in kept)
    notes = []
    if left_out["groups"]:
        notes.append(
            f"Only the first {MAX_GROUPS} alternatives joined by OR were searched for: "
            f"{left_out['groups']} more left out."
        )
    if left_out["terms"]:
        notes.append(
            f"Only the first {MAX_TERMS} words were searched for: {left_out['terms']} more "
            "left out."
        )
    if left_out["prefixes"]:
        notes.append(
            f"At most {MAX_PREFIXES} words ending in * are searched for: "
            f"{left_out['prefixes']} more left out."
        )
    if short:
        shown = list(dict.fromkeys(short))
        notes.append(
            f"A word ending in * needs at least {MIN_PREFIX} letters before the *: "
            + ", ".join(shown[:5])
            + (" and others" if len(shown) > 5 else "")
            + (
                " were searched for as whole words."
                if len(shown) > 1
                else " was searched for as a whole word."
            )
        )
    if cut:
        notes.append(f"Words and phrases are searched for up to {MAX_TERM_CHARS} characters.")
    return Parsed(tuple(groups), tuple(notes))


def parse(query):
    """User input -> tuple of OR-groups, each a tuple of (negated, text, prefix) terms."""
    return parsed(query).groups


def notes(query):
    """What the limits left out of this search, in sentences (none for most searches)."""
    return parsed(query).notes


def mode(query):
    groups = parse(query)
    if not groups:
        return "none"
    texts = [text for group in groups for _, text, _ in group]
    if not any(needs_substrings(text) for text in texts):
        return "words"
    if all(len(text) >= 3 for text in texts):
        return "trigram"
    return "substring"


def quote(text):
    return '"' + text.replace('"', '""') + '"'


def fts_expression(query):
    """A valid FTS5 expression for either index, whatever the input."""
    groups = parse(query)
    trigram = mode(query) != "words"
    parts = []
    for group in groups:
        wanted = [t for t in group if not t[0]]
        unwanted = [t for t in group if t[0]]
        bits = [quote(text) + ("*" if prefix and not trigram else "") for _, text, prefix in wanted]
        expr = " AND ".join(bits)
        for _, text, _ in unwanted:
            expr = f"({expr}) NOT {quote(text)}"
        parts.append(f"({expr})")
    return " OR ".join(parts) or NO_MATCH


def first_term(query):
    """A term every match contains (from a single group), for a fast instr() pre-filter."""
    groups = parse(query)
    if len(groups) != 1:
        return ""
    wanted = [t for neg, t, _ in groups[0] if not neg]
    uncased = [t for t in wanted if t.lower() == t.upper()]
    return (uncased or [""])[0]


def group_terms(query):
    """For each OR-group, a term all its matches contain as it is written (a term without
    case: Japanese, emoji), or "" when it has none: a fast instr() pre-filter."""
    terms = []
    for group in parse(query):
        uncased = [t for neg, t, _ in group if not neg and t.lower() == t.upper()]
        terms.append((uncased or [""])[0])
    return terms


def group_term(query, index):
    """group_terms(query)[index], or None past the last group (instr() of None is no match)."""
    terms = group_terms(query)
    return terms[index] if 0 <= index < len(terms) else None


def indexed(text):
    """The substring index finds exactly the tweets containing `text`."""
    return len(text) >= MIN_RUN and all(map(is_run_char, text))


def candidates(query):
    """An expression for the substring index that finds every match, or "" when some
    OR-group has no run of 3+ such characters to look up (then the text is scanned)."""
    parts = []
    for group in parse(query):
        wanted = [quote(run) for neg, text, _ in group if not neg for run in runs(text)]
        if not wanted:
            return ""
        expression = "(" + " AND ".join(wanted) + ")"
        # A whole excluded term the index holds can be excluded by the index.
        for neg, text, _ in group:
            if neg and indexed(text):
                expression = f"({expression} NOT {quote(text)})"
        parts.append(expression)
    return " OR ".join(parts)


def plan(query):
    """words: the word index; index: substring index candidates, each checked; scan: every
    tweet checked; none: nothing to search for."""
    current = mode(query)
    if current in ("words", "none"):
        return current
    return "index" if candidates(query) else "scan"


def index_expression(query):
    return candidates(query) or NO_MATCH


def wanted_terms(query):
    """The texts a match is found by (for highlighting)."""
    return {text for group in parse(query) for negated, text, _ in group if not negated}


def prefixes(query):
    """The wanted terms the word index looks up as prefixes."""
    return {
        text for group in parse(query) for term in group if is_prefix(*term) for text in [term[1]]
    }


def highlight_expression(query):
    """An expression for the word index finding the words to mark in its matches: the
    wanted terms, prefixes left out (see `prefixes`); None when that leaves nothing."""
    terms = [text for group in parse(query) for neg, text, prefix in group if not (neg or prefix)]
    return " OR ".join(dict.fromkeys(map(quote, terms))) or None


def raw_problem(expression):
    """Why raw FTS5 syntax (the tweets table's ?_searchmode=raw, which the parser never
    sees) asks for more than any search may, or None."""
    words = [w for w in WORD.findall(expression) if w not in ("AND", "OR", "NOT", "NEAR")]
    prefixes = re.findall(r"(\w*)\s*\*", expression)
    if len(words) > MAX_TERMS or len(prefixes) > MAX_PREFIXES:
        return (
            f"A raw search (_searchmode=raw) may look for at most {MAX_TERMS} words, "
            f"{MAX_PREFIXES} of them ending in *."
        )
    if any(len(prefix) < MIN_PREFIX for prefix in prefixes):
        return f"A word ending in * needs at least {MIN_PREFIX} letters before the *."
    return None


def costly(query):
    """Whether a search may take long enough to keep the site's SQL threads from other
    visitors (bench/load_search.py measures them): one that checks tweets one by one in
    Python (a scan of every tweet; the substring index's candidates for a term it doesn't
    hold whole, "ab東京"), looks up more than CHEAP_WORDS words, or a prefix of other than
    3 letters (the word index holds those: one lookup; any other merges the lists of every
    word it starts, "quic*" as much as "qu*")."""
    groups = parse(query)
    terms = [term for group in groups for term in group]
    current = plan(query)
    if current == "scan":
        return True
    if current == "index":
        return not all(indexed(text) for negated, text, _ in terms if not negated)
    if sum(words(text) for _, text, _ in terms) > CHEAP_WORDS:
        return True
    return any(is_prefix(*term) and prefix_length(term[1]) != 3 for term in terms)
