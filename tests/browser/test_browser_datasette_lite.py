"""A static export published without --site-url, in Chromium: static/datasette-lite.js gives
the "Explore with SQL" link the database's absolute address under whatever prefix the folder
is served from; without JavaScript the link stays hidden. The page is the site's own reader
page, its two links made relative as the exporter makes them, served by a plain file
server under /repo/."""

import asyncio
import concurrent.futures
import copy
import shutil
import urllib.parse

import pytest

from tests.helpers.browser import CHROMIUM, file_server, offline_context
from tests.helpers.paths import ROOT
from tests.helpers.site import make_datasette

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} not installed")


@pytest.fixture(scope="module")
def static_folder(site_db, metadata, tmp_path_factory):
    metadata = copy.deepcopy(metadata)
    metadata["plugins"]["tweet-archive"]["static"] = {
        "db_file": "archive.db",
        "db_bytes": 12_345,
        "site_url": None,
    }
    ds = make_datasette(site_db, metadata)
    # In a thread of its own: Playwright's sync API keeps an event loop running in this one.
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        page = pool.submit(asyncio.run, ds.client.get("/timeline/2021")).result().text
    assert 'href="/archive.db"' in page and 'src="/static/datasette-lite.js"' in page
    page = page.replace('href="/archive.db"', 'href="../../archive.db"').replace(
        'src="/static/datasette-lite.js"', 'src="../../static/datasette-lite.js"'
    )
    root = tmp_path_factory.mktemp("static")
    folder = root / "repo"
    (folder / "timeline" / "2021").mkdir(parents=True)
    (folder / "timeline" / "2021" / "index.html").write_text(page)
    (folder / "static").mkdir()
    shutil.copy(ROOT / "tweet_site" / "static" / "datasette-lite.js", folder / "static")
    (folder / "archive.db").write_bytes(b"SQLite format 3\0")
    return root


@pytest.fixture(scope="module")
def base(static_folder):
    with file_server(static_folder) as address:
        yield address


def explore_link(browser, base, **options):
    context = offline_context(browser, base, **options)
    try:
        page = context.new_page()
        assert page.goto(base + "/repo/timeline/2021/").status == 200
        page.wait_for_load_state("networkidle")
        link = page.locator("a.datasette-lite")
        return link.is_visible(), link.get_attribute("href")
    finally:
        context.close()


def test_the_script_points_datasette_lite_at_the_database_under_the_prefix(browser, base):
    visible, href = explore_link(browser, base)
    assert visible
    assert href == "https://lite.datasette.io/?url=" + urllib.parse.quote(
        f"{base}/repo/archive.db", safe=""
    )


def test_without_javascript_there_is_no_explore_link(browser, base):
    assert explore_link(browser, base, java_script_enabled=False) == (False, None)
