import copy
import functools
import json
import re
import urllib.parse
from datetime import date, timedelta

from datasette import hookimpl
from datasette.database import QueryInterrupted

from tweet_site import search_query
from tweet_site.config import archive_database, static_site
from tweet_site.core import MAX_ID, MIN_ID
from tweet_site.listing import BY_PAGE, NEWEST_FIRST, OLDEST_FIRST, position
from tweet_site.lists.search import holds_a_group_term
from tweet_site.pages import render_reader_page, with_query
from tweet_site.search_budget import (
    RETRY_AFTER_SECONDS,
    Budget,
    Busy,
    OutOfTime,
    costly_slot,
    started_at,
)
from tweet_site.search_words import RUN_CHARS, SEPARATORS
from tweet_site.tweets import load_tweets

# The SQL functions search_contains(), search_candidates()... come from search_sql.py's
# prepare_connection, and the parser both use from search_query.py: the reader
# page searches exactly as the `search` query does.
PAGE_SIZE = 25
MAX_QUERY = 500
# Relevance ranks the matches RANKED at a time, the newest first (each page ranks one or two
# such windows: page 50 costs what page 1 does).
RANKED = 1_000
# A count with filters (or of Japanese/emoji substrings, which each need a check in Python)
# looks at this many candidates at most, and estimates beyond them.
COUNT_BUDGET = 3_000
COUNT_CAP = 10_000
# Kinds with at most this many tweets are listed for the index to check its matches against.
KIND_LIST_MAX = 20_000
KIND_NAMES = ("tweet", "reply", "retweet", "quote")

SORTS = {"relevance": "Best match", "newest": "Newest first", "oldest": "Oldest first"}
KINDS = {
    "": "All tweets",
    "-reply": "Without replies",
    "-retweet": "Without retweets",
    "-reply-retweet": "Without replies or retweets",
    "tweet": "Only tweets (no reply, retweet or quote)",
    "reply": "Only replies",
    "retweet": "Only retweets",
    "quote": "Only quotes",
}
DAY = re.compile(r"^\s*(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?\s*$")
RANK_CURSOR = re.compile(r"^(-?\d{1,20})~(?:(-?\d+(?:\.\d+)?(?:e-?\d+)?)~(-?\d{1,20}))?$")
ID_CURSOR = re.compile(r"^-?\d{1,20}$")
# Control characters (NUL...) are no search and no page text.
CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f]")
MARKED = re.compile("\x02([^\x02\x03]{1,200})\x03")
OPERATORS_HELP = (
    "Your search has only operators (AND, OR, NOT, -, quotes or brackets) and no word to look "
    'for. Type the words you want, for example: cat, "a phrase", run* (words starting '
    "with run), cat -dog (cat but not dog), cat OR dog."
)
TOO_LONG = (
    "This search takes longer than the site allows ({seconds:g} seconds). Narrow it: fewer "
    "alternatives joined by OR, longer beginnings of words before a *, whole words rather "
    "than single characters, or a date range (From, To)."
)
BUSY = (
    "The site is busy with other long searches. Try again in a few seconds, or narrow this "
    "one: whole words rather than single characters or short beginnings of words."
)


def parse_day(text, end=False):
    """'2019', '2019-06' or '2019-06-05' -> the first day of that period (or the day after it
    when `end`), as 'YYYY-MM-DD'; None for anything else."""
    match = DAY.match(text or "")
    if not match:
        return None
    year, month, day = match.groups()
    try:
        if day:
            first = date(int(year), int(month), int(day))
            after = first + timedelta(days=1)
        elif month:
            first = date(int(year), int(month), 1)
            after = date(first.year + first.month // 12, first.month % 12 + 1, 1)
        else:
            first = date(int(year), 1, 1)
            after = date(first.year + 1, 1, 1)
    except (ValueError, OverflowError):
        return None
    return (after if end else first).isoformat()


def kind_condition(kind):
    if kind in ("tweet", "reply", "retweet", "quote"):
        return "t.kind = :kind", {"kind": kind}
    hidden = [k for k in ("reply", "retweet") if f"-{k}" in kind]
    if not hidden or kind not in KINDS:
        return None, {}
    return "t.kind not in (" + ", ".join(f"'{k}'" for k in hidden) + ")", {}


class Search:
    """One reader search: what was asked, and the SQL that answers it."""

    def __init__(self, args):
        self.q = CONTROLS.sub(" ", args.get("q") or "")[:MAX_QUERY]
        self.sort = args.get("sort") if args.get("sort") in SORTS else "relevance"
        self.kind = args.get("kind") if args.get("kind") in KINDS else ""
        self.since_text = CONTROLS.sub("", args.get("since") or "")[:20]
        self.until_text = CONTROLS.sub("", args.get("until") or "")[:20]
        self.since = parse_day(self.since_text)
        self.until = parse_day(self.until_text, end=True)
        self.cursor = (args.get("before") or "")[:60]
        self.problems = []
        if self.since_text.strip() and not self.since:
            self.problems.append(
                f"“{self.since_text}” is not a date (2019, 2019-06 or 2019-06-05)."
            )
        if self.until_text.strip() and not self.until:
            self.problems.append(
                f"“{self.until_text}” is not a date (2019, 2019-06 or 2019-06-05)."
            )

    @property
    def filtered(self):
        return bool(self.kind or self.since or self.until)

    def conditions(self):
        """Conditions on `t` (tweets) every result meets, and their parameters."""
        clauses, params = ["t.is_latest_version = 1"], {}
        kind_sql, kind_params = kind_condition(self.kind)
        if kind_sql:
            clauses.append(kind_sql)
            params.update(kind_params)
        if self.since:
            clauses.append("t.created_at >= :since")
            params["since"] = self.since
        if self.until:
            clauses.append("t.created_at < :until")
            params["until"] = self.until
        return " and ".join(clauses), params


ROW_CHECKS = {
    "words": "1",
    "index": "t.text like search_prefilter(:q) escape '\\' and search_contains(:q, t.text)",
    # A term of each OR-group found in C first, as the `search` query does.
    "scan": holds_a_group_term("t.text") + " and search_contains(:q, t.text)",
}


def stream(plan, kinds=None):
    """(from, index condition, row condition, id column, candidates SQL) of a plan's
    candidates, in id order: tweet ids are Twitter's time-ordered ids, so id order is date
    order, and the indexes walk it without sorting. `kinds`: the only kinds wanted, when
    they are few enough to list (the ids of the archive's 2,000 quotes, from the kind
    index): the full-text index's matches are then checked against that list, not each
    looked up in the table (the replies among the 530,000 tweets with "the": 290 ms -> 40)."""
    if plan == "scan":
        return (
            "tweets t",
            "1",
            ROW_CHECKS[plan],
            "t.id",
            "select id from tweets where id between :low and :high",
        )
    index, join = ("tweets_fts", ":expr") if plan == "words" else ("tweets_trigram", None)
    match = f"{index} match " + (join or "search_candidates(:q)")
    listed = ""
    if kinds:
        names = ", ".join(f"'{kind}'" for kind in sorted(kinds) if kind in KIND_NAMES)
        # The unary + keeps the list a filter on the index's rows, not a list of lookups.
        listed = f" and +{index}.rowid in (select id from tweets where kind in ({names}))"
    return (
        f"{index} join tweets t on t.id = {index}.rowid",
        match + listed,
        ROW_CHECKS[plan],
        f"{index}.rowid",
        f"select {index}.rowid as id from {index} where {match}{listed}"
        f" and {index}.rowid between :low and :high",
    )


def rank_expression(plan):
    if plan == "words":
        return "reader_search_score(:q, t.text)"
    return "search_rank(:q, t.text, :stats)"


WORD = re.compile(r"\w+")
# bm25's constants, and about how many words a tweet has.
K1, B, AVERAGE_WORDS = 1.2, 0.75, 16.0


@functools.lru_cache(maxsize=64)
def word_patterns(q):
    """A pattern per wanted term, matching words that start with it ("run" in "running")."""
    terms = sorted(search_query.wanted_terms(q))
    return tuple(re.compile(r"(?<!\w)" + re.escape(term), re.I) for term in terms)


def score(q, text):
    """bm25 of one matching tweet, every term weighted alike: more matches in a shorter tweet
    rank first (lower is better, as FTS5's rank). FTS5's own bm25 first reads every match of
    every term to weigh them (half a million rows for "the") and its highlight() tokenizes
    each row again; this counts the terms' words with one regular expression each."""
    if not text:
        return 0.0
    words = len(WORD.findall(text)) or 1
    norm = K1 * (1 - B + B * words / AVERAGE_WORDS)
    total = 0.0
    for pattern in word_patterns(q):
        tf = len(pattern.findall(text))
        total += tf * (K1 + 1) / (tf + norm)
    return -total


async def id_bounds(db, search):
    """The id range of the date range (ids grow with time), so the indexes start there."""
    low, high = MIN_ID, MAX_ID
    if search.since:
        row = await db.execute(
            "select id from tweets where created_at >= :since order by created_at, id limit 1",
            {"since": search.since},
        )
        low = row.rows[0][0] if row.rows else MAX_ID
    if search.until:
        row = await db.execute(
            "select id from tweets where created_at < :until "
            "order by created_at desc, id desc limit 1",
            {"until": search.until},
        )
        high = row.rows[0][0] if row.rows else MIN_ID
    return low, high


async def count_matches(db, search, plan, params, kinds):
    """(number, how): "exact", "more" (more than COUNT_CAP) or "least" (at least that
    many: the first COUNT_BUDGET candidates held them, more remain unchecked). Bounded:
    counting every match of "the" in a million tweets would cost what a whole page may."""
    _, _, row_check, _, candidates = stream(plan, kinds)
    where, _ = search.conditions()
    if plan == "words" and not search.filtered:
        # Superseded versions of edited tweets are no results. Found by joining the matches
        # (at most COUNT_CAP + 1) rather than by looking up each edited tweet in the index:
        # each such lookup of a prefix term merges the lists of all its words again.
        row = await db.execute(
            "select count(*), coalesce(sum(t.is_latest_version = 1), 0)"
            " from (select rowid from tweets_fts where tweets_fts match :expr limit :cap) m"
            " join tweets t on t.id = m.rowid",
            dict(params, cap=COUNT_CAP + 1),
        )
        found, latest = row.rows[0]
        return (COUNT_CAP, "more") if found > COUNT_CAP else (latest, "exact")
    checks = f"{where} and {row_check}"
    budget_sql = (
        f"with c as ({candidates} order by id desc limit :budget)\n"
        f"select count(*), coalesce(sum({checks}), 0) from c join tweets t on t.id = c.id"
    )
    row = (await db.execute(budget_sql, dict(params, budget=COUNT_BUDGET))).rows[0]
    walked, matched = row[0], row[1]
    if walked < COUNT_BUDGET:
        return matched, "exact"
    return matched, "least"


async def listed_kinds(db, search):
    """The kinds a kind filter keeps and how many tweets they have (from the build's facet
    counts): ({kinds}, number), or (None, None) without a kind filter or counts."""
    if not search.kind or not await db.table_exists("facet_counts"):
        return None, None
    rows = await db.execute("select value, tweets from facet_counts where facet = 'kind'")
    sizes = {row[0]: row[1] or 0 for row in rows.rows}
    if search.kind in KIND_NAMES:
        kept = {search.kind}
    else:
        kept = {kind for kind in KIND_NAMES if f"-{kind}" not in search.kind}
    return kept, sum(sizes.get(kind, 0) for kind in kept)


def clamp(number):
    """An id from a cursor, kept within SQLite's integers (a hostile one may not be)."""
    return max(MIN_ID + 1, min(MAX_ID - 1, number))


async def page_ids(db, search, plan, params, kinds=None):
    """One page of result ids, in the requested order, and the next page's cursor."""
    source, index_match, row_check, id_column, _ = stream(plan, kinds)
    where, _ = search.conditions()
    base = (
        f"from {source}\nwhere {index_match}\n  and {id_column} between :low and :high"
        f"\n  and {where}\n  and {row_check}"
    )
    size = PAGE_SIZE + 1
    if search.sort in ("newest", "oldest"):
        direction = "asc" if search.sort == "oldest" else "desc"
        if ID_CURSOR.match(search.cursor):
            # One range on the id for the index to start from (two upper bounds, and FTS5
            # would start from one and check the other on every row).
            cursor = clamp(int(search.cursor))
            if search.sort == "oldest":
                params = dict(params, low=max(params["low"], cursor + 1))
            else:
                params = dict(params, high=min(params["high"], cursor - 1))
        sql = f"select {id_column} as id {base}\norder by {id_column} {direction}\nlimit {size}"
        rows = (await db.execute(sql, params)).rows
        ids = [row["id"] for row in rows[:PAGE_SIZE]]
        return ids, (str(ids[-1]) if len(rows) > PAGE_SIZE else None), {}
    # Relevance: the matches in windows of RANKED, the newest window first, each window
    # ranked; the cursor is the window's top id and the last (rank, id) shown.
    cursor = RANK_CURSOR.match(search.cursor)
    top = clamp(int(cursor[1])) if cursor else MAX_ID
    after = (float(cursor[2]), clamp(int(cursor[3]))) if cursor and cursor[2] else None
    ids, following = [], None
    for _ in range(2):  # a page may run from the end of one window into the next
        want = PAGE_SIZE - len(ids)
        rows = await ranked_window(db, plan, id_column, base, params, top, after, want + 1)
        ids += [row["id"] for row in rows[:want]]
        if len(rows) > want:
            last = rows[want - 1]
            following = f"{top}~{float(last['rank'])!r}~{last['id']}"
            break
        if after is None:
            break  # the whole window is fewer than RANKED: the last one
        bottom, full = await window_edge(db, base, id_column, params, top)
        if not full:
            break  # the last window: no more matches
        top, after = bottom - 1, None
        if len(ids) == PAGE_SIZE:
            following = f"{top}~"
            break
    return ids, following, {}


async def ranked_window(db, plan, id_column, base, params, top, after, size):
    """Up to `size` matches of the window of the RANKED newest ones at or below id `top`,
    best first, after the (rank, id) `after`."""
    bound = dict(params, high=min(params["high"], top))
    where = ""
    if after:
        where = "where rank > :after_rank or (rank = :after_rank and id < :after_id)\n"
        bound.update(after_rank=after[0], after_id=after[1])
    sql = (
        f"with ranked as (\n  select {id_column} as id, {rank_expression(plan)} as rank\n"
        f"  {base}\n  order by {id_column} desc\n"
        f"  limit {RANKED}\n)\n"
        f"select id, rank from ranked\n{where}order by rank, id desc\nlimit {int(size)}"
    )
    return (await db.execute(sql, bound)).rows


async def window_edge(db, base, id_column, params, top):
    """The lowest id of a window, and whether it is full (more matches may lie below)."""
    sql = (
        f"select min(id), count(*) from (select {id_column} as id {base}"
        f" order by {id_column} desc limit {RANKED})"
    )
    row = (await db.execute(sql, dict(params, high=min(params["high"], top)))).rows[0]
    return row[0], row[1] == RANKED


async def highlighted(db, plan, ids, q):
    """{id: [the words FTS matched in that tweet]} (stems: "running" for run), for the
    wanted terms but prefixes: the index looks up each id on its own, and each lookup of a
    prefix merges the lists of all its words (0.7 s for t* on a page of 25 at a million
    tweets). Prefixes are marked by their pattern instead (search_query.prefixes)."""
    expression = search_query.highlight_expression(q)
    if plan != "words" or not ids or expression is None:
        return {}
    marks = ", ".join(str(int(i)) for i in ids)
    rows = await db.execute(
        "select rowid, highlight(tweets_fts, 0, char(2), char(3)) as marked from tweets_fts"
        f" where tweets_fts match :expr and rowid in ({marks})",
        {"expr": expression},
    )
    return {row["rowid"]: set(MARKED.findall(row["marked"] or "")) for row in rows.rows}


def term_pattern(words, substrings, prefixes=()):
    """A pattern finding the matched words (whole words), terms (anywhere) and the words
    starting with a prefix."""
    parts = [r"(?<!\w)" + re.escape(w) + r"(?!\w)" for w in sorted(words, key=len, reverse=True)]
    parts += [r"(?<!\w)" + re.escape(p) + r"\w*" for p in sorted(prefixes, key=len, reverse=True)]
    parts += [re.escape(s) for s in sorted(substrings, key=len, reverse=True)]
    parts = [p for p in parts if p]
    return re.compile("|".join(parts), re.I) if parts else None


def match_spans(text, pattern):
    """Where `pattern` matches in a tweet's text: the spans its card marks."""
    if pattern is None or not isinstance(text, str):
        return []
    return [found.span() for found in pattern.finditer(text) if found.end() > found.start()]


def explorer_links(datasette, database, search):
    query = datasette.urls.query(database, "search")
    args = urllib.parse.urlencode({"q": search.q})
    table_args = [("_search", search.q)]
    if search.kind in ("tweet", "reply", "retweet", "quote"):
        table_args.append(("kind", search.kind))
    if search.since:
        table_args.append(("created_at__gte", search.since))
    if search.until:
        table_args.append(("created_at__lt", search.until))
    # Newest first by id (the same order as by date, without sorting every match); a
    # search alone would be sent back here.
    table_args.append(("_sort_desc", "id"))
    return {
        "json": f"{query}.json?{args}&_shape=array",
        "csv": f"{query}.csv?{args}&_dl=1",  # (a download: search.csv)
        "sql": f"{query}?{args}",
        "table": datasette.urls.table(database, "tweets")
        + "?"
        + urllib.parse.urlencode(table_args),
    }


# A static copy's search (static/static-search.js over Pagefind): best matches a shard of
# tweets at a time, newest first, or every match newest first.
STATIC_SORTS = {"relevance": "Best match", "newest": "Newest first"}
STATIC_YEARS_SQL = """
select value as year
from facet_counts
where facet = 'year'
  and tweets > 0
order by value desc
"""


async def static_search(datasette, request):
    """The page a static copy searches from: the form, and a script that reads ?q= and runs
    it against the Pagefind index (etl/static_search.py) in the browser."""
    db = datasette.databases.get(archive_database(datasette))
    years = []
    if db is not None and await db.table_exists("facet_counts"):
        years = [row["year"] for row in (await db.execute(STATIC_YEARS_SQL)).rows]
    context = {
        "sorts": STATIC_SORTS,
        "kinds": KINDS,
        "years": years,
        "word_chars": {"separators": SEPARATORS, "runs": RUN_CHARS},
    }
    return await render_reader_page(datasette, request, "reader_static_search.html", context)


async def reader_search(datasette, request):
    if static_site(datasette):
        return await static_search(datasette, request)
    started = started_at(request.scope)
    database = archive_database(datasette)
    db = datasette.databases.get(database)
    search = Search(request.args)
    context = {
        "search": search,
        "sorts": SORTS,
        "kinds": KINDS,
        "tweets": [],
        "count": None,
        "how": "exact",
        "message": None,
        "notes": search_query.notes(search.q),
        "next_url": None,
        "first_url": None,
        "links": None,
        "ranked_cap": RANKED,
        "ranked": False,
    }
    if db is None or not search.q.strip():
        return await render_reader_page(datasette, request, "reader_search.html", context)
    context["links"] = explorer_links(datasette, database, search)
    plan = search_query.plan(search.q)
    if plan == "none":
        context["message"] = OPERATORS_HELP
        return await render_reader_page(datasette, request, "reader_search.html", context)
    budget = Budget(datasette, started)
    status, headers = 200, {}
    try:
        if search_query.costly(search.q):
            async with costly_slot(datasette, started):
                context.update(await results(request, budget.database(db), search, plan))
        else:
            context.update(await results(request, budget.database(db), search, plan))
    except Busy:
        context["message"] = BUSY
        status, headers = 503, {"Retry-After": str(RETRY_AFTER_SECONDS)}
    except (QueryInterrupted, OutOfTime):
        context["message"] = TOO_LONG.format(seconds=budget.seconds)
        status = 400
    response = await render_reader_page(
        datasette, request, "reader_search.html", context, status=status
    )
    response.headers.update(headers)
    return response


async def results(request, db, search, plan):
    """The page's count, tweets and links: every statement run through `db`."""
    low, high = await id_bounds(db, search)
    _, condition_params = search.conditions()
    params = {
        "q": search.q,
        "expr": search_query.fts_expression(search.q),
        "low": low,
        "high": high,
        **condition_params,
    }
    if plan != "words":
        phrases = sum(len(group) for group in search_query.parse(search.q))
        stats = await db.execute("select tweets, trigrams from tweets_trigram_stats")
        tweets, grams = stats.rows[0] if stats.rows else (1, 1)
        params["stats"] = json.dumps([max(tweets, 1), max(grams, 1), [0] * phrases])
    kinds, size = await listed_kinds(db, search)
    if size == 0:  # only replies of an archive without replies: said at once
        return {"count": 0, "tweets": []}
    kinds = kinds if size is not None and size <= KIND_LIST_MAX else None
    count, how = await count_matches(db, search, plan, params, kinds)
    ids, following, _ = await page_ids(db, search, plan, params, kinds)
    words = await highlighted(db, plan, ids, search.q)
    tweets = await load_tweets(db, ids)
    wanted = search_query.wanted_terms(search.q)
    substrings = wanted if plan != "words" else set()
    prefixes = search_query.prefixes(search.q) if plan == "words" else set()
    for tweet in tweets:
        pattern = term_pattern(words.get(tweet["id"], ()), substrings, prefixes)
        tweet["highlights"] = match_spans(tweet["text"], pattern)
    previous = await previous_cursor(db, search, plan, params, kinds)
    return {
        "tweets": tweets,
        "count": count,
        "how": how,
        "ranked": search.sort == "relevance" and count > RANKED,
        "next_url": with_query(request, before=following) if following else None,
        "previous_url": with_query(request, before=previous or None)
        if previous is not None
        else None,
        "first_url": with_query(request, before=None) if search.cursor and previous != "" else None,
        # Where this page sits: known on the first page only (later ones aren't counted).
        "position": position(0, len(tweets), count if how == "exact" else None)
        if following and not search.cursor
        else None,
        **(BY_PAGE if search.sort == "relevance" else PAGE_LABELS[search.sort]),
    }


PAGE_LABELS = {"newest": NEWEST_FIRST, "oldest": OLDEST_FIRST}


async def previous_cursor(db, search, plan, params, kinds):
    """The previous page's cursor of a search in date order ('' for the first page), or
    None: on the first page, or in relevance order (its windows don't run backwards)."""
    if search.sort not in PAGE_LABELS or not ID_CURSOR.match(search.cursor):
        return None
    cursor = clamp(int(search.cursor))
    step = 1 if search.sort == "newest" else -1
    # The same search the other way from the cursor's tweet (the last of the previous
    # page) on: the previous page, and whether more lie beyond it.
    back = copy.copy(search)
    back.sort = "oldest" if search.sort == "newest" else "newest"
    back.cursor = str(cursor - step)
    ids, following, _ = await page_ids(db, back, plan, params, kinds)
    return str(int(following) + step) if following else ""


@hookimpl
def register_routes():
    return [(r"^/search$", reader_search)]


@hookimpl
def prepare_connection(conn):
    conn.create_function("reader_search_score", 2, score, deterministic=True)
