import functools
import json
import math
import os
import re
import sys
import unicodedata

from datasette import hookimpl

# The helpers plugin files share sit beside them, in archive_site/ (see its __init__.py).
if (_folder := os.path.dirname(os.path.abspath(__file__))) not in sys.path:
    sys.path.insert(0, _folder)
from archive_site.chars import DROP_INVISIBLE, HIGHLIGHT_END, HIGHLIGHT_START

TOKEN = re.compile(r'(?P<neg>-)?(?:"(?P<phrase>[^"]*)"?(?P<pstar>\*)?|(?P<word>[^\s"]+))')
WORD_CHARS = re.compile(r"\w")
# Scripts written without spaces between words: unicode61 keeps a whole run as one token.
NO_SPACE_SCRIPTS = re.compile(
    "[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f"
    "\u31f0-\u31ff\uac00-\ud7af\u0e00-\u0e7f\u1100-\u11ff]"
)
# The substring index (etl/search_index.py) holds each tweet's runs of these characters and
# symbols, 3+ long: any search term of 3+ such characters lies inside one of them.
MIN_RUN = 3
NO_MATCH = '"nomatchforthisterm"'


def has_symbols(text):
    return any(unicodedata.category(c) == "So" for c in text)


def is_run_char(c):
    return bool(NO_SPACE_SCRIPTS.match(c)) or unicodedata.category(c) == "So"


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
    return bool(NO_SPACE_SCRIPTS.search(text)) or has_symbols(text)


# Cached: the search SQL calls these once per candidate row with the same query.
@functools.lru_cache(maxsize=64)
def parse(query):
    """User input -> tuple of OR-groups, each a tuple of (negated, text, prefix) terms."""
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
    return tuple(
        tuple(g) if any(not neg for neg, _, _ in g) else tuple((False, t, p) for _, t, p in g)
        for g in groups
    )


@functools.lru_cache(maxsize=64)
def folded_groups(query):
    return tuple(tuple((neg, t.casefold()) for neg, t, _ in group) for group in parse(query))


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


def contains(query, text):
    if text is None:
        return 0
    folded = text.casefold()
    for group in folded_groups(query):
        if all((t in folded) != neg for neg, t in group):
            return 1
    return 0


def first_term(query):
    """A term every match contains (from a single group), for a fast instr() pre-filter."""
    groups = parse(query)
    if len(groups) != 1:
        return ""
    wanted = [t for neg, t, _ in groups[0] if not neg]
    uncased = [t for t in wanted if t.lower() == t.upper()]
    return (uncased or [""])[0]


@functools.lru_cache(maxsize=64)
def highlight_pattern(query):
    terms = {t.casefold() for group in parse(query) for neg, t, _ in group if not neg}
    if not terms:
        return None
    return re.compile("|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True)), re.I)


def highlight(query, text):
    if text is None:
        return None
    pattern = highlight_pattern(query)
    if pattern is None:
        return text
    return pattern.sub(lambda m: HIGHLIGHT_START + m.group(0) + HIGHLIGHT_END, text)


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


def indexed(text):
    """The substring index finds exactly the tweets containing `text`."""
    return len(text) >= MIN_RUN and all(map(is_run_char, text))


def plan(query):
    """words: the word index; index: substring index candidates, each checked; scan: every
    tweet checked; none: nothing to search for."""
    current = mode(query)
    if current in ("words", "none"):
        return current
    return "index" if candidates(query) else "scan"


def index_expression(query):
    return candidates(query) or NO_MATCH


def phrases(query):
    """The phrases of fts_expression(query) in the order FTS5 numbers them, as JSON:
    [text, counted by the substring index, an index expression for candidates or null,
    a LIKE pattern all texts containing it match, a GLOB pattern for exactly those texts or
    null, whether LIKE alone is exact (ASCII), wanted]."""
    found = []
    for group in parse(query):
        ordered = [t for t in group if not t[0]] + [t for t in group if t[0]]
        found.extend(
            [
                text,
                indexed(text),
                " AND ".join(map(quote, runs(text))) or None,
                like_pattern(text) or "%",
                glob_pattern(text),
                text.isascii(),
                not neg,
            ]
            for neg, text, _ in ordered
        )
    return json.dumps(found, ensure_ascii=False)


def like_pattern(text):
    """A LIKE pattern matching every text that contains `text` in any case (a pre-filter in
    C before search_contains): LIKE folds ASCII only, so other letters match any character."""
    if any(len(c.casefold()) != 1 for c in text):
        return None
    return (
        "%"
        + "".join(
            re.sub(r"([\\%_])", r"\\\1", c) if c.isascii() or c.lower() == c.upper() else "_"
            for c in text
        )
        + "%"
    )


def prefilter(query):
    """A LIKE pattern every match of a one-group query matches, else '%'."""
    groups = parse(query)
    if len(groups) != 1:
        return "%"
    patterns = [like_pattern(t) for neg, t, _ in groups[0] if not neg]
    return max(filter(None, patterns), key=lambda p: len(p.replace("_", "")), default="%")


def glob_pattern(text):
    """A GLOB pattern for the texts containing `text` in any case (each letter as a class
    of its cases), or None when case folding changes its length (ß is ss)."""
    parts = []
    for c in text:
        if len(c.casefold()) != 1:
            return None
        folded = c.casefold()
        cases = {c, folded, c.lower(), c.upper(), folded.upper(), c.title()}
        cases = sorted(v for v in cases if len(v) == 1 and v.casefold() == folded)
        if len(cases) > 1:
            parts.append("[" + "".join(cases) + "]")
        else:
            parts.append(f"[{c}]" if c in "*?[]" else c)
    return "*" + "".join(parts) + "*"


def has_phrase(text, phrase):
    return int(text is not None and phrase.casefold() in text.casefold())


def occurrences(folded, term):
    count, start = 0, folded.find(term)
    while start >= 0:
        count, start = count + 1, folded.find(term, start + 1)
    return count


def rank(query, text, stats):
    """FTS5's bm25() of this row in a trigram index of every whole text (the index this site
    had before): the same numbers, so the same order. `stats` is JSON
    [tweets, trigrams, [tweets containing each phrase]]."""
    if text is None or not stats:
        return 0.0
    avgdl, idfs = rank_constants(stats)
    k1, b = 1.2, 0.75
    size = float(max(len(text) - 2, 0))
    folded = text.casefold()
    score, i = 0.0, 0
    for group in folded_groups(query):
        matched = all((t in folded) != neg for neg, t in group)
        for neg, term in [t for t in group if not t[0]] + [t for t in group if t[0]]:
            freq = float(occurrences(folded, term)) if matched and not neg else 0.0
            score += idfs[i] * ((freq * (k1 + 1.0)) / (freq + k1 * (1 - b + b * size / avgdl)))
            i += 1
    return -1.0 * score


@functools.lru_cache(maxsize=64)
def rank_constants(stats):
    rows, tokens, hits = json.loads(stats)
    idfs = []
    for hit in hits:
        idf = math.log((rows - hit + 0.5) / (hit + 0.5))
        idfs.append(1e-6 if idf <= 0.0 else idf)
    return float(tokens) / float(rows), idfs


# trylast: run after Datasette's own prepare_connection, so this escape_fts replaces its own.
@hookimpl(trylast=True)
def prepare_connection(conn):
    conn.create_function("search_mode", 1, mode, deterministic=True)
    conn.create_function("search_match", 1, fts_expression, deterministic=True)
    conn.create_function("search_contains", 2, contains, deterministic=True)
    conn.create_function("search_first_term", 1, first_term, deterministic=True)
    conn.create_function("search_highlight", 2, highlight, deterministic=True)
    conn.create_function("search_plan", 1, plan, deterministic=True)
    conn.create_function("search_candidates", 1, index_expression, deterministic=True)
    conn.create_function("search_phrases", 1, phrases, deterministic=True)
    conn.create_function("search_quote", 1, quote, deterministic=True)
    conn.create_function("search_prefilter", 1, prefilter, deterministic=True)
    conn.create_function("search_has", 2, has_phrase, deterministic=True)
    conn.create_function("search_rank", 3, rank, deterministic=True)
    # The tweets table's own search box (?_search=) goes through escape_fts: give it the
    # same phrase/prefix/exclusion syntax, never a syntax error.
    conn.create_function("escape_fts", 1, fts_expression, deterministic=True)
