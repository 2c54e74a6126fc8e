"""axe-core (bundled by axe-playwright-python) on every page type, reader and explorer pages
alike, at 390×844 and 1280×900, in the light and the dark scheme: no serious or critical
violation (issue 18).

One served site (the hostile site fixture: Markdown, a later Markdown layout and an official
export), one Chromium, one context per size and scheme. axe runs WCAG 2.0/2.1/2.2 A and AA
and its best practices; the assertion lists each violation's id and the elements it names.
"""

import sqlite3

import pytest

from tests.helpers.browser import CHROMIUM, SIZES
from tests.helpers.browser import screens as browser_screens
from tests.helpers.paths import IDS
from tests.helpers.site import served

axe_playwright = pytest.importorskip("axe_playwright_python.sync_playwright")

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} not installed")

SCHEMES = ["light", "dark"]
AXE_OPTIONS = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"],
    },
    "resultTypes": ["violations"],
}
BLOCKING = {"serious", "critical"}
# Pages whose scripts fetch and draw after the load event (charts, the map): axe waits for them.
SCRIPTED = {"dashboard", "map"}


def page_paths(db_path) -> dict[str, tuple[str, int]]:
    """{page type: (path, expected status)}, the month, tag and owner read from the build."""
    db = sqlite3.connect(db_path)
    one = lambda sql: (db.execute(sql).fetchone() or [None])[0]  # noqa: E731
    month = one("select month from tweets_per_month order by tweets desc, month limit 1")
    tag = one("select tag from hashtag_counts order by tweets desc, tag limit 1")
    owner = one("select screen_name from users where is_owner = 1 order by id limit 1")
    geotagged = one("select geotagged from archive_totals")
    db.close()
    year, mm = month.split("-")
    paths = {
        "home": "/",
        "timeline": "/timeline",
        "timeline-year": f"/timeline/{year}",
        "timeline-month": f"/timeline/{year}/{mm}",
        "tweet-photos": f"/archive/tweets/{IDS['photo']}",
        "tweet-reply": f"/archive/tweets/{IDS['t3']}",
        "search": "/search?q=tokyo",
        "hashtag": f"/hashtag/{tag}",
        "account": f"/-/user/{owner}",
        "quotes": "/quotes",
        "threads": "/threads",
        "most-liked": "/most-liked",
        "media": "/media",
        "stats": "/stats",
        "dashboard": "/-/dashboards/activity",
        "on-this-day": "/on-this-day?date=06-05",
        "database": "/archive",
        "tweets-table": "/archive/tweets",
        "tweets-table-filtered": "/archive/tweets?_facet=kind&kind=reply",
        "canned-query": "/archive/latest",
        "sql-editor": "/archive?sql=select+id,+text+from+tweets+limit+3",
    }
    if geotagged:
        paths["map"] = "/archive/geotagged"
    statuses = {name: (path, 200) for name, path in paths.items()}
    statuses["missing"] = ("/no/such/page", 404)
    return statuses


@pytest.fixture(scope="module")
def site(site_db):
    with served(site_db) as base:
        yield base, page_paths(site_db)


@pytest.fixture(scope="module")
def screens(browser, site):
    """One page per size and scheme, made when first asked for."""
    with browser_screens(browser, site[0]) as screen:
        yield lambda size, scheme: screen(size, scheme).page


def violations(page) -> list[tuple[str, str, list[str]]]:
    """axe's serious and critical violations on the page: (id, impact, targets)."""
    results = axe_playwright.Axe().run(page, options=AXE_OPTIONS).response
    return [
        (v["id"], v["impact"], [" ".join(map(str, node["target"])) for node in v["nodes"]])
        for v in results["violations"]
        if v["impact"] in BLOCKING
    ]


PAGE_TYPES = [
    "home",
    "timeline",
    "timeline-year",
    "timeline-month",
    "tweet-photos",
    "tweet-reply",
    "search",
    "hashtag",
    "account",
    "quotes",
    "threads",
    "most-liked",
    "media",
    "stats",
    "dashboard",
    "on-this-day",
    "map",
    "database",
    "tweets-table",
    "tweets-table-filtered",
    "canned-query",
    "sql-editor",
    "missing",
]


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize("page_type", PAGE_TYPES)
def test_no_serious_axe_violations(site, screens, page_type, size, scheme):
    base, paths = site
    if page_type not in paths:
        pytest.skip(f"the fixture has no {page_type} page")
    path, status = paths[page_type]
    page = screens(size, scheme)
    response = page.goto(base + path)
    assert response.status == status, path
    if page_type in SCRIPTED:
        page.wait_for_load_state("networkidle")
    found = violations(page)
    assert found == [], f"{path} at {size}, {scheme}: " + "; ".join(
        f"{rule} ({impact}) on {', '.join(targets)}" for rule, impact, targets in found
    )
