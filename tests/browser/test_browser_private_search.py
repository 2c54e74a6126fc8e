"""The private site's message search (/messages/search) in Debian's headless Chromium, served
by a real `datasette`: results with marks, a long word and a long address, a Japanese match,
a hostile text; the empty form and a page with no match; at 390×844 and 1280×900, light and
dark: nothing scrolls sideways, tap targets are 44 px on a phone, no console error (a
`<script>` in a message never runs), and axe finds no serious or critical violation.
Screenshots go to build/screenshots/private/."""

import urllib.parse

import pytest

from tests.browser.test_axe import violations
from tests.helpers.browser import CHROMIUM, SCREENSHOTS, SIZES
from tests.helpers.browser import screens as browser_screens
from tests.helpers.build import run_build
from tests.helpers.dm_export import dm_export
from tests.helpers.site import served

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} not installed")

SCHEMES = ["light", "dark"]
LONG_WORD = "Donaudampfschifffahrtsgesellschaftskapitän" * 6
LONG_URL = "https://example.org/" + "a-very-long-path-segment/" * 12 + "end"
TEXTS = [
    f"zqpicnic {LONG_WORD} {LONG_URL}",
    "明日は東京タワーで zqpicnic です",
    "<script>alert('zq')</script><img src=x onerror=alert(1)> zqpicnic",
    *[f"zqpicnic message number {n}, " + "with some more words " * 8 for n in range(30)],
]
PAGES = {
    "results": "/messages/search?" + urllib.parse.urlencode({"q": "zqpicnic"}),
    "japanese": "/messages/search?" + urllib.parse.urlencode({"q": "東京"}),
    # The message with the long word and address alone.
    "long": "/messages/search?" + urllib.parse.urlencode({"q": '"very long path"'}),
    "form": "/messages/search",
    "none": "/messages/search?q=nothingmatches",
}
# Links and controls a thumb taps on a phone that are under 44 px tall (words inside a
# result's text are not links).
SMALL_TARGETS = """() => [...document.querySelectorAll('main a, main button, main select')]
  .filter(el => !el.closest('.dm-hit-text') && !el.closest('.search-help'))
  .map(el => [el.textContent.trim().slice(0, 30) || el.name, el.getBoundingClientRect().height])
  .filter(([, height]) => height > 0 && height < 44)"""

# The results' dates that take more than one line.
BROKEN_DATES = """() => [...document.querySelectorAll('.dm-hit time')]
  .filter(el => el.getClientRects().length > 1 || el.getBoundingClientRect().height > 40)
  .map(el => el.textContent)"""


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("browser-private-search")
    export = dm_export(root / "export", TEXTS, ["zqpicnic at noon"], "Picnic crew")
    result = run_build(root / "archive.db", export, args=["--private"])
    assert result.exit_code == 0, result.output
    with served(root / "archive.db") as base:
        yield base


@pytest.fixture(scope="module")
def screens(browser, site):
    with browser_screens(browser, site) as screen:

        def page(size, scheme):
            visit = screen(size, scheme)
            return visit.page, visit.errors, visit.dialogs

        yield page


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize("name", list(PAGES))
def test_search_pages_fit_read_well_and_pass_axe(site, screens, name, size, scheme):
    page, errors, dialogs = screens(size, scheme)
    path = PAGES[name]
    response = page.goto(site + path)
    assert response.status == 200, path
    page.wait_for_load_state("networkidle")
    where = f"{path} at {size}, {scheme}"
    width, inner = page.evaluate("[document.documentElement.scrollWidth, innerWidth]")
    assert width <= inner, f"{where}: {width} px wide in a {inner} px window"
    if size == "phone":
        assert page.evaluate(SMALL_TARGETS) == [], where
    if name in ("results", "japanese", "long"):
        assert page.locator(".dm-hit mark").count() > 0, where
        # A result's date stays on one line: its zone never wraps onto a line of its own.
        assert page.evaluate(BROKEN_DATES) == [], where
    found = violations(page)
    assert found == [], f"{where}: " + "; ".join(
        f"{rule} ({impact}) on {', '.join(targets)}" for rule, impact, targets in found
    )
    folder = SCREENSHOTS / "private"
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"search-{name}-{size}-{scheme}.png"), full_page=True)
    assert (errors, dialogs) == ([], []), where


def test_the_form_searches_and_the_next_page_follows(site, screens):
    page, errors, dialogs = screens("desktop", "light")
    page.goto(site + "/messages/search")
    page.fill("#dm-search-q", "zqpicnic")
    page.press("#dm-search-q", "Enter")
    page.wait_for_load_state("networkidle")
    assert page.title().startswith("zqpicnic — Search messages — ")
    assert page.locator(".dm-hit").count() == 25
    page.click("a[rel=next]")
    page.wait_for_load_state("networkidle")
    assert page.locator(".dm-hit").count() == 34 - 25
    assert (errors, dialogs) == ([], [])
