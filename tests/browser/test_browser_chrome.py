"""The site's frame in Chromium (issue 18, items 2, 6 and 14): links in text are underlined
and readable in both schemes; the bar shows the menu's links and a search box on a wide
screen, a 44 px menu button and search icon on a phone; touch targets on a phone are 44 px
tall; every reader page and home sit in one column centred in the window; the heatmaps' quiet
hours are dim in dark mode. Screenshots go to build/screenshots/h2-*.png."""

import base64
import re

import pytest

from tests.browser.test_browser_layout import CONTRAST
from tests.helpers.browser import CHROMIUM, SCREENSHOTS
from tests.helpers.browser import screens as browser_screens
from tests.helpers.build import run_build
from tests.helpers.paths import FIXTURES, IDS
from tests.helpers.site import served

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} not installed")

MONTH = "/timeline/2021/03"


@pytest.fixture(scope="module")
def base(site_db):
    with served(site_db) as url:
        yield url


@pytest.fixture(scope="module")
def long_base(tmp_path_factory):
    """130 tweets in July 2019 (the reader fixture): a month with a next page."""
    db_path = tmp_path_factory.mktemp("chrome-long") / "archive.db"
    result = run_build(db_path, FIXTURES / "reader" / "markdown")
    assert result.exit_code == 0, result.output
    with served(db_path) as url:
        yield url


@pytest.fixture(scope="module")
def screens(browser, base):
    """A page per site, size and scheme, made when first asked for."""
    with browser_screens(browser, base) as screen:
        yield lambda size, scheme="light", site=None: screen(size, scheme, site).page


def visit(page, base, path):
    response = page.goto(base + path)
    assert response.status == 200, path
    page.wait_for_load_state("networkidle")
    return page


# Links beside other text: in a tweet's text, in a table cell, in a paragraph of the page.
TEXT_LINKS = """() => [...document.querySelectorAll('main .tweet-text a, main td a, main p a')]
.filter(a => {
  const box = a.getBoundingClientRect();
  const parent = a.parentElement;
  const others = [...parent.childNodes].some(n => n !== a && n.textContent.trim());
  return box.width > 0 && others && getComputedStyle(a).display.startsWith('inline');
}).map((a, i) => { a.dataset.linkProbe = i; return i; })"""


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize(
    "path", [MONTH, f"/archive/tweets/{IDS['reply_friend']}", "/search?q=tokyo", "/archive/tweets"]
)
def test_links_in_text_are_underlined_and_readable(screens, base, path, scheme):
    page = visit(screens("desktop", scheme), base, path)
    probes = page.evaluate(TEXT_LINKS)
    assert probes, path
    faint = []
    for probe in probes:
        link = page.locator(f"[data-link-probe='{probe}']")
        underline = link.evaluate("a => getComputedStyle(a).textDecorationLine")
        ratio = link.evaluate(CONTRAST)
        if "underline" not in underline or ratio < 4.5:
            faint.append((link.inner_text()[:30], underline, ratio))
    assert faint == [], f"{path}, {scheme}"


def box(locator):
    return locator.bounding_box() or {"width": 0, "height": 0}


def test_wide_screens_show_the_menus_links_and_a_search_box(screens, base):
    page = visit(screens("desktop"), base, MONTH)
    links = page.locator("header .nav-links a")
    assert links.count() >= 5
    assert all(link.is_visible() for link in links.all())
    assert page.locator("header details.nav-menu").is_hidden()
    field = page.locator("header form.site-search input[name=q]")
    assert field.is_visible() and box(field)["width"] >= 150
    assert page.locator("header .site-search-link").is_hidden()
    field.fill("tokyo")
    field.press("Enter")
    page.wait_for_load_state("networkidle")
    assert page.url == base + "/search?q=tokyo"
    page.screenshot(path=str(SCREENSHOTS / "h2-bar-desktop.png"))


def test_phones_get_a_44px_menu_button_and_search_icon(screens, base):
    page = visit(screens("phone"), base, MONTH)
    assert page.locator("header .nav-links").is_hidden()
    assert page.locator("header form.site-search").is_hidden()
    button = page.locator("header details.nav-menu > summary")
    search = page.locator("header .site-search-link")
    for target in (button, search):
        size = box(target)
        assert (size["width"] >= 44, size["height"] >= 44) == (True, True), size
    button.click()
    items = page.locator("header .nav-menu-inner a")
    heights = [box(item)["height"] for item in items.all()]
    assert heights and min(heights) >= 44, heights
    page.screenshot(path=str(SCREENSHOTS / "h2-menu-phone.png"))
    button.click()
    search.click()
    page.wait_for_load_state("networkidle")
    assert page.url == base + "/search"


@pytest.mark.parametrize(
    "path,selector",
    [
        (MONTH, ".reader-kinds a"),
        (MONTH, ".reader-around a"),
        ("/timeline", "ol.reader-months a"),
        ("/media", ".media-types a"),
        ("long:/timeline/2019/07", ".reader-pager a"),
    ],
)
def test_phone_touch_targets_are_44px_tall(request, screens, base, path, selector):
    if path.startswith("long:"):
        base, path = request.getfixturevalue("long_base"), path.removeprefix("long:")
    page = visit(screens("phone", site=base), base, path)
    targets = page.locator(selector).all()
    assert targets, (path, selector)
    low = [(t.inner_text()[:20], box(t)["height"]) for t in targets if box(t)["height"] < 44]
    assert low == [], (path, selector)


# The first box in <main>: where the page's column is.
COLUMN = """() => {
  const column = document.querySelector('main#content > *');
  const box = column.getBoundingClientRect();
  return {left: box.left, right: document.documentElement.clientWidth - box.right,
          width: box.width, window: document.documentElement.clientWidth};
}"""


@pytest.mark.parametrize(
    "path,widest", [("/", 72 * 16), (MONTH, 45 * 16), ("/media", 72 * 16), ("/stats", 72 * 16)]
)
def test_pages_are_one_column_centred_in_the_window(screens, base, path, widest):
    page = visit(screens("desktop"), base, path)
    column = page.evaluate(COLUMN)
    assert abs(column["left"] - column["right"]) <= 2, (path, column)
    assert column["width"] <= widest + 1, (path, column)


PIXEL = """async data => {
  const image = new Image();
  image.src = 'data:image/png;base64,' + data;
  await image.decode();
  const canvas = document.createElement('canvas');
  canvas.width = image.width;
  canvas.height = image.height;
  const context = canvas.getContext('2d');
  context.drawImage(image, 0, 0);
  const [r, g, b] = context.getImageData(0, 0, 1, 1).data;
  const linear = c => (c /= 255) <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  return 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b);
}"""


def luminance_at(page, decoder, element):
    """The luminance of the pixel drawn at the middle of `element`, as a person sees it (after
    CSS filters), read from a screenshot."""
    element.scroll_into_view_if_needed()
    area = element.bounding_box()
    clip = {"x": area["x"] + area["width"] / 2, "y": area["y"] + area["height"] / 2}
    png = page.screenshot(clip={**clip, "width": 1, "height": 1})
    return decoder.evaluate(PIXEL, base64.b64encode(png).decode())


def quiet_and_busy(cells):
    """The cells with the fewest and the most tweets, from (cell, count) pairs."""
    ordered = sorted(cells, key=lambda pair: pair[1])
    assert ordered[0][1] < ordered[-1][1]
    return ordered[0][0], ordered[-1][0]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_heatmaps_quiet_hours_are_dim_in_dark_mode(browser, screens, base, scheme):
    """On a light page a busy hour is darker than a quiet one, on a dark page brighter: the
    dashboard's Vega heatmap was drawn for a light page in both (its quiet cells the brightest
    thing on a dark page), and the home page's grid of hours."""
    page = screens("desktop", scheme)
    decoder = browser.new_page()
    try:
        visit(page, base, "/-/dashboards/activity")
        marks = page.locator("#chart-hour-by-weekday svg .mark-rect path[aria-label]")
        page.wait_for_function(
            "document.querySelectorAll('#chart-hour-by-weekday svg .mark-rect path').length > 1"
        )
        cells = [
            (mark, int(re.search(r"tweets: (\d+)", mark.get_attribute("aria-label"))[1]))
            for mark in marks.all()
        ]
        quiet, busy = quiet_and_busy(cells)
        dashboard = (luminance_at(page, decoder, quiet), luminance_at(page, decoder, busy))
        page.screenshot(path=str(SCREENSHOTS / f"h2-dashboard-desktop-{scheme}.png"))

        visit(page, base, "/")
        hours = page.locator(".hour-chart .hour-cell")
        level = "c => getComputedStyle(c).getPropertyValue('--level')"
        levels = [(cell, float(cell.evaluate(level) or 0)) for cell in hours.all()]
        if levels:
            quiet, busy = quiet_and_busy(levels)
            home = (luminance_at(page, decoder, quiet), luminance_at(page, decoder, busy))
        else:  # (a home page with no grid of hours has nothing to compare)
            home = dashboard
    finally:
        decoder.close()
    brighter_when_busy = scheme == "dark"
    assert (dashboard[1] > dashboard[0], home[1] > home[0]) == (
        brighter_when_busy,
        brighter_when_busy,
    ), (dashboard, home)
