"""Every list the issue asked for, through .json?_shape=array against the site fixture: the
canned queries (tweet_site/lists/canned.py) at /archive/<name>, and the lists that are reader
pages (on this day, threads, activity, media, most liked, quotes) at the page's own address,
which the canned query's former address redirects to."""

import re
import urllib.parse
import xml.etree.ElementTree as ET

import pytest

from tests.helpers.paths import IDS
from tests.helpers.site import get_json
from tweet_site.hooks.canned_queries import MOVED
from tweet_site.lists.canned import CANNED

ISSUE_QUERIES = [
    "search",
    "on_this_day",
    "threads",
    "conversation",
    "top_mentions",
    "top_hashtags",
    "top_domains",
    "activity",
    "media_gallery",
    "with_user",
    "most_liked",
    "quotes",
]
EXTRA_QUERIES = ["search_feed", "latest", "geotagged"]
ATOM = "{http://www.w3.org/2005/Atom}"


def test_the_lists_are_named_as_the_issue_asks(metadata):
    assert sorted([*CANNED, *MOVED]) == sorted(ISSUE_QUERIES + EXTRA_QUERIES)
    assert set(CANNED).isdisjoint(MOVED)
    tables = set(metadata["databases"]["archive"]["tables"])
    assert tables.isdisjoint([*CANNED, *MOVED])
    # metadata.yml holds no SQL of its own: the site's queries are the site's.
    assert "queries" not in metadata["databases"]["archive"]


@pytest.mark.asyncio
async def test_datasette_serves_the_sites_canned_queries(ds):
    queries = ds.metadata("queries", database="archive")
    assert list(queries) == list(CANNED)
    assert {name: query["sql"] for name, query in queries.items()} == {
        name: query["sql"] for name, query in CANNED.items()
    }


@pytest.mark.parametrize("name", list(CANNED))
def test_every_query_has_a_title_description_parameters_and_a_limit(name):
    query = CANNED[name]
    assert query["title"] and query["description"]
    code = re.sub(r"'[^']*'", "''", query["sql"])
    named = sorted(set(re.findall(r"(?<!:):(\w+)", code)))
    assert sorted(query["params"]) == named
    assert re.search(r"^\s*limit \d+$", query["sql"], re.M)


# A list that became a reader page: (the page's address, its arguments for the query's).
READER = {
    "on_this_day": "/on-this-day",
    "threads": "/threads",
    "activity": "/timeline",
    "media_gallery": "/media",
    "most_liked": "/most-liked",
    "quotes": "/quotes",
}


async def rows(ds, name, **params):
    query = urllib.parse.urlencode({**params, "_shape": "array"})
    if name not in READER:
        return await get_json(ds, f"/archive/{name}.json?{query}")
    # The query's former address leads to the reader page's rows (every row, as the query
    # returned them)...
    response = await ds.client.get(f"/archive/{name}.json?{query}")
    assert response.status_code == 302
    old = await get_json(ds, response.headers["location"])
    assert response.headers["location"].startswith(READER[name] + ".json?")
    # ...which are the rows the page's own JSON gives, page by page.
    renamed = {MOVED[name][1].get(key, key): value for key, value in params.items()}
    found, path = (
        [],
        f"{READER[name]}.json?" + urllib.parse.urlencode({**renamed, **MOVED[name][2], "_size": 2}),
    )
    while path:
        page = await get_json(ds, path)
        found += page["rows"]
        following = urllib.parse.urlsplit(page["next_url"] or "")
        path = f"{following.path}?{following.query}" if page["next_url"] else None
    assert found == old
    return old


def tweet(name, **fields):
    return {"tweet_id": IDS[name], **fields}


@pytest.mark.asyncio
async def test_on_this_day(ds):
    expected = [
        tweet(
            "june5",
            created_at="2022-06-05T12:00:00+00:00",
            kind="tweet",
            text="Fifth of June, again. #OnThisDay",
            media_count=0,
        ),
        tweet(
            "june5_old",
            created_at="2021-06-05T08:00:00+00:00",
            kind="tweet",
            text="Fifth of June in 2021",
            media_count=0,
        ),
    ]
    assert await rows(ds, "on_this_day", day="06-05") == expected
    assert await rows(ds, "on_this_day", day="2019-06-05") == expected
    assert await rows(ds, "on_this_day", day="6-5") == expected
    # No such day: nothing posted then, said as the page says it.
    for day in ("02-30", "nonsense"):
        assert (await ds.client.get(f"/on-this-day.json?date={day}")).status_code == 404
    assert isinstance(await rows(ds, "on_this_day"), list)


@pytest.mark.asyncio
async def test_threads(ds):
    assert await rows(ds, "threads") == [
        tweet(
            "t1",
            tweets=4,
            first_at="2021-04-01T10:00:00+00:00",
            last_at="2021-04-01T11:00:00+00:00",
            text="A thread about archives 🧵 1/3",
            media_count=0,
        )
    ]
    assert await rows(ds, "threads", min_tweets="5") == []


@pytest.mark.asyncio
async def test_conversation_from_any_tweet_of_it(ds):
    def row(name, depth, created_at, text, media_count=0):
        return tweet(
            name,
            depth=depth,
            created_at=created_at,
            screen_name="site_owner",
            text=text,
            media_count=media_count,
        )

    expected = [
        row("t1", 0, "2021-04-01T10:00:00+00:00", "A thread about archives 🧵 1/3"),
        row("t2", 1, "2021-04-01T10:01:00+00:00", "2/3 the middle part"),
        row("t3", 2, "2021-04-01T10:02:00+00:00", "3/3 and the end, with a photo", 1),
        row("t_branch", 1, "2021-04-01T11:00:00+00:00", "Another reply to the first tweet"),
    ]
    for start in ("t1", "t3", "t_branch"):
        assert await rows(ds, "conversation", id=str(IDS[start])) == expected
    assert await rows(ds, "conversation", id="") == []
    assert await rows(ds, "conversation", id="not a number") == []


@pytest.mark.asyncio
async def test_top_mentions_hashtags_domains(ds):
    assert await rows(ds, "top_mentions") == [
        {
            "screen_name": "friend_b",
            "name": None,
            "tweets": 3,
            "first": "2021-03-10T09:00:00+00:00",
            "last": "2021-04-02T09:00:00+00:00",
        },
        {
            "screen_name": "fri",
            "name": None,
            "tweets": 1,
            "first": "2021-03-02T09:30:00+00:00",
            "last": "2021-03-02T09:30:00+00:00",
        },
    ]
    assert [r["screen_name"] for r in await rows(ds, "top_mentions", since="2021-04")] == [
        "friend_b"
    ]
    assert [(r["tag"], r["tweets"]) for r in await rows(ds, "top_hashtags")] == [
        ("Hostile", 2),
        ("OnThisDay", 1),
        ("sunset", 1),
        ("東京", 1),
    ]
    assert [r["tag"] for r in await rows(ds, "top_hashtags", until="2021-03-05")] == [
        "Hostile",
        "sunset",
    ]
    # the zero-width space hidden in one link's host does not make a domain of its own
    assert [(r["domain"], r["links"]) for r in await rows(ds, "top_domains")] == [
        ("example.com", 2),
        ("twitter.com", 2),
        ("en.wikipedia.org", 1),
    ]


@pytest.mark.asyncio
async def test_activity(ds):
    assert await rows(ds, "activity", since="2021", until="2021-04") == [
        {
            "month": "2021-03",
            "tweets": 13,
            "replies": 1,
            "retweets": 1,
            "quotes": 2,
            "with_media": 4,
        },
        {
            "month": "2021-04",
            "tweets": 5,
            "replies": 4,
            "retweets": 0,
            "quotes": 0,
            "with_media": 1,
        },
    ]
    assert [r["month"] for r in await rows(ds, "activity")] == [
        "2020-05",
        "2021-03",
        "2021-04",
        "2021-06",
        "2022-06",
    ]


@pytest.mark.asyncio
async def test_media_gallery(ds):
    assert await rows(ds, "media_gallery", type="photo") == [
        {
            "tweet_id": IDS["t3"],
            "position": 0,
            "type": "photo",
            "path": f"media/{IDS['t3']}-ThReAdPhOtO1234.png",
            "filename": f"{IDS['t3']}-ThReAdPhOtO1234.png",
            "url": None,
            "width": 6,
            "height": 8,
            "alt_text": None,
            "created_at": "2021-04-01T10:02:00+00:00",
        },
        {
            "tweet_id": IDS["photo"],
            "position": 0,
            "type": "photo",
            "path": f"media/{IDS['photo']}-AbCdEfGhIjKlMnO.png",
            "filename": f"{IDS['photo']}-AbCdEfGhIjKlMnO.png",
            "url": None,
            "width": 8,
            "height": 6,
            "alt_text": None,
            "created_at": "2021-03-03T18:45:00+00:00",
        },
    ]
    everything = await rows(ds, "media_gallery")
    assert [(r["tweet_id"], r["type"], r["path"] is None) for r in everything] == [
        (IDS["t3"], "photo", False),
        (IDS["gif"], "animated_gif", False),
        (IDS["video"], "video", False),
        (IDS["missing"], "video", True),
        (IDS["photo"], "photo", False),
    ]


@pytest.mark.asyncio
async def test_with_user(ds):
    expected = [
        tweet(
            "t_other",
            created_at="2021-04-02T09:00:00+00:00",
            relation="reply to them",
            text="@friend_b Replying to a tweet that is not here",
            media_count=0,
        ),
        tweet(
            "reply_friend",
            created_at="2021-03-11T09:00:00+00:00",
            relation="reply to them",
            text="@friend_b thanks for the link!",
            media_count=0,
        ),
        tweet(
            "retweet",
            created_at="2021-03-10T09:00:00+00:00",
            relation="retweet of them",
            text="RT @friend_b: Great post about <b>tags</b> & things #Hostile",
            media_count=0,
        ),
    ]
    assert await rows(ds, "with_user", screen_name="friend_b") == expected
    assert await rows(ds, "with_user", screen_name=" @Friend_B ") == expected
    assert await rows(ds, "with_user", screen_name="nobody") == []
    assert await rows(ds, "with_user", screen_name="") == []


@pytest.mark.asyncio
async def test_most_liked(ds):
    assert await rows(ds, "most_liked", since="2020-05-02") == [
        tweet(
            "popular",
            created_at="2020-05-04T12:00:00+00:00",
            likes=1000,
            retweets=1,
            text="The most liked tweet in this archive",
            media_count=0,
        ),
        tweet(
            "geo_paris",
            created_at="2020-05-02T09:30:00+00:00",
            likes=7,
            retweets=1,
            text="Café au lait près de la tour",
            media_count=0,
        ),
        tweet(
            "geo_tokyo",
            created_at="2020-05-03T12:00:00+00:00",
            likes=3,
            retweets=1,
            text="渋谷のスクランブル交差点",
            media_count=0,
        ),
    ]
    assert [r["likes"] for r in await rows(ds, "most_liked")] == [1000, 42, 7, 3]


@pytest.mark.asyncio
async def test_quotes(ds):
    assert await rows(ds, "quotes") == [
        tweet(
            "quote_missing",
            created_at="2021-03-09T11:00:00+00:00",
            text="Look at this https://twitter.com/someone_else/status/1234567890123",
            quoted_id=1234567890123,
            quoted_screen_name=None,
            quoted_text=None,
        ),
        tweet(
            "quote",
            created_at="2021-03-09T10:00:00+00:00",
            text=f"So true https://twitter.com/site_owner/status/{IDS['english']}",
            quoted_id=IDS["english"],
            quoted_screen_name="site_owner",
            quoted_text=(
                'I was running after the quick brown fox, "the best" day. '
                "See https://en.wikipedia.org/wiki/Fox_(disambiguation)."
            ),
        ),
    ]


@pytest.mark.asyncio
async def test_geotagged(ds):
    assert await rows(ds, "geotagged", until="2020-05-02") == [
        tweet(
            "geo_paris",
            created_at="2020-05-02T09:30:00+00:00",
            latitude=48.8584,
            longitude=2.2945,
            text="Café au lait près de la tour",
            popup='{"title":"@site_owner · 2 May 2020","description":"Café au lait près de la '
            f'tour","link":"tweets/{IDS["geo_paris"]}","image":null,"alt":null}}',
        ),
        tweet(
            "geo_sf",
            created_at="2020-05-01T17:00:00+00:00",
            latitude=37.8199,
            longitude=-122.4783,
            text="Golden Gate at <dusk> & fog",
            popup='{"title":"@site_owner · 1 May 2020","description":"Golden Gate at <dusk> & '
            f'fog","link":"tweets/{IDS["geo_sf"]}","image":null,"alt":null}}',
        ),
    ]


@pytest.mark.asyncio
async def test_geotagged_page_loads_the_cluster_map(ds):
    response = await ds.client.get("/archive/geotagged")
    assert response.status_code == 200
    assert (
        '<script type="module" src="/-/static-plugins/datasette-cluster-map/'
        "datasette-cluster-map.js?v="
    ) in response.text


def feed_entries(text):
    root = ET.fromstring(text)
    return root.find(f"{ATOM}title").text, [
        (entry.find(f"{ATOM}title").text, entry.find(f"{ATOM}id").text)
        for entry in root.findall(f"{ATOM}entry")
    ]


@pytest.mark.asyncio
async def test_latest_tweets_feed(ds):
    response = await ds.client.get("/archive/latest.atom?kind=reply")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/xml; charset=utf-8"
    title, entries = feed_entries(response.text)
    assert title == "Latest tweets"
    assert entries == [
        (f"@site_owner: {text}", f"https://twitter.com/site_owner/status/{IDS[name]}")
        for name, text in [
            ("t_other", "@friend_b Replying to a tweet that is not here"),
            ("t_branch", "Another reply to the first tweet"),
            ("t3", "3/3 and the end, with a photo"),
            ("t2", "2/3 the middle part"),
            ("reply_friend", "@friend_b thanks for the link!"),
        ]
    ]
    response = await ds.client.get("/archive/latest.atom?kind=nonsense")
    assert feed_entries(response.text)[1] == [
        ("No tweets", "urn:tweet-archive:empty"),
    ]


@pytest.mark.asyncio
async def test_search_feed_escapes_tweet_text(ds):
    response = await ds.client.get("/archive/search_feed.atom?q=script")
    assert response.status_code == 200
    assert feed_entries(response.text) == (
        "Tweets matching a search",
        [
            (
                "@site_owner: <script>alert(1)</script> hello #Hostile world",
                f"https://twitter.com/site_owner/status/{IDS['script']}",
            )
        ],
    )
    assert "<script>" not in response.text
    response = await ds.client.get("/archive/search_feed.atom?q=nothingmatchesthis")
    assert feed_entries(response.text)[1] == [
        ("No tweet matches this search", "urn:tweet-archive:no-match")
    ]


@pytest.mark.asyncio
async def test_geotagged_page_hides_the_maps_popup_column(ds):
    response = await ds.client.get("/archive/geotagged?until=2020-05-02")
    assert response.status_code == 200
    assert '<link rel="stylesheet" href="/static/map.css?v=' in response.text
    assert '{"title"' not in response.text
    assert (
        f'<a href="/archive/tweets/{IDS["geo_paris"]}">@site_owner · 2 May 2020</a>'
        in response.text
    )
