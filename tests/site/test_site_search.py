"""Search: the `search` query, the tweets table's search box, and the query syntax."""

import urllib.parse

import pytest

from tests.helpers.paths import IDS
from tests.helpers.site import get_json
from tweet_site.hooks.search_sql import contains, first_term, fts_expression, highlight, mode

HOSTILE_INPUTS = [
    '"',
    '"unbalanced',
    "AND",
    "OR",
    "NOT",
    "a AND",
    "OR b",
    "*",
    "-",
    "--",
    "-fox",
    "NEAR(a b)",
    "text:fox",
    "^fox",
    "(fox",
    "fox)",
    "'; drop table tweets; --",
    "\u202e\u200b",
    "東",
    "👍",
    "",
    "   ",
]


@pytest.mark.parametrize(
    "query,expected_mode,expression",
    [
        ("fox", "words", '("fox")'),
        ("quick fox", "words", '("quick" AND "fox")'),
        ('"quick brown"', "words", '("quick brown")'),
        ('"quick bro"*', "words", '("quick bro"*)'),
        ("run*", "words", '("run"*)'),
        ("fox -dog", "words", '(("fox") NOT "dog")'),
        ("fox NOT dog", "words", '(("fox") NOT "dog")'),
        ("cats OR dogs", "words", '("cats") OR ("dogs")'),
        ("a AND b", "words", '("a" AND "b")'),
        ('say "hi', "words", '("say" AND "hi")'),
        ('with"quote', "words", '("with" AND "quote")'),
        ("-fox", "words", '("fox")'),
        ("Привет", "words", '("Привет")'),
        ("タワー", "trigram", '("タワー")'),
        ("東京タワー run*", "trigram", '("東京タワー" AND "run")'),
        ("東京", "substring", '("東京")'),
        ("👍", "substring", '("👍")'),
        ('"', "none", '"nomatchforthisterm"'),
        ("AND OR NOT", "none", '"nomatchforthisterm"'),
        ("* - --", "none", '"nomatchforthisterm"'),
        ("\u202e\u200b", "none", '"nomatchforthisterm"'),
    ],
)
def test_query_syntax(query, expected_mode, expression):
    assert (mode(query), fts_expression(query)) == (expected_mode, expression)


def test_substring_matching_and_highlighting():
    assert contains("東 -猫", "東京") == 1
    assert contains("東 -京", "東京") == 0
    assert contains("猫 OR 京", "東京") == 1
    assert contains("ABC 東", "abc 東京") == 1
    assert contains("東", None) == 0
    assert first_term("ABC 東京") == "東京"
    assert first_term("東 OR 京") == ""
    assert highlight("東京", "東京タワー #東京") == "\x02東京\x03タワー #\x02東京\x03"


async def search(ds, q):
    query = urllib.parse.urlencode({"q": q, "_shape": "array"})
    return await get_json(ds, f"/archive/search.json?{query}")


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "q,names,snippet",
    [
        ("running", ["english"], "I was \x02running\x03 after"),
        ("run", ["english"], "I was \x02running\x03 after"),
        ("quic*", ["english"], "the \x02quick\x03 brown"),
        ('"quick brown"', ["english"], "the \x02quick brown\x03 fox"),
        ('"brown quick"', [], None),
        ("fox -quick", [], None),
        ("коты", ["japanese"], "Бегущие \x02коты\x03."),
        ("タワー", ["japanese"], "東京\x02タワー\x03に行きました"),
        ("東京", ["japanese"], "\x02東京\x03タワーに行きました #\x02東京\x03"),
        ("渋谷", ["geo_tokyo"], "\x02渋谷\x03のスクランブル交差点"),
        ("cafe", ["geo_paris"], "\x02Café\x03 au lait"),
        ("sunset OR fireworks", ["photo", "video"], None),
    ],
)
async def test_search_finds_words_in_every_script(ds, q, names, snippet):
    rows = await search(ds, q)
    assert [row["tweet_id"] for row in rows] == [IDS[name] for name in names]
    if snippet:
        assert snippet in rows[0]["snippet"]


@pytest.mark.asyncio
async def test_search_rows_have_a_stable_shape(ds):
    assert await search(ds, "fireworks") == [
        {
            "tweet_id": IDS["video"],
            "created_at": "2021-03-05T12:00:00+00:00",
            "screen_name": "site_owner",
            "kind": "tweet",
            "snippet": "\x02Fireworks\x03 video",
            "likes": None,
        }
    ]


@pytest.mark.asyncio
@pytest.mark.parametrize("q", HOSTILE_INPUTS)
async def test_search_never_errors(ds, q):
    query = urllib.parse.urlencode({"q": q})
    response = await ds.client.get(f"/archive/search?{query}")
    assert response.status_code == 200
    assert "message-error" not in response.text
    feed = await ds.client.get(f"/archive/search_feed.atom?{query}")
    assert feed.status_code == 200
    table = await ds.client.get(
        "/archive/tweets.json?_shape=array&" + urllib.parse.urlencode({"_search": q})
    )
    assert table.status_code == 200, table.text


@pytest.mark.asyncio
async def test_search_page_shows_highlighted_cards_safely(ds):
    response = await ds.client.get("/archive/search?q=script")
    assert response.status_code == 200
    assert (
        '<div class="tweet-text snippet" dir="auto">&lt;<mark>script</mark>&gt;alert(1)'
        "&lt;/<mark>script</mark>&gt; hello #Hostile world</div>"
    ) in response.text
    assert "<script>alert(1)" not in response.text
    assert 'href="/archive/search_feed.atom?q=script"' in response.text
    assert f'href="/archive/tweets/{IDS["script"]}"' in response.text


@pytest.mark.asyncio
async def test_search_page_without_a_query(ds):
    response = await ds.client.get("/archive/search")
    assert response.status_code == 200
    assert '<input id="search-q" type="search" name="q" value=""' in response.text
    assert "No tweet matches" not in response.text


@pytest.mark.asyncio
async def test_table_search_box_goes_to_the_search_page(ds):
    response = await ds.client.get("/archive/tweets?_search=%E6%9D%B1%E4%BA%AC+tower")
    assert response.status_code == 302
    assert response.headers["location"] == "/search?q=%E6%9D%B1%E4%BA%AC+tower"


@pytest.mark.asyncio
async def test_table_search_with_filters_walks_the_newest_first_without_counting(ds):
    # Sorting every match by created_at and counting them all took 2 s at a million tweets.
    response = await ds.client.get("/archive/tweets?_search=the&kind=reply")
    assert response.status_code == 302
    location = response.headers["location"]
    assert location == "/archive/tweets?_search=the&kind=reply&_sort_desc=id&_nocount=1"
    page = await ds.client.get(location)
    assert page.status_code == 200
    rows = await get_json(ds, location.replace("tweets?", "tweets.json?") + "&_shape=array")
    assert [row["id"] for row in rows] == sorted((row["id"] for row in rows), reverse=True)
    assert {row["kind"] for row in rows} == {"reply"} and len(rows) == 4


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "path",
    [
        "/archive/tweets?_search=fox&kind=tweet&_sort_desc=created_at",
        "/archive/tweets?_search=fox&kind=tweet&_nocount=1",
        "/archive/tweets?_search=fox&_sort_desc=created_at",
        "/archive/tweets.json?_search=fox",
        "/archive/tweets?_search=",
        "/archive/tweets",
    ],
)
async def test_searches_with_filters_or_formats_stay_on_the_table(ds, path):
    response = await ds.client.get(path)
    assert response.status_code == 200


@pytest.mark.asyncio
async def test_table_search_supports_phrases_prefixes_and_exclusions(ds):
    async def table_search(q):
        query = urllib.parse.urlencode({"_search": q, "_shape": "array", "_col": "kind"})
        return [row["id"] for row in await get_json(ds, f"/archive/tweets.json?{query}")]

    assert await table_search('"quick brown"') == [IDS["english"]]
    assert await table_search('"brown quick"') == []
    assert await table_search("quic*") == [IDS["english"]]
    assert await table_search("hostile") == [IDS["retweet"], IDS["script"]]
    assert await table_search("hostile -tags") == [IDS["script"]]
    assert await table_search("welcoming") == []


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "q,names,snippet",
    [
        # candidates from the substring index, each checked against the whole text
        ("行きました коты", ["japanese"], "東京タワーに\x02行きました\x03 #東京"),
        ("タワー -коты", [], None),
        ("京タワ -東京タワー", [], None),
        ("スクランブル OR 行きました", ["geo_tokyo", "japanese"], None),
        ('"タワーに行き"', ["japanese"], "東京\x02タワーに行き\x03ました"),
        ("ＴＯＷＥＲ タワー", [], None),
        # an OR-group without 3+ CJK characters: every tweet is checked
        ("fox OR 渋谷のスクランブル", ["english", "geo_tokyo"], None),
        ("-タワー 東京", [], None),
    ],
)
async def test_substring_search_through_the_small_index(ds, q, names, snippet):
    rows = await search(ds, q)
    assert sorted(row["tweet_id"] for row in rows) == sorted(IDS[name] for name in names)
    if snippet:
        assert snippet in rows[0]["snippet"]
