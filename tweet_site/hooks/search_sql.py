import functools
import json
import math
import re

from datasette import hookimpl

from tweet_site.chars import HIGHLIGHT_END, HIGHLIGHT_START

# The parser and its limits are shared with the search pages and the search gate.
from tweet_site.search_query import (
    first_term,
    fts_expression,
    group_term,
    index_expression,
    indexed,
    mode,
    notes,
    parse,
    plan,
    quote,
    runs,
)


@functools.lru_cache(maxsize=64)
def folded_groups(query):
    return tuple(tuple((neg, t.casefold()) for neg, t, _ in group) for group in parse(query))


def contains(query, text):
    if text is None:
        return 0
    folded = text.casefold()
    for group in folded_groups(query):
        if all((t in folded) != neg for neg, t in group):
            return 1
    return 0


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
    conn.create_function("search_group_term", 2, group_term, deterministic=True)
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


@hookimpl
def prepare_jinja2_environment(env):
    # The `search` query's page says what the parser's limits left out, as /search does.
    env.globals["search_notes"] = notes
