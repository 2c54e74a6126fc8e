"""The reader search page in Chromium, on a Markdown and an official-export build, on a phone
(390×844) and a laptop (1280×900): no sideways scroll, no console error, every control
labelled, the next page reachable. Screenshots go to build/screenshots/search-*.png."""

import pytest

from tests.helpers.browser import CHROMIUM, Visit
from tests.helpers.build import run_build
from tests.helpers.paths import FIXTURES, SITE
from tests.helpers.site import served

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} not installed")

BUILDS = {
    "markdown": [FIXTURES / "search" / "markdown", SITE / "markdown"],
    "official": [FIXTURES / "official" / "modern", SITE / "official"],
}
VIEWPORTS = {"phone": (390, 844), "laptop": (1280, 900)}
OVERFLOW = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
UNLABELLED = """() => Array.from(document.querySelectorAll('form input, form select, form button'))
  .filter(el => el.type !== 'hidden' && el.type !== 'submit' && el.tagName !== 'BUTTON')
  .filter(el => !(el.labels && el.labels.length) && !el.getAttribute('aria-label'))
  .map(el => el.name || el.id)"""


@pytest.fixture(scope="module", params=sorted(BUILDS))
def server(request, tmp_path_factory):
    db_path = tmp_path_factory.mktemp(f"search-{request.param}") / "archive.db"
    result = run_build(db_path, *BUILDS[request.param])
    assert result.exit_code == 0, result.output
    with served(db_path) as base:
        yield request.param, base


@pytest.mark.parametrize("viewport", sorted(VIEWPORTS))
def test_search_page_reads_on_every_screen(browser, server, viewport):
    build, base = server
    visit = Visit(browser, base)
    try:
        width, height = VIEWPORTS[viewport]
        visit.page.set_viewport_size({"width": width, "height": height})
        query = "harbour" if build == "markdown" else "the"
        page = visit.open(f"/search?q={query}")
        assert page.locator("h1").inner_text() == "Search tweets"
        assert page.evaluate(OVERFLOW) <= 0
        assert page.evaluate(UNLABELLED) == []
        assert page.locator("ol.search-results article.tweet").count() > 0
        assert page.locator("ol.search-results mark").count() > 0
        assert "match" in page.locator(".search-summary").inner_text()
        visit.screenshot(f"search-{build}-{viewport}")
        # The form's filters, chosen as a reader would.
        page.select_option("select[name=sort]", "newest")
        page.select_option("select[name=kind]", "-retweet")
        page.click(".reader-search-form button")
        page.wait_for_load_state("networkidle")
        assert "sort=newest" in page.url and "kind=-retweet" in page.url
        assert page.evaluate(OVERFLOW) <= 0
        if build == "markdown":
            page.click("a[rel=next]")
            page.wait_for_load_state("networkidle")
            assert "before=" in page.url
            assert page.locator("ol.search-results article.tweet").count() > 0
            assert page.evaluate(OVERFLOW) <= 0
            visit.screenshot(f"search-{build}-{viewport}-page2")
        page = visit.open("/search?q=AND+OR+(")
        assert "only operators" in page.locator(".search-message").inner_text()
        assert page.evaluate(OVERFLOW) <= 0
        visit.screenshot(f"search-{build}-{viewport}-operators")
    finally:
        visit.close()


def test_home_search_box_lands_on_the_reader_page(browser, server):
    build, base = server
    visit = Visit(browser, base)
    try:
        page = visit.open("/")
        page.fill("#home-q", "東京" if build == "markdown" else "harbour")
        page.press("#home-q", "Enter")
        page.wait_for_selector("ol.search-results")
        assert page.url.startswith(base + "/search?q=")
    finally:
        visit.close()
