"""The tweet page's "Copy link" in Chromium at a phone's 390 px: static/copy-link.js makes
the permalink a button that copies the page's absolute address and says "Copied", on the
served site and in a static export served under a prefix by a plain file server; without
JavaScript it is a plain link to the tweet's page. Nothing scrolls sideways."""

import concurrent.futures
import copy

import pytest

from etl import static_site
from tests.helpers.browser import CHROMIUM, file_server, offline_context
from tests.helpers.paths import IDS
from tests.helpers.site import served, site_folder

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} not installed")

PHONE = {"viewport": {"width": 390, "height": 844}}
OVERFLOW = "document.documentElement.scrollWidth - document.documentElement.clientWidth"
# A photo, a long link and a long thread foot: the widest tweet feet of the fixture.
TWEETS = [IDS["photo"], IDS["english"], IDS["t2"]]


@pytest.fixture(scope="module")
def server(site_db):
    with served(site_db) as base:
        yield base


@pytest.fixture(scope="module")
def static_base(site_db, metadata, tmp_path_factory):
    """The site fixture exported by publish --target static's exporter, served from /repo/."""
    metadata = copy.deepcopy(metadata)
    metadata["plugins"]["tweet-archive"]["static"] = {
        "db_file": "archive.db",
        "db_bytes": 1,
        "site_url": None,
    }
    root = tmp_path_factory.mktemp("static-copy-link")
    (root / "repo").mkdir()
    # In a thread of its own: Playwright's sync API keeps an event loop running in this one.
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        pool.submit(static_site.export, site_folder(site_db, metadata), root / "repo").result()
    with file_server(root) as base:
        yield base


def copy_link(browser, base, path):
    """Opens `path`, clicks Copy link: (the status it says, the clipboard, overflow)."""
    context = offline_context(browser, base, **PHONE)
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base)
    errors = []
    try:
        page = context.new_page()
        page.on("console", lambda m: m.type == "error" and errors.append(m.text))
        page.on("pageerror", lambda e: errors.append(str(e)))
        assert page.goto(base + path).status == 200
        page.wait_for_load_state("networkidle")
        button = page.get_by_role("button", name="Copy link")
        assert button.is_visible()
        box = button.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390, box
        assert page.evaluate(OVERFLOW) <= 0
        button.click()
        status = page.locator(".copy-link-status")
        status.filter(has_text="Copied").wait_for()
        copied = page.evaluate("navigator.clipboard.readText()")
        return status.inner_text(), copied, page.evaluate(OVERFLOW)
    finally:
        context.close()
        assert errors == []


@pytest.mark.parametrize("tweet_id", TWEETS)
def test_copy_link_copies_the_tweet_pages_address(browser, server, tweet_id):
    path = f"/archive/tweets/{tweet_id}"
    said, copied, overflow = copy_link(browser, server, path + "#t" + str(tweet_id))
    assert (said, copied, overflow) == ("Copied", server + path, 0)


def test_copy_link_copies_the_address_under_a_static_prefix(browser, static_base):
    # (Not a tweet with media: publish copies them into the folder the export reads, this
    # test's folder has none.)
    path = f"/repo/archive/tweets/{IDS['english']}/"
    said, copied, overflow = copy_link(browser, static_base, path)
    assert (said, copied, overflow) == ("Copied", static_base + path, 0)


def test_without_javascript_it_is_a_link_to_the_tweets_page(browser, server):
    context = offline_context(browser, server, java_script_enabled=False, **PHONE)
    try:
        page = context.new_page()
        path = f"/archive/tweets/{IDS['english']}"
        assert page.goto(server + path).status == 200
        link = page.get_by_role("link", name="Link to this tweet")
        assert link.get_attribute("href") == path
        assert page.get_by_role("button", name="Copy link").count() == 0
        assert page.evaluate(OVERFLOW) <= 0
        link.click()
        page.wait_for_load_state()
        assert page.url == server + path
    finally:
        context.close()
