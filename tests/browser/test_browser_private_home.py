"""Home of a private archive without tweets (an export shared without its tweets file, as
the shared private exports are) in Chromium, at 390×844 and 1280×900, light and dark: the
private archive first, its search box sending to the messages' search, no sideways scroll,
44 px links and search box on a phone, no console error, no serious or critical axe
violation; screenshots in build/screenshots/private/home-*. The archive is the invented
private fixture."""

import pytest

from tests.browser.test_axe import violations
from tests.helpers.browser import CHROMIUM, SCREENSHOTS, SIZES, Visit
from tests.helpers.build import run_build
from tests.helpers.paths import FIXTURES
from tests.helpers.site import served

pytest.importorskip("axe_playwright_python.sync_playwright")
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} not installed")


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    db_path = tmp_path_factory.mktemp("private_home") / "archive.db"
    result = run_build(db_path, FIXTURES / "private", args=["--private"])
    assert result.exit_code == 0, result.output
    with served(db_path) as base:
        yield base


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("size", list(SIZES))
def test_private_home_without_tweets_fits_and_passes_axe(browser, site, size, scheme):
    width = SIZES[size][0]
    visit = Visit(browser, site, SIZES[size], scheme)
    page, errors = visit.page, visit.errors
    assert page.goto(site + "/").status == 200
    page.wait_for_load_state("networkidle")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert page.locator("main h2").all_inner_texts() == ["Your private archive", "Explore"]
    if size == "phone":
        heights = page.eval_on_selector_all(
            ".home-private a, .home-private input, .home-private button",
            "items => items.map(e => e.getBoundingClientRect().height)",
        )
        assert [h for h in heights if h < 44] == []
    folder = SCREENSHOTS / "private"
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"home-{size}-{scheme}.png"), full_page=True)
    found = violations(page)
    # Its one search box finds messages.
    page.fill("#home-dm-q", "lunch")
    page.press("#home-dm-q", "Enter")
    page.wait_for_load_state("networkidle")
    assert page.url == site + "/messages/search?q=lunch"
    assert page.locator("h1").inner_text() == "Search messages"
    visit.context.close()
    assert found == []
    assert errors == []
