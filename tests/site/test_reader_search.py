"""The reader search page (/search): totals, pages past 100, orders, filters, linked and
highlighted text, latest versions only, and hostile input."""

import html
import json
import re
import sqlite3
import urllib.parse

import pytest

from tests.helpers.paths import FIXTURES
from tests.helpers.site import make_datasette

SEARCH = FIXTURES / "search"
IDS = json.loads((SEARCH / "ids.json").read_text())
CARD_ID = re.compile(r'<article class="tweet[^"]*" data-tweet-id="(\d+)"')
NEXT = re.compile(r'<a rel="next" href="([^"]*)"')
SUMMARY = re.compile(r"<strong>([^<]*)</strong>")


@pytest.fixture
def sds(search_db, metadata):
    return make_datasette(search_db, metadata)


def harbour_ids(search_db, where="1"):
    """The fixture's tweets with the word harbour, newest first, checked in SQL."""
    with sqlite3.connect(search_db) as conn:
        rows = conn.execute(
            "select id from tweets where lower(text) like '%harbour%'"
            f" and is_latest_version = 1 and ({where}) order by created_at desc, id desc"
        ).fetchall()
    return [row[0] for row in rows]


async def page(sds, **args):
    response = await sds.client.get("/search?" + urllib.parse.urlencode(args))
    assert response.status_code == 200, response.text
    return response.text


def card_ids(text):
    return [int(i) for i in CARD_ID.findall(text)]


async def every_page(sds, **args):
    """The ids of every result, following "Next page" links; and how many pages."""
    found, pages = [], 0
    path = "/search?" + urllib.parse.urlencode(args)
    while path and pages < 20:
        response = await sds.client.get(path)
        assert response.status_code == 200
        found += card_ids(response.text)
        pages += 1
        link = NEXT.search(response.text)
        path = html.unescape(link[1]) if link else None
    return found, pages


@pytest.mark.asyncio
async def test_the_page_says_how_many_tweets_match(sds, search_db):
    text = await page(sds, q="harbour")
    expected = len(harbour_ids(search_db))
    assert expected > 100
    assert SUMMARY.search(text)[1] == f"{expected:,} tweets"
    assert "<title>harbour — Search tweets</title>" in text
    one = await page(sds, q="pier", kind="retweet", since="2019-01", until="2019-01")
    assert "<strong>1 tweet</strong> matches" in one


@pytest.mark.asyncio
@pytest.mark.parametrize("sort", ["newest", "oldest", "relevance"])
async def test_pages_reach_every_match_past_100_once(sds, search_db, sort):
    found, pages = await every_page(sds, q="harbour", sort=sort)
    expected = harbour_ids(search_db)
    assert pages > 4
    assert sorted(found) == sorted(expected)  # each once
    if sort == "newest":
        assert found == expected
    if sort == "oldest":
        assert found == expected[::-1]
    if sort == "relevance":
        assert found[0] == IDS["best"]


@pytest.mark.asyncio
async def test_each_order_of_the_first_page(sds, search_db):
    expected = harbour_ids(search_db)
    assert card_ids(await page(sds, q="harbour", sort="newest")) == expected[:25]
    assert card_ids(await page(sds, q="harbour", sort="oldest")) == expected[::-1][:25]
    best = card_ids(await page(sds, q="harbour"))
    assert best[0] == IDS["best"] and len(best) == 25
    assert 'option value="relevance" selected' in await page(sds, q="harbour")


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "kind, where",
    [
        ("-reply", "kind != 'reply'"),
        ("-retweet", "kind != 'retweet'"),
        ("-reply-retweet", "kind not in ('reply', 'retweet')"),
        ("tweet", "kind = 'tweet'"),
        ("reply", "kind = 'reply'"),
        ("retweet", "kind = 'retweet'"),
        ("quote", "kind = 'quote'"),
    ],
)
async def test_kind_filters(sds, search_db, kind, where):
    expected = harbour_ids(search_db, where)
    found, _ = await every_page(sds, q="harbour", sort="newest", kind=kind)
    assert found == expected
    text = await page(sds, q="harbour", kind=kind)
    if expected:
        assert SUMMARY.search(text)[1] == f"{len(expected):,} tweet" + "s" * (len(expected) != 1)
    else:
        assert "No tweet matches <q>harbour</q> with these filters." in text


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "since, until, where",
    [
        ("2019-03", "2019-04", "created_at >= '2019-03' and created_at < '2019-05'"),
        ("2019-03-05", "2019-03-20", "created_at >= '2019-03-05' and created_at < '2019-03-21'"),
        ("2019-11", "", "created_at >= '2019-11'"),
        ("", "2019-01-31", "created_at < '2019-02'"),
        ("2019", "2019", "created_at >= '2019' and created_at < '2020'"),
    ],
)
async def test_date_filters(sds, search_db, since, until, where):
    expected = harbour_ids(search_db, where)
    found, _ = await every_page(sds, q="harbour", sort="newest", since=since, until=until)
    assert found == expected
    best, _ = await every_page(sds, q="harbour", since=since, until=until, kind="-retweet")
    assert sorted(best) == sorted(harbour_ids(search_db, f"{where} and kind != 'retweet'"))


@pytest.mark.asyncio
async def test_a_date_that_is_no_date_is_said_and_left_out(sds, search_db):
    text = await page(sds, q="harbour", since="2019-02-30", until="soon")
    assert "“2019-02-30” is not a date" in text
    assert "“soon” is not a date" in text
    assert SUMMARY.search(text)[1] == f"{len(harbour_ids(search_db)):,} tweets"


@pytest.mark.asyncio
async def test_links_mentions_and_hashtags_are_links_and_matches_are_marked(sds):
    text = await page(sds, q="harbour", sort="oldest")
    card = text[text.index(f'data-tweet-id="{IDS["linked"]}"') :]
    card = card[: card.index("</article>")]
    # The link keeps its address whole; only the text shown is marked.
    assert 'href="https://example.com/harbour/pics"' in card
    assert ">example.com/<mark>harbour</mark>/pics</a>" in card
    assert '<a class="mention" href="/-/user/harbour_friend">@harbour_friend</a>' in card
    assert '<a class="hashtag" href="' in card and "#HarbourLife</a>" in card
    assert "<mark>Harbour</mark> photos" in card


@pytest.mark.asyncio
async def test_archive_text_stays_text(sds):
    text = await page(sds, q="harbour", sort="oldest")
    assert "<script>alert(" not in text
    assert "&lt;script&gt;alert(&#39;<mark>harbour</mark>&#39;)&lt;/script&gt;" in text
    assert "&lt;b&gt;<mark>harbour</mark>&lt;/b&gt; &amp; &#34;quotes&#34;" in text


@pytest.mark.asyncio
@pytest.mark.parametrize("q", ["AND OR (", "-", '"', '" "', "( ) AND", "NOT", "- - -", "*"])
async def test_a_query_of_operators_only_is_explained(sds, q):
    text = await page(sds, q=q)
    assert "has only operators" in text
    assert "No tweet matches" not in text
    assert "cat OR dog" in text


@pytest.mark.asyncio
async def test_only_the_latest_version_of_an_edited_tweet(sds, search_db):
    with sqlite3.connect(search_db) as conn:
        versions = dict(
            conn.execute(
                "select id, is_latest_version from tweets where text like '%VACUUM INTO%'"
            ).fetchall()
        )
    assert sorted(versions.values()) == [0, 1]
    latest = [i for i, v in versions.items() if v == 1]
    for sort in ("relevance", "newest", "oldest"):
        text = await page(sds, q="VACUUM", sort=sort)
        assert card_ids(text) == latest
        assert "<strong>1 tweet</strong> matches" in text


@pytest.mark.asyncio
async def test_explorers_get_json_csv_and_sql(sds):
    text = await page(sds, q="harbour", kind="reply")
    assert 'href="/archive/search.json?q=harbour&amp;_shape=array"' in text
    assert 'href="/archive/search.csv?q=harbour&amp;_dl=1"' in text
    assert 'href="/archive/search?q=harbour"' in text
    assert "/archive/tweets?_search=harbour&amp;kind=reply" in text
    for path in ("/archive/search.json?q=harbour&_shape=array", "/archive/search.csv?q=harbour"):
        assert (await sds.client.get(path)).status_code == 200
    for kind in ("", "reply"):
        table = re.search(
            r'href="(/archive/tweets\?[^"]*)">in the tweets table',
            await page(sds, q="harbour", kind=kind),
        )
        response = await sds.client.get(html.unescape(table[1]))
        assert response.status_code == 200  # the table itself, not sent back here
    old = await sds.client.get("/archive/search?q=harbour")
    assert old.status_code == 200 and "harbour" in old.text


@pytest.mark.asyncio
async def test_japanese_and_emoji_substrings(sds, ds):
    # The hostile site fixture holds Japanese text: a 2-character term inside a word.
    response = await ds.client.get("/search?" + urllib.parse.urlencode({"q": "東京"}))
    assert response.status_code == 200
    assert "<mark>東京</mark>タワー" in response.text
    response = await ds.client.get("/search?" + urllib.parse.urlencode({"q": "タワー"}))
    assert "東京<mark>タワー</mark>" in response.text


@pytest.mark.asyncio
async def test_no_query_shows_the_form_and_help(sds):
    text = await page(sds)
    assert '<label for="search-q"' in text
    assert "No tweet matches" not in text and "a phrase" in text


HOSTILE = [
    "'; drop table tweets; --",
    "harbour' or 1=1 --",
    "NEAR(harbour walk",
    '"unbalanced harbour',
    "harbour* OR *",
    "^harbour",
    "text:harbour",
    "harbour AND (walk OR",
    "{harbour}",
    "\u200bharbour\u202e\u2066",
    "\u200b\u200c\u200d",
    "harbour " * 400,
    "東" * 600,
    "🦜" * 50,
    "%_\\",
    "\x01\x02\x03harbour",
    "\x00harbour\x00",
]


@pytest.mark.asyncio
@pytest.mark.parametrize("q", HOSTILE)
@pytest.mark.parametrize(
    "extra",
    [
        {},
        {"sort": "newest", "kind": "-reply"},
        {"sort": "oldest", "since": "2019-13", "until": "0000-01-01"},
        {"before": "99999999999999999999999"},
        {"before": "-9223372036854775809~1e999~99999999999999999999"},
        {"sort": "newest", "before": "-99999999999999999999"},
        {"sort": "drop", "kind": "' or 1=1", "since": "x" * 5000},
    ],
)
async def test_hostile_queries_never_fail(sds, q, extra):
    response = await sds.client.get("/search?" + urllib.parse.urlencode({"q": q, **extra}))
    assert response.status_code == 200
    assert "<script>alert" not in response.text
    assert not {"\x00", "\x02", "\x03"} & set(response.text)
