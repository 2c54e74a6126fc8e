"""Home page, tweet and user pages, facets, metadata, maps and charts (tweet_site/)."""

import re
from collections import Counter

import pytest
import sqlite_utils
from datasette.app import Datasette
from datasette.database import Database

from tests.helpers.paths import IDS
from tests.helpers.private import documented_tables
from tests.helpers.site import get_json, make_datasette
from tweet_site import plugin
from tweet_site.hooks import render_tweets

QUERY_LINKS = [
    "search",
    "on_this_day",
    "threads",
    "conversation",
    "with_user",
    "most_liked",
    "quotes",
    "media_gallery",
    "geotagged",
    "top_mentions",
    "top_hashtags",
    "top_domains",
    "activity",
]


def tweet_ids(html):
    return [int(i) for i in re.findall(r'data-tweet-id="(\d+)"', html)]


def test_every_table_column_and_facet_in_metadata_exists(site_db, metadata):
    db = sqlite_utils.Database(site_db)
    tables = documented_tables(metadata["databases"]["archive"]["tables"], db.table_names())
    for table, config in tables.items():
        assert db[table].exists(), table
        assert set(config.get("columns", {})) <= set(db[table].columns_dict), table
        for facet in config.get("facets", []):
            column = facet if isinstance(facet, str) else None
            assert column is None or column in db[table].columns_dict, (table, facet)
        for key in ("sort", "sort_desc", "label_column"):
            if key in config:
                assert config[key] in db[table].columns_dict, (table, key)


def test_every_public_table_is_in_metadata_with_every_column_described(site_db, metadata):
    db = sqlite_utils.Database(site_db)
    tables = documented_tables(metadata["databases"]["archive"]["tables"], db.table_names())
    hidden = {t for t in db.table_names() if t.startswith(("tweets_fts", "tweets_trigram"))}
    public = (set(db.table_names()) | set(db.view_names())) - hidden - {"sqlite_stat1"}
    assert public == set(tables)
    obvious = {"tweet_id", "user_id", "id", "source_id"}
    for table in public:
        described = set(tables[table].get("columns", {}))
        assert set(db[table].columns_dict) - described - obvious == set(), table


@pytest.mark.asyncio
async def test_home_page(ds):
    response = await ds.client.get("/")
    assert response.status_code == 200
    page = response.text
    assert "<title>@site_owner — tweet archive</title>" in page
    assert "<h1>@site_owner — tweet archive</h1>" in page
    assert (
        "24 tweets, replies and retweets by @site_owner (Site Owner), May 2020 to June 2022."
    ) in page
    assert (
        'from <time datetime="2020-05-01T17:00:00+00:00">Fri 1 May 2020, 17:00 UTC</time>' in page
    )
    assert '<form class="home-search" action="/search" method="get" role="search">' in page
    counts = re.findall(r'<a href="([^"]+)"><strong>([\d,]+)</strong> ([\w &;]+)</a>', page)
    assert counts == [
        ("/timeline", "24", "in all"),
        ("/timeline?kind=tweet", "16", "tweets"),
        ("/timeline?kind=reply", "5", "replies"),
        ("/timeline?kind=retweet", "1", "retweet"),
        ("/quotes", "2", "quotes"),
        ("/media", "4", "photos &amp; videos"),
        ("/archive/geotagged", "3", "places"),
        ("/stats", "2", "accounts"),
        ("/stats", "4", "hashtags"),
    ]
    explore = page[page.index('<section class="home-queries">') :]
    links = re.findall(r'<li><a href="([^"]+)">', explore)
    assert links == [
        "/timeline",
        "/on-this-day",
        "/most-liked",
        "/media",
        "/quotes",
        "/threads",
        "/stats",
        "/archive/geotagged",
        "/archive/latest.atom",
        "/archive",
    ]
    # The charts, drawn by the page (tests/site/test_home_speed.py has them in detail).
    months = re.findall(r"<title>(\w+ \d{4}): (\d+) tweets?</title>", page)
    assert months == [
        ("May 2020", "4"),
        ("Mar 2021", "13"),
        ("Apr 2021", "5"),
        ("Jun 2021", "1"),
        ("Jun 2022", "1"),
    ]
    hours = re.findall(r'title="(\w+) (\d\d):00–\d\d:59: (\d+) tweets?"', page)
    assert sum(int(n) for _, _, n in hours) == 24
    assert hours[0] == ("Mon", "10", "1")
    for asset in re.findall(r'<script src="([^"]+)"></script>', page):
        assert (await ds.client.get(asset)).status_code == 200, asset
    assert (await ds.client.get("/static/archive.css")).status_code == 200


@pytest.mark.asyncio
async def test_home_page_without_an_archive_database(metadata, tmp_path):
    other = tmp_path / "other.db"
    sqlite_utils.Database(other)["things"].insert({"id": 1})
    ds = make_datasette(other, metadata)
    response = await ds.client.get("/")
    assert response.status_code == 200
    assert '<a href="/other">other</a>' in response.text
    assert (await ds.client.get("/-/media/1/0")).status_code == 404
    assert (await ds.client.get("/-/user/anyone")).status_code == 404


@pytest.mark.asyncio
async def test_tweet_page_shows_the_thread_around_it(ds):
    response = await ds.client.get(f"/archive/tweets/{IDS['t2']}")
    assert response.status_code == 200
    page = response.text
    assert tweet_ids(page) == [IDS["t1"], IDS["t2"], IDS["t3"]]
    assert '<article class="tweet tweet-main"' in page
    assert "<title>@site_owner: 2/3 the middle part</title>" in page
    assert f'href="https://twitter.com/site_owner/status/{IDS["t2"]}"' in page
    assert f'<a href="/conversation/{IDS["t2"]}">Whole conversation</a>' in page
    assert f'<img src="/-/media/{IDS["t3"]}/0"' in page
    assert '<time datetime="2021-04-01T10:01:00+00:00">Thu 1 Apr 2021, 10:01 UTC</time>' in page

    root = await ds.client.get(f"/archive/tweets/{IDS['t1']}")
    assert tweet_ids(root.text) == [IDS["t1"], IDS["t2"], IDS["t3"], IDS["t_branch"]]


@pytest.mark.asyncio
async def test_tweet_page_for_a_reply_to_a_missing_tweet(ds):
    response = await ds.client.get(f"/archive/tweets/{IDS['t_other']}")
    assert (
        '<p class="thread-note">In reply to @friend_b\'s tweet, which is not in this archive: '
        '<a href="https://twitter.com/friend_b/status/1370000000000000000" '
        'rel="nofollow noopener noreferrer">see it on twitter.com</a></p>'
    ) in response.text.replace("&#39;", "'")


@pytest.mark.asyncio
async def test_tweet_page_embeds_the_quoted_tweet(ds):
    response = await ds.client.get(f"/archive/tweets/{IDS['quote']}")
    assert tweet_ids(response.text) == [IDS["quote"], IDS["english"]]
    assert (
        '<article class="quoted-card tweet-linked" aria-label="Quoted tweet" '
        f'data-tweet-id="{IDS["english"]}">'
    ) in response.text
    quoted = await ds.client.get(f"/archive/tweets/{IDS['english']}")
    assert '<h2 class="thread-heading">Quoted by</h2>' in quoted.text
    assert tweet_ids(quoted.text) == [IDS["english"], IDS["quote"]]
    missing = await ds.client.get(f"/archive/tweets/{IDS['quote_missing']}")
    assert (
        'Quoting <a class="mention" href="/-/user/someone_else">@someone_else</a>, not in this '
        'archive: <a href="https://twitter.com/someone_else/status/1234567890123"'
    ) in missing.text


@pytest.mark.asyncio
async def test_tweet_page_of_a_located_tweet_has_a_map_and_counts(ds):
    response = await ds.client.get(f"/archive/tweets/{IDS['geo_sf']}")
    page = response.text
    assert (
        '<div class="tweet-map" id="tweet-map" data-latitude="37.8199" '
        'data-longitude="-122.4783"></div>'
    ) in page
    assert "/-/static-plugins/datasette-leaflet/leaflet-v1.7.1.js" in page
    assert '<span class="tweet-source">via Twitter for iPhone</span>' in page
    assert '<span class="tweet-count"><strong>42</strong> likes</span>' in page
    assert "Golden Gate at &lt;dusk&gt; &amp; fog" in page


@pytest.mark.asyncio
async def test_tweet_page_shows_media_and_placeholders(ds):
    page = (await ds.client.get(f"/archive/tweets/{IDS['missing']}")).text
    assert '<span class="media-missing"' in page
    page = (await ds.client.get(f"/archive/tweets/{IDS['video']}")).text
    assert (
        f'<video class="media-video" controls preload="metadata" src="/-/media/{IDS["video"]}/0">'
        in page
    )


@pytest.mark.asyncio
async def test_missing_tweet_is_a_404(ds):
    assert (await ds.client.get("/archive/tweets/1")).status_code == 404
    assert (await ds.client.get("/archive/tweets/abc")).status_code == 404


@pytest.mark.asyncio
async def test_a_missing_page_offers_a_way_back(ds):
    response = await ds.client.get("/archive/tweets/1")
    assert response.status_code == 404
    html = response.text
    assert "<title>Page not found</title>" in html
    assert "<h1>Page not found</h1>" in html
    assert '<form class="home-search" action="/search" method="get" role="search">' in html
    assert '<a href="/">Home</a>' in html
    assert '<a href="/timeline">Every tweet, by year and month</a>' in html
    assert '<link rel="stylesheet" href="/static/archive.css?v=' in html  # the site's own look
    # What the visitor typed is never markup on the page.
    hostile = await ds.client.get("/archive/tweets/~3Cscript~3Ealert(1)~3C~2Fscript~3E")
    assert hostile.status_code == 404
    assert "<script>alert(1)" not in hostile.text


@pytest.mark.asyncio
async def test_the_home_page_names_the_license_once(ds):
    html = (await ds.client.get("/")).text
    assert html.count("Data license") == 1
    assert html.count("Tweets © their authors") == 1


@pytest.mark.asyncio
async def test_a_tweets_text_carries_its_language(ds):
    """Japanese text marked lang="ja" is drawn with Japanese glyph forms, not Chinese ones."""
    html = (await ds.client.get(f"/archive/tweets/{IDS['geo_tokyo']}")).text
    assert '<div class="tweet-text" dir="auto" lang="ja">渋谷のスクランブル交差点' in html
    table = (await ds.client.get(f"/archive/tweets?id={IDS['geo_tokyo']}")).text
    assert 'dir="auto" lang="ja">渋谷' in table


def test_only_real_language_tags_become_attributes():
    tags = ["ja", "en", "zh-cn", "und", "qme", "zxx", None, "", '"><script>', "e n", 7]
    assert [str(render_tweets.lang_attribute(tag)) for tag in tags] == [
        ' lang="ja"',
        ' lang="en"',
        ' lang="zh-cn"',
        *[""] * 8,
    ]


@pytest.mark.asyncio
async def test_user_page_lists_everything_exchanged(ds):
    user = await get_json(ds, "/archive/users.json?screen_name=friend_b&_shape=array")
    response = await ds.client.get(f"/archive/users/{user[0]['id']}")
    assert response.status_code == 200
    page = response.text
    assert re.findall(r"<li><strong>(\d+)</strong> ([\w @]+)</li>", page) == [
        ("0", "tweets by @friend_b"),
        ("2", "replies to @friend_b"),
        ("3", "tweets mentioning @friend_b"),
        ("1", "retweet of @friend_b"),
    ]
    assert tweet_ids(page) == [IDS["t_other"], IDS["reply_friend"], IDS["retweet"]]
    assert 'href="/archive/with_user?screen_name=friend_b"' in page


@pytest.mark.asyncio
async def test_owner_page_lists_the_latest_tweets(ds):
    page = (await ds.client.get("/archive/users/4242424242")).text
    assert '<span class="owner-badge">archive owner</span>' in page
    # 24 cards; a quote's card holds the tweet it quotes too.
    cards = re.findall(r'<article class="tweet[^"]*" data-tweet-id="(\d+)"', page)
    assert len(cards) == 24
    assert tweet_ids(page)[0] == IDS["june5"]


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "name,location",
    [
        ("friend_b", "/archive/users/-8746268020240202118"),
        ("FRIEND_B", "/archive/users/-8746268020240202118"),
        ("@site_owner", "/archive/users/4242424242"),
    ],
)
async def test_mention_links_lead_to_the_user_page(ds, name, location):
    response = await ds.client.get(f"/-/user/{name}")
    assert response.status_code == 302
    assert response.headers["location"] == location


@pytest.mark.asyncio
@pytest.mark.parametrize("path", ["/-/user/a/b", "/-/user/%3Cscript%3E", "/-/user/"])
async def test_user_route_rejects_other_names(ds, path):
    assert (await ds.client.get(path, follow_redirects=True)).status_code == 404


@pytest.mark.asyncio
async def test_unfiltered_facets_come_from_the_summary_table(ds):
    data = await get_json(ds, "/archive/tweets.json?_size=1")
    facets = {
        name: [(v["label"], v["count"]) for v in facet["results"]]
        for name, facet in data["facet_results"].items()
    }
    assert facets == {
        "year": [("2022", 1), ("2021", 19), ("2020", 4)],
        "month": [("2022-06", 1), ("2021-06", 1), ("2021-04", 5), ("2021-03", 13), ("2020-05", 4)],
        "kind": [("tweet", 16), ("reply", 5), ("quote", 2), ("retweet", 1)],
        "source": [("Twitter Web App", 2), ("Twitter for Android", 1), ("Twitter for iPhone", 1)],
        "lang": [("en", 2), ("fr", 1), ("ja", 1)],
        "has_media": [("with media", 5), ("without media", 19)],
    }
    assert data["facet_results"]["year"]["results"][0]["toggle_url"] == (
        "http://localhost/archive/tweets.json?_size=1&created_at__gte=2022&created_at__lt=2023"
    )


@pytest.mark.asyncio
async def test_facets_of_a_filtered_table_are_counted_and_toggle(ds):
    data = await get_json(
        ds,
        "/archive/tweets.json?_size=1&created_at__gte=2021&created_at__lt=2022&media_count__gt=0",
    )
    results = data["facet_results"]
    assert [(v["value"], v["count"], v["selected"]) for v in results["year"]["results"]] == [
        ("2021", 5, True)
    ]
    assert results["year"]["results"][0]["toggle_url"] == (
        "http://localhost/archive/tweets.json?_size=1&media_count__gt=0"
    )
    assert [(v["label"], v["selected"]) for v in results["has_media"]["results"]] == [
        ("with media", True)
    ]
    assert [(v["value"], v["count"]) for v in results["month"]["results"]] == [
        ("2021-04", 1),
        ("2021-03", 4),
    ]
    assert "lang" not in results


@pytest.mark.asyncio
async def test_a_page_of_tweets_with_media_looks_media_up_once(ds, monkeypatch):
    lookups = []
    execute = Database.execute

    async def recording(self, sql, *args, **kwargs):
        if "from media" in sql:
            lookups.append(sql)
        return await execute(self, sql, *args, **kwargs)

    monkeypatch.setattr(Database, "execute", recording)
    page = (await ds.client.get("/archive/tweets?media_count__gt=0&_sort_desc=id")).text
    assert page.count('class="tweet-media media-') == 5
    assert len(lookups) == 1


@pytest.mark.asyncio
async def test_facets_of_a_filtered_table_read_its_rows_once(ds, monkeypatch):
    # Six scans of a year of a million tweets were most of the page's time under load.
    counted = []
    execute = Datasette.execute

    async def recording(self, db_name, sql, *args, **kwargs):
        if "count(*) as count" in sql:
            counted.append(sql)
        return await execute(self, db_name, sql, *args, **kwargs)

    monkeypatch.setattr(Datasette, "execute", recording)
    data = await get_json(ds, "/archive/tweets.json?_size=1&created_at__gte=2021-03-02")
    assert sorted(data["facet_results"]) == ["has_media", "kind", "month", "year"]
    assert len(counted) == 1


FACET_VALUE_FILTERS = [
    "created_at__gte=2021&created_at__lt=2022",
    "created_at__gte=2021-06&created_at__lt=2021-07",
    "kind=reply",
    "kind=tweet&media_count__gt=0",
    "media_count=0&created_at__gte=2020&created_at__lt=2021",
    "lang=en&_sort=id&_next=0",
]


@pytest.mark.asyncio
@pytest.mark.parametrize("filters", FACET_VALUE_FILTERS)
async def test_facets_of_facet_values_come_from_the_cube_and_match_the_tweets(
    ds, monkeypatch, filters
):
    # A year or a kind of a million tweets read row by row cost 250-350 ms a page under load;
    # the counts must be exactly those of the tweets the page lists.
    queries = []
    execute = Datasette.execute

    async def recording(self, db_name, sql, *args, **kwargs):
        queries.append(sql)
        return await execute(self, db_name, sql, *args, **kwargs)

    monkeypatch.setattr(Datasette, "execute", recording)
    data = await get_json(ds, f"/archive/tweets.json?{filters}&_facet_size=max")
    assert any("from facet_cube" in sql for sql in queries)
    assert not any("facet_rows" in sql for sql in queries)
    monkeypatch.setattr(Datasette, "execute", execute)
    every = await get_json(ds, f"/archive/tweets.json?{filters}&_size=max&_shape=objects")
    rows = every["rows"]
    assert rows
    expected = {
        "year": Counter(row["created_at"][:4] for row in rows),
        "month": Counter(row["created_at"][:7] for row in rows),
        "kind": Counter(row["kind"] for row in rows),
        "has_media": Counter(str(int(row["media_count"] > 0)) for row in rows),
    }
    for name, counts in expected.items():
        shown = {v["value"]: v["count"] for v in data["facet_results"][name]["results"]}
        assert shown == dict(counts), name


@pytest.mark.asyncio
async def test_tweets_table_page_renders_with_facets(ds):
    response = await ds.client.get("/archive/tweets")
    assert response.status_code == 200
    assert re.findall(r'id="facet-(\w+)"', response.text) == [
        "month",
        "kind",
        "year",
        "source",
        "lang",
        "has_media",
    ]
    assert "datasette-cluster-map.js" not in response.text


@pytest.mark.asyncio
async def test_located_tweets_get_a_map_with_tweet_popups(ds):
    # The tweets table links to the located_tweets view, whose popup column
    # datasette-cluster-map reads itself (tests/site/test_located_view.py).
    response = await ds.client.get("/archive/tweets?latitude__notnull=1")
    assert response.status_code == 200
    assert "datasette-cluster-map.js" not in response.text
    assert '<a href="/archive/located_tweets">Located tweets on a map</a>' in response.text
    page = (await ds.client.get("/archive/located_tweets")).text
    assert (
        '<script type="module" src="/-/static-plugins/datasette-cluster-map/'
        "datasette-cluster-map.js?v="
    ) in page
    assert 'window.DATASETTE_CLUSTER_MAP_LATITUDE_COLUMN = "latitude";' in page
    assert "window.fetch" not in page


@pytest.mark.asyncio
async def test_menu_links_and_dashboard(ds):
    page = (await ds.client.get("/archive")).text
    menu = page[page.index('<div class="nav-menu-inner">') : page.index("</details>")]
    menu = re.findall(r'<li><a href="([^"]+)">([^<]+)</a></li>', menu)
    assert menu == [
        ("/search", "Search tweets"),
        ("/timeline", "Timeline"),
        ("/on-this-day", "On this day"),
        ("/most-liked", "Most liked"),
        ("/media", "Media gallery"),
        ("/quotes", "Quote tweets"),
        ("/threads", "Threads"),
        ("/stats", "Statistics"),
        ("/archive/geotagged", "Map"),
        ("/-/dashboards", "Dashboards"),
    ]
    dashboard = await ds.client.get("/-/dashboards/activity")
    assert dashboard.status_code == 200
    assert "Hour of day × weekday (the owner&#39;s time zone, else UTC)" in dashboard.text
    config = (await get_json(ds, "/-/metadata.json"))["plugins"]["datasette-dashboards"]
    for chart in config["activity"]["charts"].values():
        query = {"sql": chart["query"], "_shape": "array"}
        response = await ds.client.get("/archive.json", params=query)
        assert response.status_code == 200, chart["title"]
        assert response.json(), chart["title"]


@pytest.mark.asyncio
async def test_every_page_responds(ds):
    present = await ds.get_database("archive").table_names()
    tables = documented_tables(ds.metadata("tables", database="archive"), present)
    paths = [
        "/",
        "/archive",
        "/-/plugins.json",
        "/-/dashboards",
        *(f"/archive/{table}" for table in sorted(tables)),
        *(f"/archive/{query}" for query in QUERY_LINKS),
        "/archive/latest",
        "/archive/search_feed?q=fox",
    ]
    for path in paths:
        # (The queries that became reader pages redirect to them.)
        response = await ds.client.get(path, follow_redirects=True)
        assert response.status_code == 200, path


@pytest.mark.asyncio
async def test_plugins_are_loaded(ds):
    plugins = {p["name"]: p for p in await get_json(ds, "/-/plugins.json")}
    hooks = {f"tweet_site.hooks.{name}" for name in plugin.HOOK_MODULES}
    assert hooks | {"datasette-atom", "datasette-cluster-map", "datasette-dashboards"} <= set(
        plugins
    )
    # The package itself, whose templates/ and static/ Datasette finds beside it.
    assert (plugins["tweet_site"]["templates"], plugins["tweet_site"]["static"]) == (True, True)


@pytest.mark.asyncio
async def test_searches_on_the_table_get_no_default_facets(ds):
    data = await get_json(ds, "/archive/tweets.json?_search=hostile&kind=tweet")
    assert (data["facet_results"], [row[0] for row in data["rows"]]) == ({}, [IDS["script"]])
    data = await get_json(ds, "/archive/tweets.json?_search=hostile&_facet=kind")
    assert [(v["value"], v["count"]) for v in data["facet_results"]["kind"]["results"]] == [
        ("retweet", 1),
        ("tweet", 1),
    ]
