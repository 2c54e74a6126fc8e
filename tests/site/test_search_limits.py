"""Costly searches are bounded (issue 15, item 6): every route that searches gets the
parser's limits, a search request runs within one time budget and answers a friendly page
when it runs out, and costly searches (and SQL of one's own) run one at a time, so that
they can't take every SQL thread from other visitors."""

import asyncio
import re
import time
import urllib.parse

import pytest
from datasette import hookimpl
from datasette.plugins import pm

from etl.site import SETTINGS
from tests.helpers.paths import IDS
from tests.helpers.site import make_datasette
from tests.site.test_reader_search import card_ids
from tweet_site.hooks.search_sql import fts_expression

LETTERS = "abcdefghijklmnopqrstuvwxyz"
PREFIXES = " ".join(LETTERS[i % 26] + "*" for i in range(200))
ALTERNATIVES = " OR ".join(c + "*" for c in LETTERS)
EMOJI = " OR ".join(chr(0x1F600 + i % 80) for i in range(300))
# Substrings in a second OR-group with nothing to find in C first: search_contains checks
# every tweet of the search fixture in Python.
SCAN = "東 OR harbour"


class SlowChecks:
    """search_contains taking `delay` seconds a tweet, as on an archive thousands of times
    larger: a scan that outlasts any budget."""

    __name__ = "slow-checks"  # Datasette lists plugins by name

    def __init__(self, delay):
        self.delay = delay

    # trylast: after search_sql.py's own (also trylast), so this one replaces it.
    @hookimpl(trylast=True)
    def prepare_connection(self, conn):
        def slow(query, text):
            time.sleep(self.delay)
            return 0

        conn.create_function("search_contains", 2, slow)


@pytest.fixture
def slow_checks():
    plugin = SlowChecks(0.005)
    pm.register(plugin, name="slow-checks")
    yield plugin
    pm.unregister(name="slow-checks")


def limited(search_db, metadata, seconds):
    """The site with a time limit of `seconds` (the search budget follows it down)."""
    return make_datasette(
        search_db, metadata, settings=dict(SETTINGS, sql_time_limit_ms=int(seconds * 1000))
    )


def url(path, **args):
    return path + "?" + urllib.parse.urlencode(args)


def terms(expression):
    return expression.count('"') // 2


@pytest.mark.parametrize(
    "query, most_terms, most_prefixes, most_groups",
    [
        (PREFIXES, 10, 3, 1),
        (ALTERNATIVES, 5, 3, 5),
        (EMOJI, 5, 0, 5),
        (" ".join(f"w{i}" for i in range(50)), 10, 0, 1),
        ('"' + " ".join(f"w{i}" for i in range(50)) + '"', 1, 0, 1),
        ("qu* br* fo* la* ju*", 5, 3, 1),
        (" ".join("-" + c for c in LETTERS), 10, 0, 1),
    ],
)
def test_every_search_is_bounded(query, most_terms, most_prefixes, most_groups):
    expression = fts_expression(query)
    assert terms(expression) <= most_terms
    assert expression.count('"*') <= most_prefixes
    assert expression.count(" OR ") + 1 <= most_groups


def test_a_long_phrase_keeps_its_first_ten_words():
    phrase = " ".join(f"w{i}" for i in range(50))
    assert fts_expression(f'"{phrase}"') == '("w0 w1 w2 w3 w4 w5 w6 w7 w8 w9")'


def test_one_letter_prefixes_are_whole_words():
    # A one-letter prefix reads a 26th of the whole index (and merges it in memory).
    assert fts_expression("a* run*") == '("a" AND "run"*)'


@pytest.mark.parametrize(
    "query, expected",
    [
        ("fox", False),
        ("the quick brown fox", False),
        ("the quick brown fox jumps", True),
        ('"the quick" "brown fox" jumps', True),
        ("run*", False),
        ("ru*", True),
        ("runn*", True),
        ("東京タワー", False),
        ("東京タワー OR 渋谷区役所", False),
        ("ab東京タワー", True),
        ("東", True),
        ("東京 OR 渋谷", True),
    ],
)
def test_which_searches_are_costly(query, expected):
    from tweet_site.search_query import costly

    assert costly(query) == expected


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "query, note",
    [
        (PREFIXES, "Only the first 10 words were searched for: "),
        (ALTERNATIVES, "Only the first 5 alternatives joined by OR were searched for: 21 more"),
        ("harbour qu* br* fo* la*", "At most 3 words ending in * are searched for: 1 more"),
        ("harbour h*", "h* was searched for as a whole word."),
    ],
)
async def test_the_reader_page_says_what_was_left_out(search_db, metadata, query, note):
    ds = make_datasette(search_db, metadata)
    response = await ds.client.get(url("/search", q=query))
    assert response.status_code == 200
    assert note in response.text


@pytest.mark.asyncio
async def test_the_search_query_page_says_what_was_left_out(search_db, metadata):
    ds = make_datasette(search_db, metadata)
    response = await ds.client.get(url("/archive/search", q=PREFIXES))
    assert response.status_code == 200
    assert "Only the first 10 words were searched for: 190 more left out." in response.text


@pytest.mark.asyncio
@pytest.mark.parametrize("query", [PREFIXES, ALTERNATIVES, EMOJI])
async def test_every_route_that_searches_answers_the_hostile_searches(search_db, metadata, query):
    ds = make_datasette(search_db, metadata)
    for path in (
        url("/search", q=query),
        url("/archive/search.json", q=query),
        url("/archive/search_feed.atom", q=query),
        url("/archive/tweets.json", _search=query, _sort_desc="id"),
    ):
        response = await ds.client.get(path)
        assert response.status_code == 200, path


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "raw, status",
    [
        ("harbour", 200),
        ('"harbour walk" OR harb*', 200),
        (PREFIXES, 400),
        ("a* b*", 400),
        ("har* wal* num* pie*", 400),
        (" ".join(["harbour"] * 11), 400),
    ],
)
async def test_raw_searches_on_the_table_are_bounded_too(search_db, metadata, raw, status):
    ds = make_datasette(search_db, metadata)
    path = url("/archive/tweets.json", _search=raw, _searchmode="raw", _sort_desc="id")
    response = await ds.client.get(path)
    assert response.status_code == status
    if status == 400:
        assert "raw search" in response.json()["error"] or "at least 2" in response.text


@pytest.mark.asyncio
async def test_a_search_out_of_time_is_a_friendly_page(search_db, metadata, slow_checks):
    ds = limited(search_db, metadata, 0.3)
    started = time.monotonic()
    response = await ds.client.get(url("/search", q=SCAN))
    # One budget for every statement of the page, not 0.3 s each.
    assert time.monotonic() - started < 0.3 + 1.0
    assert response.status_code == 400
    assert "This search takes longer than the site allows (0.3 seconds)" in response.text
    assert '<input id="search-q" type="search" name="q" value="東 OR harbour"' in response.text


@pytest.mark.asyncio
async def test_the_canned_search_out_of_time_is_a_400(search_db, metadata, slow_checks):
    ds = limited(search_db, metadata, 0.3)
    for path in (url("/archive/search.json", q=SCAN), url("/archive/search_feed.atom", q=SCAN)):
        response = await ds.client.get(path)
        assert response.status_code == 400, path


@pytest.mark.asyncio
async def test_costly_searches_run_one_at_a_time(search_db, metadata, slow_checks):
    ds = limited(search_db, metadata, 1.0)
    started = time.monotonic()
    responses = await asyncio.gather(*(ds.client.get(url("/search", q=SCAN)) for _ in range(3)))
    assert time.monotonic() - started < 1.0 + 1.0
    assert sorted(r.status_code for r in responses) == [400, 503, 503]
    for response in responses:
        if response.status_code == 503:
            assert response.headers["retry-after"] == "5"
            assert "The site is busy with other long searches" in response.text


async def hold_the_costly_slot(ds, ready, done):
    from tweet_site.search_budget import costly_slot

    async with costly_slot(ds, time.monotonic()):
        ready.set()
        await done.wait()


@pytest.mark.asyncio
async def test_while_a_costly_search_runs(search_db, metadata):
    ds = limited(search_db, metadata, 0.4)
    ready, done = asyncio.Event(), asyncio.Event()
    holder = asyncio.create_task(hold_the_costly_slot(ds, ready, done))
    await asyncio.wait(
        [holder, asyncio.create_task(ready.wait())], timeout=5, return_when="FIRST_COMPLETED"
    )
    assert ready.is_set(), holder
    try:
        # ... other costly work waits for it, then is told the site is busy ...
        for path in (
            url("/search", q=SCAN),
            url("/archive/search.json", q=SCAN),
            url("/archive/search_feed.atom", q="ab 東"),
            url("/archive/tweets.json", _search=SCAN, _sort_desc="id"),
            url("/archive/tweets.json", _search="harbour", _searchmode="raw", _sort_desc="id"),
            url("/archive.json", sql="select 1"),
        ):
            response = await ds.client.get(path)
            assert response.status_code == 503, path
            assert response.headers["retry-after"] == "5"
        # ... and ordinary searches and pages don't wait at all.
        for path in (
            url("/search", q="harbour walk"),
            url("/search", q="harbour", sort="newest", kind="-reply"),
            url("/archive/search.json", q="harbour"),
            url("/archive/tweets.json", _search="harbour", _sort_desc="id"),
            "/archive",
            "/",
        ):
            response = await ds.client.get(path)
            assert response.status_code == 200, path
    finally:
        done.set()
        await holder
    response = await ds.client.get(url("/archive/search.json", q=SCAN))
    assert response.status_code == 200


@pytest.mark.asyncio
async def test_prefix_searches_still_find_and_mark_every_match(search_db, metadata):
    ds = make_datasette(search_db, metadata)
    text = (await ds.client.get(url("/search", q="harb* walk", sort="oldest"))).text
    assert "<mark>Harbour</mark> <mark>walk</mark> number 0" in text
    for query in ("VACU*", "vacuum"):
        text = (await ds.client.get(url("/search", q=query))).text
        assert "<strong>1 tweet</strong> matches" in text
        assert len(card_ids(text)) == 1


def test_the_search_queries_look_for_a_term_of_every_group_in_c_first():
    from tweet_site.hooks.reader_search import ROW_CHECKS
    from tweet_site.lists.canned import CANNED
    from tweet_site.search_query import MAX_GROUPS

    sqls = {name: CANNED[name]["sql"] for name in ("search", "search_feed")}
    for name, sql in {**sqls, "/search": ROW_CHECKS["scan"]}.items():
        slots = re.findall(r"search_group_term\(:q, (\d+)\)", sql)
        assert [int(slot) for slot in slots] == list(range(MAX_GROUPS)), name


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "query, names",
    [
        ("東京 OR 渋谷", ["japanese", "geo_tokyo"]),
        ("東京 OR nowhere", ["japanese"]),
        ("渋谷 OR 東京 -タワー", ["geo_tokyo"]),
    ],
)
async def test_substrings_joined_by_or(ds, query, names):
    expected = sorted(IDS[name] for name in names)
    rows = (await ds.client.get(url("/archive/search.json", q=query, _shape="array"))).json()
    assert sorted(row["tweet_id"] for row in rows) == expected
    text = (await ds.client.get(url("/search", q=query))).text
    assert sorted(card_ids(text)) == expected
