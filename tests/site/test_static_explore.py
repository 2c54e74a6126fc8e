"""Explorers on a static export (plugins: tweet-archive: static:, set by publish --target
static): the reader pages and the home page offer the database download and Datasette Lite
instead of Datasette's JSON, CSV and SQL pages, which a static host can't answer."""

import copy
import re

import pytest

from tests.helpers.site import make_datasette

LITE = "https://lite.datasette.io/?url="
READER = "/timeline/2021"


def with_static(metadata, **static):
    metadata = copy.deepcopy(metadata)
    metadata["plugins"]["tweet-archive"]["static"] = {
        "db_file": "archive.db",
        "db_bytes": 12_345_678,
        "site_url": None,
    } | static
    return metadata


async def get(ds, path):
    response = await ds.client.get(path)
    assert response.status_code == 200, (path, response.text[:500])
    return response.text


def explorers(page, path):
    """The reader page's explorers' paragraph, or the home page's Explore item for the data."""
    if path == "/":
        items = re.findall(r"<li>(.*?)</li>", page[page.index('class="home-queries"') :], re.S)
        return items[-1]
    return re.search(r'<p class="reader-explore muted">(.*?)</p>', page, re.S).group(1)


@pytest.mark.asyncio
@pytest.mark.parametrize("path", [READER, "/"])
async def test_a_static_site_offers_the_database_and_datasette_lite(
    site_db, metadata, path, monkeypatch
):
    monkeypatch.delenv("TWEET_ARCHIVE_MEDIA_ROOT", raising=False)
    site_url = "https://name.github.io/my repo/"
    ds = make_datasette(site_db, with_static(metadata, site_url=site_url))
    page = await get(ds, path)
    links = explorers(page, path)

    assert re.findall(r'<a [^>]*href="([^"]*)"[^>]*>([^<]*)</a>', links) == [
        ("/archive.db", "Download the database"),
        (LITE + "https%3A%2F%2Fname.github.io%2Fmy%20repo%2Farchive.db", "Explore with SQL"),
    ]
    assert "(archive.db, 12.3 MB)" in links
    # Nothing a static host can't answer, and no script: the address is known.
    assert ".json" not in links and ".csv" not in links and "/archive?" not in links
    assert "datasette-lite.js" not in page


@pytest.mark.asyncio
@pytest.mark.parametrize("path", [READER, "/"])
async def test_without_site_url_the_explore_link_waits_for_the_script(
    site_db, metadata, path, monkeypatch
):
    monkeypatch.delenv("TWEET_ARCHIVE_MEDIA_ROOT", raising=False)
    ds = make_datasette(site_db, with_static(metadata))
    page = await get(ds, path)
    links = explorers(page, path)

    assert '<a class="database-download" href="/archive.db" download>' in links
    # Hidden, with no address, until static/datasette-lite.js makes one from the download
    # link: without JavaScript there is no Explore link to follow.
    offer = re.search(r'<span class="datasette-lite-offer" hidden>(.*?)</span>', links).group(1)
    assert '<a class="datasette-lite">Explore with SQL</a>' in offer
    assert '<script src="/static/datasette-lite.js" defer></script>' in links
    script = await get(ds, "/static/datasette-lite.js")
    assert "encodeURIComponent(db.href)" in script


@pytest.mark.asyncio
async def test_a_database_too_big_for_a_browser_is_only_a_download(site_db, metadata, monkeypatch):
    monkeypatch.delenv("TWEET_ARCHIVE_MEDIA_ROOT", raising=False)
    big = with_static(metadata, db_bytes=150_000_000, site_url="https://example.org/")
    ds = make_datasette(site_db, big)
    for path in (READER, "/"):
        page = await get(ds, path)
        links = explorers(page, path)
        assert "Download the database</a> (archive.db, 150.0 MB)" in links, path
        assert "Explore with SQL" not in page and "lite.datasette.io" not in page, path


@pytest.mark.asyncio
async def test_a_served_site_keeps_json_csv_and_sql(ds):
    page = await get(ds, READER)
    links = explorers(page, READER)
    assert re.findall(r">([^<]+)</a>", links) == ["JSON", "CSV", "SQL"]
    assert "Download the database" not in page and "lite.datasette.io" not in page
    home = await get(ds, "/")
    assert explorers(home, "/").startswith('<a href="/archive">Every table, and SQL</a>')
    assert "Download the database" not in home
