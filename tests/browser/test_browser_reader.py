"""The reader pages in Debian's headless Chromium, on a Markdown build and an official-export
build served by a real `datasette`: at 390×844 and 1280×900 no page scrolls sideways or logs
an error, and next-page links go past 100 tweets. Screenshots go to build/screenshots/."""

import pytest

from tests.helpers.browser import CHROMIUM, offline_context
from tests.helpers.build import run_build
from tests.helpers.paths import FIXTURES, ROOT
from tests.helpers.site import served

SCREENSHOTS = ROOT / "build" / "screenshots"
VIEWPORTS = {"phone": (390, 844), "desktop": (1280, 900)}
MARKDOWN_SOURCES = [
    FIXTURES / "site" / "markdown",
    FIXTURES / "site" / "later",
    FIXTURES / "reader" / "markdown",
]
OFFICIAL_SOURCES = [FIXTURES / "official" / "modern", FIXTURES / "reader" / "official"]
COMMON = ["/", "/timeline", "/most-liked", "/quotes", "/threads"]
PAGES = {
    "markdown": [
        *COMMON,
        "/timeline/2019",
        "/timeline/2019/07",
        "/timeline/2021/03",
        "/hashtag/summer",
        "/hashtag/sunset",
        "/on-this-day?date=07-15",
        "/on-this-day?date=06-05",
    ],
    "official": [
        *COMMON,
        "/timeline/2023",
        "/timeline/2023/07",
        "/timeline/2023/03",
        "/hashtag/sqlite",
        "/hashtag/%C3%A4rger",
        "/on-this-day?date=03-05",
        "/on-this-day?date=06-03",
    ],
}

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} not installed")


@pytest.fixture(scope="module", params=["markdown", "official"])
def site(request, tmp_path_factory):
    sources = MARKDOWN_SOURCES if request.param == "markdown" else OFFICIAL_SOURCES
    db_path = tmp_path_factory.mktemp(f"reader-{request.param}") / "archive.db"
    result = run_build(db_path, *sources)
    assert result.exit_code == 0, result.output
    with served(db_path) as base:
        yield request.param, base


def new_page(browser, base, viewport):
    width, height = VIEWPORTS[viewport]
    context = offline_context(browser, base, viewport={"width": width, "height": height})
    page = context.new_page()
    errors = []
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.on("pageerror", lambda e: errors.append(str(e)))
    return context, page, errors


def screenshot_name(build, viewport, path):
    name = path.strip("/").replace("/", "-").replace("?", "-").replace("=", "-") or "home"
    return f"reader-{build}-{name}-{viewport}.png"


# The desktop run takes its screenshots in `make test-all` only: test_browser_layout already
# checks every reader page's width at 1280 px in `make test`, which was near 10 minutes.
@pytest.mark.parametrize(
    "viewport",
    [pytest.param("phone"), pytest.param("desktop", marks=pytest.mark.exhaustive)],
)
def test_reader_pages_fit_the_screen_without_errors(browser, site, viewport):
    build, base = site
    context, page, errors = new_page(browser, base, viewport)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for path in PAGES[build]:
        response = page.goto(base + path)
        assert response.status == 200, path
        page.wait_for_load_state("networkidle")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= page.evaluate("innerWidth"), (path, width)
        assert page.locator("h1").count() == 1, path
        page.screenshot(
            path=str(SCREENSHOTS / screenshot_name(build, viewport, path)), full_page=True
        )
    context.close()
    assert errors == []


def test_next_links_go_past_100_tweets(browser, site):
    build, base = site
    if build != "markdown":
        pytest.skip("the 130-tweet month is in the Markdown build")
    context, page, errors = new_page(browser, base, "phone")
    page.goto(base + "/timeline/2019/07")
    seen = page.locator("article.tweet").count()
    for _ in range(2):
        page.locator("a[rel=next]").click()
        page.wait_for_load_state("networkidle")
        seen += page.locator("article.tweet").count()
    assert seen == 130
    assert page.locator("a[rel=next]").count() == 0
    assert page.locator("article.tweet time").last.inner_text() == "Sat 27 Jul 2019, 21:00 UTC"
    context.close()
    assert errors == []


def test_on_this_day_form_picks_a_day(browser, site):
    build, base = site
    context, page, errors = new_page(browser, base, "desktop")
    page.goto(base + "/on-this-day?date=01-01")
    page.select_option("#otd-day", "15")
    page.select_option("#otd-month", "7")
    page.locator(".reader-day-form button").click()
    page.wait_for_load_state("networkidle")
    assert page.url == base + "/on-this-day?date=07-15"
    assert page.locator("h1").inner_text() == "On this day: 15 July"
    context.close()
    assert errors == []


def test_the_home_page_leads_to_reader_pages(browser, site):
    build, base = site
    context, page, errors = new_page(browser, base, "phone")
    page.goto(base + "/")
    page.locator("ul.home-counts a").first.click()
    page.wait_for_load_state("networkidle")
    assert page.url == base + "/timeline"
    page.go_back()
    page.locator(".home-queries a", has_text="On this day").click()
    page.wait_for_load_state("networkidle")
    assert page.url == base + "/on-this-day"
    context.close()
    assert errors == []
