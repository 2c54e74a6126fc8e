import re
import unicodedata

from datasette import hookimpl

# The markers highlight() writes in the `search` query (char(2), char(3)); render_tweets.py
# turns them into <mark> after escaping (plugin files can't import each other).
HIGHLIGHT_START, HIGHLIGHT_END = "\x02", "\x03"

TOKEN = re.compile(r'(?P<neg>-)?(?:"(?P<phrase>[^"]*)"?(?P<pstar>\*)?|(?P<word>[^\s"]+))')
WORD_CHARS = re.compile(r"\w")
# Scripts written without spaces between words: unicode61 keeps a whole run as one token.
NO_SPACE_SCRIPTS = re.compile(
    "[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f"
    "\u31f0-\u31ff\uac00-\ud7af\u0e00-\u0e7f\u1100-\u11ff]"
)
INVISIBLE = dict.fromkeys(
    ord(c)
    for c in "\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066"
    "\u2067\u2068\u2069\ufeff\u00ad"
)


def has_symbols(text):
    return any(unicodedata.category(c) == "So" for c in text)


def needs_substrings(text):
    """Japanese, Chinese, Korean, Thai, emoji: not split into words by unicode61."""
    return bool(NO_SPACE_SCRIPTS.search(text)) or has_symbols(text)


def parse(query):
    """User input -> list of OR-groups, each a list of (negated, text, prefix) terms."""
    query = unicodedata.normalize("NFKC", (query or "").translate(INVISIBLE))
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
    return " OR ".join(parts) or '"nomatchforthisterm"'


def contains(query, text):
    if text is None:
        return 0
    folded = text.casefold()
    for group in parse(query):
        if all((t.casefold() in folded) != neg for neg, t, _ in group):
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


def highlight(query, text):
    if text is None:
        return None
    terms = {t.casefold() for group in parse(query) for neg, t, _ in group if not neg}
    if not terms:
        return text
    pattern = re.compile("|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True)), re.I)
    return pattern.sub(lambda m: HIGHLIGHT_START + m.group(0) + HIGHLIGHT_END, text)


# trylast: run after Datasette's own prepare_connection, so this escape_fts replaces its own.
@hookimpl(trylast=True)
def prepare_connection(conn):
    conn.create_function("search_mode", 1, mode, deterministic=True)
    conn.create_function("search_match", 1, fts_expression, deterministic=True)
    conn.create_function("search_contains", 2, contains, deterministic=True)
    conn.create_function("search_first_term", 1, first_term, deterministic=True)
    conn.create_function("search_highlight", 2, highlight, deterministic=True)
    # The tweets table's own search box (?_search=) goes through escape_fts: give it the
    # same phrase/prefix/exclusion syntax, never a syntax error.
    conn.create_function("escape_fts", 1, fts_expression, deterministic=True)
