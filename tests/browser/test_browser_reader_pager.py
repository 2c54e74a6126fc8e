"""Reader lists in Chromium: a search runs again when its order or filter changes (no Search
button press), and the conversation page, a paged month and an unknown account's page at
390×844 and 1280×900, light and dark, fit the screen without errors (screenshots in
build/screenshots/h3-*.png)."""

import pytest

from tests.helpers.browser import CHROMIUM, offline_context
from tests.helpers.build import run_build
from tests.helpers.paths import FIXTURES, IDS, ROOT
from tests.helpers.site import served

SCREENSHOTS = ROOT / "build" / "screenshots"
VIEWPORTS = {"phone": (390, 844), "desktop": (1280, 900)}
SOURCES = [
    FIXTURES / "site" / "markdown",
    FIXTURES / "site" / "later",
    FIXTURES / "site" / "official",
    FIXTURES / "reader" / "markdown",
]

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} not installed")


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    db_path = tmp_path_factory.mktemp("reader-pager") / "archive.db"
    result = run_build(db_path, *SOURCES)
    assert result.exit_code == 0, result.output
    with served(db_path) as url:
        yield url


def open_page(browser, base, viewport="phone", scheme="light"):
    width, height = VIEWPORTS[viewport]
    context = offline_context(
        browser, base, viewport={"width": width, "height": height}, color_scheme=scheme
    )
    page = context.new_page()
    errors = []
    # (Chromium logs a page answered 404 as a failed load: the unknown account's is meant.)
    page.on(
        "console",
        lambda m: (
            m.type == "error"
            and "/-/user/" not in (m.location or {}).get("url", "")
            and errors.append(m.text)
        ),
    )
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on(
        "response", lambda r: r.status >= 400 and "/-/user/" not in r.url and errors.append(r.url)
    )
    return context, page, errors


def test_changing_a_searchs_order_or_filter_searches_again(browser, base):
    context, page, errors = open_page(browser, base, "desktop")
    page.goto(base + "/search?q=summer")
    page.wait_for_load_state("networkidle")
    with page.expect_navigation():
        page.select_option("select[name=sort]", "oldest")
    assert "sort=oldest" in page.url
    assert page.locator("select[name=sort]").input_value() == "oldest"
    first = page.locator("article.tweet time").first.get_attribute("datetime")
    assert first.startswith("2019-07-01")
    with page.expect_navigation():
        page.select_option("select[name=kind]", "reply")
    assert "kind=reply" in page.url and "sort=oldest" in page.url
    # Nothing typed yet: a menu alone doesn't search.
    page.goto(base + "/search")
    page.select_option("select[name=sort]", "newest")
    page.wait_for_timeout(300)
    assert page.url == base + "/search"
    context.close()
    assert errors == []


PAGES = {
    "conversation": f"/conversation/{IDS['t2']}",
    "month": "/timeline/2019/07?after=2019-07-11T05%3A00%3A00%2B00%3A00~1149181520901046272",
    "unknown-user": "/-/user/nobody_here",
}


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_conversation_month_and_unknown_account_fit_the_screen(browser, base, viewport, scheme):
    context, page, errors = open_page(browser, base, viewport, scheme)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for name, path in PAGES.items():
        response = page.goto(base + path)
        assert response.status == (404 if name == "unknown-user" else 200), path
        page.wait_for_load_state("networkidle")
        assert page.evaluate("document.documentElement.scrollWidth") <= page.evaluate(
            "innerWidth"
        ), path
        page.screenshot(
            path=str(SCREENSHOTS / f"h3-{name}-{viewport}-{scheme}.png"), full_page=True
        )
    page.goto(base + PAGES["month"])
    assert page.locator(".reader-position").inner_text() == "51–100 of 130"
    assert page.locator("a.reader-previous").inner_text() == "← Older tweets"
    context.close()
    assert errors == []
