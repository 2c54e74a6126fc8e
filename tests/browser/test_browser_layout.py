"""Every page type, on a phone and a desktop, light and dark, on a Markdown and an official build.

Each visit asserts what a reader would notice first: the page answers (404 for the missing
one), nothing scrolls sideways, no tweet text is cut at the screen's edge, no console error,
the page says its language, "Skip to content" is the first thing Tab reaches, and the main
controls (nav links, buttons, pagination) reach WCAG AA's 4.5:1 against what is drawn behind
them. Screenshots go to build/screenshots/layout/<build>-<page>-<viewport>-<scheme>.png.

The year, month, hashtag, day, search word, tweet and account are read from each built
database, never hard-coded.
"""

import re
import sqlite3

import pytest

from tests.helpers.browser import CHROMIUM, offline_context
from tests.helpers.build import run_build
from tests.helpers.paths import ROOT, SITE
from tests.helpers.site import served

SCREENSHOTS = ROOT / "build" / "screenshots" / "layout"

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} not installed")

BUILDS = {
    "markdown": [SITE / "markdown", SITE / "later"],
    "official": [SITE / "official"],
}
PAGES = [
    "home",
    "timeline",
    "timeline-year",
    "timeline-month",
    "hashtag",
    "on-this-day",
    "most-liked",
    "quotes",
    "threads",
    "media",
    "stats",
    "search",
    "tweet",
    "account",
    "tweets-table",
    "users-table",
    "canned-query",
    "canned-query-form",
    "database",
    "missing",
]
VIEWPORTS = {"phone": (390, 844), "desktop": (1280, 900)}
SCHEMES = ["light", "dark"]


def page_paths(db_path):
    """{page: path} for one build, with the ids and dates taken from its database."""
    db = sqlite3.connect(db_path)
    one = lambda sql: (db.execute(sql).fetchone() or [None])[0]  # noqa: E731
    latest = "is_latest_version is not 0"
    month = one("select month from tweets_per_month order by month desc limit 1")
    tag = one("select tag from hashtag_counts order by tweets desc, tag limit 1")
    newest = f"from tweets where {latest} order by created_at desc"
    day = one(f"select substr(created_at, 6, 5) {newest}")
    text = one(f"select text {newest}")
    word = max(re.findall(r"[A-Za-z]{4,}", text or "") or ["tweet"], key=len)
    # A tweet with its thread above it when there is one, else the latest tweet.
    tweet = one(
        f"select id from tweets where {latest} and in_reply_to_id in (select id from tweets) "
        "order by created_at desc limit 1"
    ) or one(f"select id from tweets where {latest} order by created_at desc limit 1")
    owner, owner_name = db.execute(
        "select id, screen_name from users where is_owner = 1 order by id limit 1"
    ).fetchone()
    db.close()
    year, mm = month.split("-")
    return {
        "home": "/",
        "timeline": "/timeline",
        "timeline-year": f"/timeline/{year}",
        "timeline-month": f"/timeline/{year}/{mm}",
        # An archive without hashtags (the official fixture) still gets a hashtag page visit.
        "hashtag": f"/hashtag/{tag or 'nohashtaghere'}",
        "on-this-day": f"/on-this-day?date={day}",
        "most-liked": "/most-liked",
        "quotes": "/quotes",
        "threads": "/threads",
        "media": "/media",
        "stats": "/stats",
        "search": f"/search?q={word}",
        "tweet": f"/archive/tweets/{tweet}",
        "account": f"/archive/users/{owner}",
        "tweets-table": "/archive/tweets",
        "users-table": "/archive/users",
        "canned-query": "/archive/latest",
        # A canned query with a parameter box, labelled with the parameter's name.
        "canned-query-form": f"/archive/with_user?screen_name={owner_name}",
        "database": "/archive",
        "missing": "/no/such/page",
    }, {"hashtag": {200} if tag else {200, 404}, "missing": {404}}


@pytest.fixture(scope="module", params=list(BUILDS))
def site(request, tmp_path_factory):
    """A real `datasette` serving one build: (name, base URL, {page: path}, {page: statuses})."""
    db_path = tmp_path_factory.mktemp(f"layout-{request.param}") / "archive.db"
    result = run_build(db_path, *BUILDS[request.param])
    assert result.exit_code == 0, result.output
    paths, statuses = page_paths(db_path)
    with served(db_path) as base:
        yield request.param, base, paths, statuses


class Screen:
    """A browser page at one viewport and colour scheme that records console errors."""

    def __init__(self, browser, base, viewport, scheme):
        width, height = VIEWPORTS[viewport]
        self.context = offline_context(
            browser, base, viewport={"width": width, "height": height}, color_scheme=scheme
        )
        self.page = self.context.new_page()
        self.errors = []
        self.page.on("console", self.console)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.url = None

    def console(self, message):
        # The 404 page's own status is logged as an error: that one is expected.
        if message.type == "error" and not (
            message.location.get("url") == self.url and "status of 404" in message.text
        ):
            self.errors.append(message.text)

    def open(self, url):
        self.url = url
        response = self.page.goto(url)
        self.page.wait_for_load_state("networkidle")
        return response

    def close(self):
        self.context.close()


# The contrast of an element's text against the colour actually drawn behind it: the first
# opaque background among its ancestors (transparent layers are blended over it).
CONTRAST = """el => {
  const parse = value => {
    const n = (value.match(/[\\d.]+/g) || ['0', '0', '0', '0']).map(Number);
    return {rgb: n.slice(0, 3), alpha: n.length > 3 ? n[3] : 1};
  };
  const blend = (top, bottom) => top.rgb.map((c, i) => c * top.alpha + bottom[i] * (1 - top.alpha));
  const layers = [];
  for (let node = el; node && node.nodeType === 1; node = node.parentElement) {
    const bg = parse(getComputedStyle(node).backgroundColor);
    if (bg.alpha > 0) layers.push(bg);
    if (bg.alpha >= 1) break;
  }
  let back = [255, 255, 255];
  for (const layer of layers.reverse()) back = blend(layer, back);
  const text = parse(getComputedStyle(el).color);
  const front = blend(text, back);
  const luminance = rgb => {
    const [r, g, b] = rgb.map(c => c / 255).map(
      c => c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const [a, b] = [luminance(front), luminance(back)];
  return Math.round((Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05) * 100) / 100;
}"""

# Main controls: nav and footer links, the links of navigation blocks (pagination, the kind
# filters, previous/next month), buttons and the filter form's submit.
CONTROLS = """() => {
  const paging = /^(next|older|newer|previous|earlier|later|newest|oldest)\\b/i;
  const picked = [...document.querySelectorAll(
    'header a, footer a, main nav a, button, input[type=submit], a[rel=next], a[rel=prev]'
  )].concat([...document.querySelectorAll('main a')].filter(
    a => paging.test(a.textContent.trim())));
  return [...new Set(picked)].filter(el => {
    const box = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    return box.width > 0 && box.height > 0 && style.visibility !== 'hidden'
      && (el.value || el.textContent).trim() && !el.closest('.skip-link');
  }).map((el, i) => { el.dataset.contrastProbe = i; return i; });
}"""

# Tweet text or a label cut at the screen's right edge, or inside a box narrower than its words
# (app.css gave form labels 15% of the page: "screen_name" did not fit on a phone).
CLIPPED_TEXT = """() => [...document.querySelectorAll('.tweet-text, td.col-text, label')]
.filter(el => {
  const box = el.getBoundingClientRect();
  // (1 px wide: a label hidden for all but screen readers.)
  return box.width > 1 && (box.right > innerWidth + 1 || el.scrollWidth > el.clientWidth + 1);
}).map(el => el.textContent.trim().slice(0, 40))"""


# Cards and headings touched the nav bar: the space between the bar and what is drawn first.
GAP_UNDER_NAV = """() => {
  const bar = document.querySelector('body > .not-footer > header').getBoundingClientRect().bottom;
  const tops = [...document.querySelectorAll('main *')].map(el => el.getBoundingClientRect())
    .filter(box => box.width > 1 && box.height > 1 && box.bottom > bar).map(box => box.top);
  return Math.round(Math.min(...tops) - bar);
}"""


# Dark mode's colours are the same at every width: `make test` checks them on the phone, and
# `make test-all` (the exhaustive run) on the desktop too.
SCREENS = [
    pytest.param(viewport, scheme, id=f"{viewport}-{scheme}", marks=marks)
    for viewport in VIEWPORTS
    for scheme in SCHEMES
    for marks in [[pytest.mark.exhaustive] if (viewport, scheme) == ("desktop", "dark") else []]
]


@pytest.mark.parametrize("viewport,scheme", SCREENS)
@pytest.mark.parametrize("page_name", PAGES)
def test_page_layout(browser, site, page_name, viewport, scheme):
    build, base, paths, statuses = site
    screen = Screen(browser, base, viewport, scheme)
    try:
        response = screen.open(base + paths[page_name])
        page = screen.page
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(
            path=str(SCREENSHOTS / f"{build}-{page_name}-{viewport}-{scheme}.png"), full_page=True
        )
        where = f"{build} {paths[page_name]} at {viewport}, {scheme}"
        assert response.status in statuses.get(page_name, {200}), where

        width, inner = page.evaluate("[document.documentElement.scrollWidth, innerWidth]")
        assert width <= inner, f"{where}: {width} px wide in a {inner} px window"
        assert page.evaluate(CLIPPED_TEXT) == [], where

        gap = page.evaluate(GAP_UNDER_NAV)
        assert gap >= 8, f"{where}: the page starts {gap} px under the nav bar"

        assert page.evaluate("document.documentElement.lang"), where
        assert page.locator("main#content").count() == 1, where
        page.keyboard.press("Tab")
        first = page.evaluate(
            "[document.activeElement.textContent.trim(),"
            " document.activeElement.getAttribute('href')]"
        )
        assert first == ["Skip to content", "#content"], where
        assert page.locator(".skip-link").evaluate(CONTRAST) >= 4.5, where

        probes = page.evaluate(CONTROLS)
        weak = []
        for probe in probes:
            control = page.locator(f"[data-contrast-probe='{probe}']")
            ratio = control.evaluate(CONTRAST)
            if ratio < 4.5:
                label = control.evaluate("el => (el.value || el.textContent).trim().slice(0, 30)")
                weak.append((label, ratio))
        assert weak == [], where

        assert screen.errors == [], where
    finally:
        screen.close()


KEY_COLUMNS = """row => [...row.querySelectorAll('td')]
  .filter(td => td.getBoundingClientRect().height > 0)
  .map(td => td.className.split(' ')[0].replace('col-', ''))"""


def test_tweets_table_rows_are_compact_cards_on_a_phone(browser, site):
    """A row was a 37-field card ~1,556 px tall, the first tweet at y = 3,500 (item 1)."""
    build, base, _, _ = site
    screen = Screen(browser, base, "phone", "light")
    try:
        page = screen.page
        screen.open(base + "/archive/tweets")
        rows = page.locator("table.rows-and-columns tbody tr")
        heights = rows.evaluate_all("rows => rows.map(r => r.getBoundingClientRect().height)")
        assert max(heights) < 500 and sorted(heights)[len(heights) // 2] < 200, heights
        first_text = page.locator("td.col-text").first.bounding_box()
        assert first_text["y"] < 2 * 844, first_text
        shown = rows.first.evaluate(KEY_COLUMNS)
        assert {"id", "created_at", "kind", "text"} <= set(shown) and len(shown) <= 10, shown
        page.get_by_role("link", name="Show every column").click()
        every = rows.first.evaluate(KEY_COLUMNS)
        assert len(every) > len(shown) and "input_file" in every, every
        page.get_by_role("link", name="Show key columns only").click()
        assert rows.first.evaluate(KEY_COLUMNS) == shown
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        assert screen.errors == []
    finally:
        screen.close()


def test_tweets_table_is_complete_on_a_wide_screen(browser, site):
    build, base, _, _ = site
    screen = Screen(browser, base, "desktop", "light")
    try:
        page = screen.page
        screen.open(base + "/archive/tweets")
        headers = page.locator("table.rows-and-columns thead th")
        cells = page.locator("table.rows-and-columns tbody tr").first.evaluate(KEY_COLUMNS)
        assert headers.count() >= 30 and len(cells) == headers.count()
        assert page.evaluate("document.documentElement.scrollWidth") <= 1280
        assert screen.errors == []
    finally:
        screen.close()


def test_sql_wraps_inside_its_own_box_on_a_phone(browser, site):
    """Canned queries that showed their SQL were 565-825 px wide on a 390 px phone. The SQL
    wraps in its box (a box that scrolled sideways had to take the keyboard's focus: axe's
    scrollable-region-focusable, and Datasette's <pre> takes none)."""
    build, base, _, _ = site
    screen = Screen(browser, base, "phone", "dark")
    try:
        page = screen.page
        screen.open(base + "/archive/latest?_show_sql=1")
        sql = page.locator("pre#sql-query")
        assert sql.count() == 1
        box = sql.evaluate(
            "el => [el.scrollWidth, el.clientWidth, el.getBoundingClientRect().right]"
        )
        assert box[0] <= box[1] and box[2] <= 390, box  # all of it shown, inside the phone
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        assert screen.errors == []
    finally:
        screen.close()
