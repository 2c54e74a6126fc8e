"""A light, fast home page (issue 18, item 5): its queries never read a big table through,
its charts are drawn by the page itself (no Vega on any reader page), and the site's files
come compressed and, at an address holding their hash, cached for a year."""

import gzip
import hashlib
import re
import shutil
import sqlite3

import pytest
from datasette.database import Database

from tests.helpers.paths import IDS, ROOT
from tests.helpers.site import make_datasette

STATIC = ROOT / "tweet_site" / "static"
# Tables that grow with the archive: at a million tweets, 140,000 accounts in users.
BIG_TABLES = ("users", "tweets", "mentions")
FILE_ADDRESS = re.compile(r'\s(?:href|src)="(/(?:static|-/static|-/static-plugins)/[^"]*)"')
GZIP = {"accept-encoding": "gzip"}
IDENTITY = {"accept-encoding": "identity"}


async def home_queries(ds, monkeypatch):
    """Every statement the home page runs, a first request (cold) and a second."""
    statements = []
    execute = Database.execute

    async def recorded(self, sql, params=None, *args, **kwargs):
        statements.append((sql, params))
        return await execute(self, sql, params, *args, **kwargs)

    monkeypatch.setattr(Database, "execute", recorded)
    for _ in range(2):
        assert (await ds.client.get("/")).status_code == 200
    return statements


def full_reads(db_path, statements):
    """(statement, plan line) of each read of a whole big table: a SCAN of it, unless
    through a partial index (the owners' idx_users_owners holds the owners alone)."""
    with sqlite3.connect(f"file:{db_path}?mode=ro", uri=True) as conn:
        partial = {
            name
            for name, sql in conn.execute(
                "select name, sql from sqlite_master where type = 'index'"
            )
            if sql and " where " in sql.lower()
        }
        found = []
        for sql, params in statements:
            for *_, detail in conn.execute("explain query plan " + sql, params or {}):
                scan = re.match(r"SCAN (\w+)(?: USING (?:COVERING )?INDEX (\w+))?", detail)
                if scan and scan[1] in BIG_TABLES and scan[2] not in partial:
                    found.append((" ".join(sql.split()), detail))
    return found


@pytest.mark.asyncio
async def test_home_never_reads_a_big_table_through(ds, site_db, monkeypatch):
    statements = await home_queries(ds, monkeypatch)
    assert any("from users where is_owner = 1" in sql for sql, _ in statements)
    assert full_reads(site_db, statements) == []


@pytest.mark.asyncio
async def test_without_the_owners_index_home_would_scan_users(site_db, tmp_path, monkeypatch):
    # What the build did before idx_users_owners: the check above sees the scan.
    copy = tmp_path / "archive.db"
    shutil.copy(site_db, copy)
    with sqlite3.connect(copy) as conn:
        conn.execute("drop index idx_users_owners")
    statements = await home_queries(make_datasette(copy), monkeypatch)
    scans = full_reads(copy, statements)
    # Once a request, however SQLite reads the table through (in key or screen_name order).
    assert [(sql, detail.split(" USING ")[0]) for sql, detail in scans] == [
        (
            "select id, screen_name, name from users where is_owner = 1 order by screen_name",
            "SCAN users",
        )
    ] * 2


@pytest.mark.asyncio
async def test_home_draws_its_charts_without_a_script(ds):
    page = (await ds.client.get("/")).text
    charts = page[page.index('<section class="home-charts">') : page.index("</section>")]
    bars = re.findall(r'<rect x="([\d.]+)" y="([\d.]+)" width="0.8" height="([\d.]+)">', charts)
    titles = re.findall(r"<title>([^<]+)</title>", charts)
    # May 2020 to June 2022: 26 months, five with tweets; the busiest the full height.
    assert 'viewBox="0 0 26 100"' in charts
    assert titles == [
        "May 2020: 4 tweets",
        "Mar 2021: 13 tweets",
        "Apr 2021: 5 tweets",
        "Jun 2021: 1 tweet",
        "Jun 2022: 1 tweet",
    ]
    assert bars[1] == ("10.1", "0.0", "100.0")
    assert re.findall(r'<span style="left: ([\d.]+)%">(\d+)</span>', charts) == [
        ("0.0", "2020"),
        ("30.77", "2021"),
        ("76.92", "2022"),
    ]
    assert (
        'role="img" aria-label="Bar chart of tweets per month, May 2020 to Jun 2022; the '
        'busiest, Mar 2021: 13 tweets"'
    ) in charts
    assert charts.count('<span class="hour-cell"') == 7 * 24
    assert re.findall(r'<span class="hour-day">(\w+)</span>', charts) == [
        "Mon",
        "Tue",
        "Wed",
        "Thu",
        "Fri",
        "Sat",
        "Sun",
    ]
    levels = [float(v) for v in re.findall(r'style="--level: ([\d.]+)"', charts)]
    assert max(levels) == 1.0 and 0 < min(levels)
    assert 'aria-label="Heatmap of tweets by weekday and hour; the busiest hour, ' in charts
    assert "<script" not in charts
    scripts = re.findall(r"<script\b[^>]*\bsrc=\"([^\"]+)\"", page)
    assert [s for s in scripts if "vega" in s or "chart" in s] == []
    assert "months-data" not in page and "hours-data" not in page


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/timeline",
        "/timeline/2021/03",
        "/stats",
        "/search?q=hello",
        "/media",
        f"/archive/tweets/{IDS['t3']}",
        "/archive/tweets",
        "/archive",
    ],
)
async def test_pages_without_vega_charts_load_no_vega(ds, path):
    response = await ds.client.get(path)
    assert response.status_code == 200
    assert "vega" not in response.text.lower()


@pytest.mark.asyncio
async def test_the_dashboards_still_draw_with_vega(ds):
    page = (await ds.client.get("/-/dashboards/activity")).text
    assert "vega-embed.min.js" in page
    policy = (await ds.client.get("/-/dashboards/activity")).headers["content-security-policy"]
    assert "'unsafe-eval'" in policy
    home = await ds.client.get("/")
    assert "'unsafe-eval'" not in home.headers["content-security-policy"]


@pytest.mark.asyncio
async def test_site_files_are_gzipped_when_the_client_takes_it(ds):
    css = (STATIC / "archive.css").read_bytes()
    response = await ds.client.get("/static/archive.css", headers=GZIP)
    assert response.headers["content-encoding"] == "gzip"
    assert "Accept-Encoding" in response.headers["vary"]
    assert response.content == css  # (httpx inflates it)
    assert len(gzip.compress(css)) < len(css) / 2
    plain = await ds.client.get("/static/archive.css", headers=IDENTITY)
    assert "content-encoding" not in plain.headers
    assert plain.content == css
    for path in ("/", "/timeline", "/-/static-plugins/datasette_dashboards/vega.min.js"):
        response = await ds.client.get(path, headers=GZIP)
        assert (response.status_code, response.headers.get("content-encoding")) == (200, "gzip")


@pytest.mark.asyncio
async def test_media_and_downloads_go_uncompressed(ds):
    photo = await ds.client.get(f"/-/media/{IDS['photo']}/0", headers=GZIP)
    assert (photo.status_code, photo.headers["content-type"]) == (200, "image/png")
    assert "content-encoding" not in photo.headers
    video = await ds.client.get(
        f"/-/media/{IDS['video']}/0", headers={**GZIP, "range": "bytes=4-11"}
    )
    assert video.status_code == 206 and "content-encoding" not in video.headers
    csv = await ds.client.get("/archive/tweets.csv?_dl=1", headers=GZIP)
    assert csv.status_code == 200 and "content-encoding" not in csv.headers


@pytest.mark.asyncio
async def test_pages_name_site_files_by_their_hash_and_those_are_immutable(ds):
    page = (await ds.client.get("/")).text
    addresses = FILE_ADDRESS.findall(page)
    assert "/static/archive.css" in {a.split("?")[0] for a in addresses}
    for address in addresses:
        path, _, version = address.partition("?v=")
        assert re.fullmatch(r"[0-9a-f]{16}", version), address
        response = await ds.client.get(address)
        assert response.status_code == 200, address
        assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
        assert hashlib.sha256(response.content).hexdigest()[:16] == version, address
    # Datasette's own app.css keeps one query: the hash, as the others have it.
    assert re.search(r'href="/-/static/app\.css\?v=[0-9a-f]{16}"', page)
    # An old or made-up hash, or none, is not cached for long: the file may change.
    for address in ("/static/archive.css?v=0123456789abcdef", "/static/archive.css"):
        response = await ds.client.get(address)
        assert response.headers["cache-control"] == "public, max-age=300", address
    # Pages themselves are never immutable.
    assert "immutable" not in (await ds.client.get("/")).headers.get("cache-control", "")
    assert (await ds.client.get("/static/no-such-file.css")).status_code == 404
