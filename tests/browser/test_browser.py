"""The site in Debian's headless Chromium, against a real `datasette` process.

Every page must load with no JavaScript error, no dialog and no Content-Security-Policy
violation (each page kind is served with the site's policy); requests that would leave
127.0.0.1 (map tiles) are answered with an empty 204, so the tests run offline. Screenshots
are written to build/screenshots/.
"""

import shutil

import pytest

from tests.helpers.browser import CHROMIUM, Visit
from tests.helpers.paths import IDS
from tests.helpers.site import served

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} not installed")


@pytest.fixture(scope="module")
def server(site_db, tmp_path_factory):
    db_path = tmp_path_factory.mktemp("browser") / "archive.db"
    shutil.copy(site_db, db_path)
    with served(db_path) as base:
        yield base


@pytest.fixture
def visit(browser, server):
    visit = Visit(browser, server)
    yield visit
    visit.close()


def test_home_page_draws_its_charts(visit):
    page = visit.open("/")
    # Drawn by the page itself: bars as wide as the column, a week of hours as a grid.
    bars = page.locator("#chart-months svg rect")
    assert bars.count() == 5
    assert page.locator("#chart-months svg").bounding_box()["height"] > 100
    assert page.locator("#chart-hours .hour-cell").count() == 7 * 24
    assert page.locator("#chart-hours .hour-cell").first.bounding_box()["width"] > 5
    assert page.locator("h1").inner_text() == "@site_owner — tweet archive"
    counts = page.locator("ul.home-counts li").all_inner_texts()
    assert counts[:3] == ["24\nin all", "16\ntweets", "5\nreplies"]
    visit.screenshot("home")
    page.fill("#home-q", "東京")
    page.press("#home-q", "Enter")
    page.wait_for_selector("ol.search-results")
    assert page.url == visit.base + "/search?q=%E6%9D%B1%E4%BA%AC"


CONTRAST = """el => {
  const channels = value => value.match(/[\\d.]+/g).slice(0, 3).map(Number);
  const luminance = rgb => {
    const [r, g, b] = rgb.map(c => c / 255).map(
      c => c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const style = getComputedStyle(el);
  const [a, b] = [style.color, style.backgroundColor].map(channels).map(luminance);
  return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
}"""


def test_search_buttons_are_readable(visit):
    """White on the button's blue must reach WCAG AA's 4.5:1 for text (it was 3.0:1)."""
    for path in ("/", "/archive/search?q=tokyo"):
        page = visit.open(path)
        button = page.locator("form[role=search] button").first
        assert button.evaluate(CONTRAST) >= 4.5, path


def test_home_counts_sit_two_a_row_on_a_phone(browser, server):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.goto(server + "/")
    tops = page.eval_on_selector_all(
        "ul.home-counts li", "items => items.map(li => li.getBoundingClientRect().top)"
    )
    width = page.evaluate("document.documentElement.scrollWidth")
    context.close()
    assert tops[0] == tops[1] and width <= 390


def test_tweet_page_with_thread_and_media(visit):
    page = visit.open(f"/archive/tweets/{IDS['t3']}")
    ids = page.locator("article.tweet").evaluate_all("els => els.map(e => e.dataset.tweetId)")
    assert ids == [str(IDS["t1"]), str(IDS["t2"]), str(IDS["t3"])]
    assert page.locator("article.tweet-main .tweet-text").inner_text() == (
        "3/3 and the end, with a photo"
    )
    image = page.locator("article.tweet-main .tweet-media img")
    assert image.evaluate("img => img.complete && img.naturalWidth") == 6
    visit.screenshot("tweet-thread")


def test_script_payloads_never_run(visit):
    for name in ("script", "img", "rtl"):
        page = visit.open(f"/archive/tweets/{IDS[name]}")
        assert page.locator("article.tweet-main a[href^='javascript']").count() == 0
    assert page.locator("article.tweet-main .tweet-text").inner_text() == (
        "Invoice for gnp.exe ok and zero\u200bwidth @fri\u200bend example.com/x done"
    )
    page = visit.open(f"/archive/tweets/{IDS['script']}")
    assert page.locator("article.tweet-main .tweet-text").inner_text() == (
        "<script>alert(1)</script> hello #Hostile world"
    )
    visit.screenshot("tweet-script-payload")
    page = visit.open("/archive/tweets?_sort=id")
    assert page.locator("td.col-text").count() == 24
    visit.screenshot("tweets-table")
    visit.open("/archive/search?q=alert")
    visit.open("/archive/search_feed.atom?q=alert")
    assert visit.dialogs == []


def test_search_page_highlights_matches(visit):
    page = visit.open("/archive/search?q=%22quick+brown%22+OR+%D0%BA%D0%BE%D1%82%D1%8B")
    assert sorted(page.locator("ol.search-results mark").all_inner_texts()) == [
        "quick brown",
        "коты",
    ]
    visit.screenshot("search")
    page = visit.open("/archive/search?q=%22unbalanced+AND+*+-")
    assert page.locator(".zero-results").inner_text() == 'No tweet matches "unbalanced AND * -.'


def test_map_of_geotagged_tweets(visit):
    page = visit.open("/archive/geotagged")
    markers = page.locator(".leaflet-marker-icon")
    markers.first.wait_for()
    assert markers.count() == 3
    page.evaluate("() => document.querySelector('.leaflet-marker-icon').click()")
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    link = popup.locator("a").get_attribute("href")
    assert link.startswith("tweets/")
    assert int(link.split("/")[1]) in {IDS["geo_sf"], IDS["geo_paris"], IDS["geo_tokyo"]}
    visit.screenshot("map-geotagged")


def test_map_of_the_located_tweets_view(visit):
    page = visit.open("/archive/located_tweets")
    markers = page.locator(".leaflet-marker-icon")
    markers.first.wait_for()
    assert markers.count() == 3
    page.evaluate("() => document.querySelector('.leaflet-marker-icon').click()")
    popup = page.locator(".leaflet-popup-content")
    popup.wait_for()
    href = popup.locator("a").get_attribute("href")
    assert href in {f"tweets/{IDS[n]}" for n in ("geo_sf", "geo_paris", "geo_tokyo")}
    assert " May 2020" in popup.inner_text()
    visit.screenshot("map-located-tweets")


def test_located_tweet_page_has_a_map_pin(visit):
    page = visit.open(f"/archive/tweets/{IDS['geo_tokyo']}")
    page.locator("#tweet-map .leaflet-marker-icon").wait_for()
    visit.screenshot("tweet-located")


def test_dashboard_charts(visit):
    page = visit.open("/-/dashboards/activity")
    for chart in ("per-month", "hour-by-weekday", "per-year"):
        page.wait_for_selector(f"#chart-{chart} svg .mark-rect path, #chart-{chart} canvas")
    visit.screenshot("dashboard")


def test_user_page_and_mention_links(visit):
    page = visit.open(f"/archive/tweets/{IDS['reply_friend']}")
    page.click("article.tweet-main a.mention")
    page.wait_for_load_state("networkidle")
    assert page.locator("h1.user-title").inner_text().startswith("@friend_b")
    assert page.locator("ol.timeline article.tweet").count() == 3
    visit.screenshot("user")
