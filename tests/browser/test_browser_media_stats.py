"""The media grid's lightbox and the stats page in Debian's headless Chromium, on a Markdown
build and on an official export's build, at a phone's and a laptop's size: no sideways
scroll, no console error, the lightbox driven by the keyboard alone. Screenshots are written
to build/screenshots/."""

import pytest

from tests.helpers.browser import CHROMIUM, offline_context
from tests.helpers.build import run_build
from tests.helpers.paths import FIXTURES, ROOT, SITE
from tests.helpers.site import served

SCREENSHOTS = ROOT / "build" / "screenshots"
VIEWPORTS = {"phone": (390, 844), "laptop": (1280, 900)}
BUILDS = {
    "markdown": [SITE / "markdown", SITE / "later"],
    "official": [FIXTURES / "official" / "modern", FIXTURES / "official" / "older"],
}

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} not installed")


@pytest.fixture(scope="module", params=list(BUILDS))
def server(request, tmp_path_factory):
    db_path = tmp_path_factory.mktemp(f"media_stats_{request.param}") / "archive.db"
    result = run_build(db_path, *BUILDS[request.param])
    assert result.exit_code == 0, result.output
    with served(db_path) as base:
        yield request.param, base


@pytest.fixture(params=list(VIEWPORTS))
def page(request, browser, server):
    name, base = server
    width, height = VIEWPORTS[request.param]
    context = offline_context(browser, base, viewport={"width": width, "height": height})
    page = context.new_page()
    page.errors = []
    page.on("console", lambda m: page.errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    page.base = base
    page.label = f"{name}-{request.param}"
    yield page
    context.close()


def visit(page, path):
    response = page.goto(page.base + path)
    assert response.status == 200
    page.wait_for_load_state("networkidle")
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{path} scrolls sideways by {overflow}px"


def shot(page, name, full_page=True):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(
        path=str(SCREENSHOTS / f"media-stats-{page.label}-{name}.png"), full_page=full_page
    )


def lightbox_open(page):
    return page.evaluate("document.querySelector('dialog.lightbox').open")


def test_the_lightbox_opens_walks_and_closes_with_the_keyboard(page):
    # With the files the archive lacks too: their placeholders sit among the tiles.
    visit(page, "/media?missing=1")
    shot(page, "media")
    tiles = page.locator("a.media-open")
    count = tiles.count()
    assert count >= 3
    assert page.locator(".media-placeholder").count() >= 1  # files the archive lacks
    assert page.locator(".media-placeholder img").count() == 0
    tiles.nth(1).focus()
    page.keyboard.press("Enter")
    assert lightbox_open(page)
    assert page.evaluate("document.activeElement.classList.contains('lightbox-close')")
    assert page.locator(".lightbox-count").inner_text() == f"2 of {count}"
    src = tiles.nth(1).get_attribute("data-src")
    assert page.locator(".lightbox-stage .lightbox-media").get_attribute("src") == src
    assert page.locator(".lightbox-tweet").get_attribute("href") == tiles.nth(1).get_attribute(
        "href"
    )
    page.keyboard.press("ArrowRight")
    assert page.locator(".lightbox-count").inner_text() == f"3 of {count}"
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")
    assert page.locator(".lightbox-count").inner_text() == f"1 of {count}"
    page.keyboard.press("ArrowLeft")  # round to the last
    assert page.locator(".lightbox-count").inner_text() == f"{count} of {count}"
    shot(page, "lightbox", full_page=False)
    page.keyboard.press("Escape")
    assert not lightbox_open(page)
    # The focus is back on the tile of what was shown last.
    page.wait_for_function("document.activeElement.classList.contains('media-open')")
    assert page.evaluate("document.activeElement.getAttribute('data-src')") == tiles.nth(
        count - 1
    ).get_attribute("data-src")
    # The close button and a click on the backdrop close it too.
    tiles.first.click()
    assert lightbox_open(page)
    page.locator(".lightbox-close").click()
    assert not lightbox_open(page)
    tiles.first.click()
    page.mouse.click(3, 3)
    assert not lightbox_open(page)
    assert page.url == page.base + "/media?missing=1"
    assert page.errors == []


def test_a_tile_is_a_link_to_its_tweet_without_javascript(browser, server):
    name, base = server
    context = browser.new_context(java_script_enabled=False, viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(base + "/media")
    href = page.locator("a.media-open").first.get_attribute("href")
    page.locator("a.media-open").first.click()
    page.wait_for_load_state()
    assert page.url == base + href
    context.close()


def test_the_stats_page(page):
    visit(page, "/stats")
    shot(page, "stats")
    assert page.title().startswith("Stats — ")
    assert page.locator("h1").inner_text() == "Stats"
    assert page.locator(".stats-years-table tbody tr").count() >= 2
    assert page.locator(".stats-end article.tweet").count() >= 1
    assert page.errors == []
