"""The located_tweets view (etl/schema.py) and the maps drawn from it: datasette-cluster-map
reads its `popup` column itself (no patched fetch), escapes what it shows, and the tiles come
from metadata.yml's `datasette-cluster-map` settings, which the page policy allows."""

import copy
import json
import shutil
import sqlite3

import pytest
import sqlite_utils

from etl import schema
from tests.helpers.browser import CHROMIUM
from tests.helpers.paths import IDS
from tests.helpers.site import get_json, make_datasette, served

HOSTILE = '<img src=x onerror="alert(1)"></p><script>alert(2)</script> & "quotes"'
OWNER = 7


def add_tweet(db, tweet_id, created_at, text, **columns):
    db["tweets"].insert(
        {
            "id": tweet_id,
            "id_str": str(tweet_id),
            "created_at": created_at,
            "kind": "tweet",
            "text": text,
            "user_id": OWNER,
            "is_retweet": 0,
            "is_latest_version": 1,
            **columns,
        }
    )


@pytest.fixture
def view_db():
    db = sqlite_utils.Database(memory=True)
    schema.create_tables(db)
    db["users"].insert({"id": OWNER, "screen_name": "owner", "name": "Owner", "is_owner": 1})
    here = {"latitude": 48.8584, "longitude": 2.2945}
    add_tweet(db, 1, "2020-05-02T09:30:00+00:00", HOSTILE, place_name="Paris", **here)
    add_tweet(db, 2, "2021-01-09T10:00:00+00:00", "A first version", **here, edit_initial_id=2)
    db.execute("update tweets set is_latest_version = 0 where id = 2")
    add_tweet(db, 3, "2021-01-09T10:05:00+00:00", "The edit", **here, edit_initial_id=2)
    add_tweet(db, 4, "2022-12-31T23:59:59+00:00", "word " * 100, **here)
    add_tweet(db, 5, "2022-06-05T12:00:00+00:00", "Nowhere in particular")
    add_tweet(db, 6, "2022-06-06T12:00:00+00:00", "Only a latitude", latitude=1.0)
    for position, (kind, path, alt) in enumerate(
        [
            ("video", "media/1-v.mp4", None),
            ("photo", None, "A photo not in the archive"),
            ("photo", "media/1-p.jpg", 'Sunset <b>"over"</b> the river'),
            ("photo", "media/1-q.jpg", "A later photo"),
        ]
    ):
        db["media"].insert(
            {"tweet_id": 1, "position": position, "type": kind, "path": path, "alt_text": alt}
        )
    schema.create_views(db)
    return db


def popups(db):
    return {
        row["id"]: json.loads(row["popup"])
        for row in db.query("select id, popup from located_tweets order by id")
    }


def test_popups_hold_what_cluster_map_shows(view_db):
    assert popups(view_db) == {
        1: {
            "title": "@owner · 2 May 2020",
            "description": HOSTILE,  # as written: cluster-map escapes it (test below)
            "link": "tweets/1",
            "image": "../-/media/1/2",  # the first photo whose file is in the archive
            "alt": 'Sunset <b>"over"</b> the river',
        },
        3: {
            "title": "@owner · 9 Jan 2021",
            "description": "The edit",
            "link": "tweets/3",
            "image": None,
            "alt": None,
        },
        4: {
            "title": "@owner · 31 Dec 2022",
            "description": ("word " * 56).strip() + "…",
            "link": "tweets/4",
            "image": None,
            "alt": None,
        },
    }
    assert len(popups(view_db)[4]["description"]) <= schema.POPUP_TEXT


def test_located_tweets_are_latest_versions_with_both_coordinates(view_db):
    assert list(
        view_db.query("select id, latitude, longitude, place_name from located_tweets")
    ) == [
        {"id": 1, "latitude": 48.8584, "longitude": 2.2945, "place_name": "Paris"},
        {"id": 3, "latitude": 48.8584, "longitude": 2.2945, "place_name": None},
        {"id": 4, "latitude": 48.8584, "longitude": 2.2945, "place_name": None},
    ]


def test_latest_tweets_leave_out_superseded_versions(view_db):
    assert [row["tweet_id"] for row in view_db.query("select tweet_id from latest_tweets")] == [
        1,
        3,
        4,
        5,
        6,
    ]
    assert view_db.execute("select screen_name from latest_tweets limit 1").fetchone() == ("owner",)


def test_views_use_no_plugin_function(view_db, tmp_path):
    """Views answer in any SQLite client, without the site's plugins."""
    path = tmp_path / "plain.db"
    view_db.execute(f"vacuum into '{path}'")
    with sqlite3.connect(path) as conn:
        for name in schema.VIEWS:
            conn.execute(f"select * from [{name}]").fetchall()
    conn.close()


@pytest.mark.asyncio
async def test_the_view_through_datasette(ds):
    rows = await get_json(ds, "/archive/located_tweets.json?_shape=array&_sort=created_at")
    assert [(row["id"], json.loads(row["popup"])["title"]) for row in rows] == [
        (IDS["geo_sf"], "@site_owner · 1 May 2020"),
        (IDS["geo_paris"], "@site_owner · 2 May 2020"),
        (IDS["geo_tokyo"], "@site_owner · 3 May 2020"),
    ]
    assert json.loads(rows[0]["popup"])["description"] == "Golden Gate at <dusk> & fog"


@pytest.mark.asyncio
@pytest.mark.parametrize("path", ["/archive/located_tweets", "/archive/geotagged"])
async def test_map_pages_use_cluster_maps_own_popups(ds, path):
    response = await ds.client.get(path)
    assert response.status_code == 200
    page = response.text
    assert "/-/static-plugins/datasette-cluster-map/datasette-cluster-map.js" in page
    assert "window.fetch" not in page
    assert '<link rel="stylesheet" href="/static/map.css?v=' in page
    assert (
        'window.DATASETTE_CLUSTER_MAP_TILE_LAYER = "https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png";'
        in page
    )
    assert "https://*.tile.openstreetmap.org" in response.headers["content-security-policy"]


@pytest.mark.asyncio
async def test_the_tweets_table_links_to_the_map(ds):
    page = (await ds.client.get("/archive/tweets")).text
    assert "datasette-cluster-map.js" not in page
    assert '<a href="/archive/located_tweets">Located tweets on a map</a>' in page


@pytest.mark.asyncio
async def test_no_map_link_without_located_tweets(fixture_db, metadata):
    ds = make_datasette(fixture_db, metadata)  # Markdown: no locations
    page = (await ds.client.get("/archive/tweets")).text
    assert "Located tweets on a map" not in page


@pytest.mark.asyncio
async def test_configured_tiles_reach_every_map_and_the_policy(site_db, metadata):
    metadata = copy.deepcopy(metadata)
    metadata["plugins"]["datasette-cluster-map"] = {
        "tile_layer": "https://tiles.example.net/{z}/{x}/{y}.png",
        "tile_layer_options": {"maxZoom": 17, "attribution": "Example tiles"},
    }
    ds = make_datasette(site_db, metadata)
    located = await ds.client.get("/archive/located_tweets")
    tweet = await ds.client.get(f"/archive/tweets/{IDS['geo_tokyo']}")
    for response in (located, tweet):
        assert "https://tiles.example.net/{z}/{x}/{y}.png" in response.text
        assert "Example tiles" in response.text
        assert "openstreetmap" not in response.text
        policy = response.headers["content-security-policy"]
        assert "img-src 'self' data: blob: https://tiles.example.net;" in policy


@pytest.mark.asyncio
async def test_tiles_set_for_the_archive_database_are_allowed_too(site_db, metadata):
    metadata = copy.deepcopy(metadata)
    metadata["databases"]["archive"]["plugins"] = {
        "datasette-cluster-map": {"tile_layer": "https://{s}.tiles.example.org/{z}/{x}/{y}.png"}
    }
    ds = make_datasette(site_db, metadata)
    response = await ds.client.get("/archive/located_tweets")
    assert "https://{s}.tiles.example.org/{z}/{x}/{y}.png" in response.text
    policy = response.headers["content-security-policy"]
    assert "https://*.tiles.example.org" in policy


# In a browser: hostile text stays text, and the map pages log no error (tiles answered 204).
# (Kept last: the module's Playwright loop would stop async tests after it from running.)

pytestmark_browser = pytest.mark.skipif(not CHROMIUM.exists(), reason="no chromium")


@pytest.fixture(scope="module")
def hostile_server(site_db, tmp_path_factory):
    db_path = tmp_path_factory.mktemp("located") / "archive.db"
    shutil.copy(site_db, db_path)
    with sqlite3.connect(db_path) as conn:
        conn.execute("update tweets set text = ? where id = ?", [HOSTILE, IDS["geo_sf"]])
    conn.close()
    with served(db_path) as base:
        yield base


@pytestmark_browser
@pytest.mark.parametrize("path", ["/archive/located_tweets", "/archive/geotagged"])
@pytest.mark.parametrize("size", [(390, 844), (1280, 900)])
def test_map_in_a_browser_escapes_popups(browser, hostile_server, path, size):
    from tests.helpers.browser import SCREENSHOTS, Visit

    visit = Visit(browser, hostile_server)
    try:
        page = visit.page
        page.set_viewport_size({"width": size[0], "height": size[1]})
        page = visit.open(path)
        markers = page.locator(".leaflet-marker-icon")
        markers.first.wait_for()
        assert markers.count() == 3
        texts, links = [], []
        for index in range(3):
            page.evaluate(
                "i => document.querySelectorAll('.leaflet-marker-icon')[i].click()", index
            )
            popup = page.locator(".leaflet-popup-content")
            popup.wait_for()
            texts.append(popup.inner_text())
            assert popup.locator("img, script").count() == 0
            links.append(popup.locator("a").get_attribute("href"))
            assert links[-1].startswith("tweets/")
            # Closed by a click event on the button itself, not a pointer click at its place:
            # on a narrow map the popup's autoPan moves it for 250 ms after it opens, and
            # Playwright's stable check can pass mid-pan, so a mouse press could start on
            # the button and end on the popup, whose click then never reaches the button.
            page.locator(".leaflet-popup-close-button").dispatch_event("click")
            page.wait_for_function("() => !document.querySelector('.leaflet-popup-content')")
        assert len(set(links)) == 3, links  # each marker's own popup, not one of them again
        assert any(HOSTILE.split("</p>")[0] in text for text in texts), texts
        assert page.locator("th.col-popup").is_hidden()
        overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        name = path.rsplit("/", 1)[1]
        page.screenshot(path=str(SCREENSHOTS / f"map-{name}-{size[0]}.png"), full_page=True)
    finally:
        visit.close()
