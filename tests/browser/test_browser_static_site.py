"""The static site in Chromium, as a plain file server serves it under a prefix (/repo/, as
GitHub Pages serves https://NAME.github.io/REPO/): every kind of page opens, reads at 390 px
without sideways scrolling, logs no error and asks nothing of another host (a tweet's map
tiles aside, answered empty by the offline context)."""

from urllib.parse import urlsplit

import pytest
from click.testing import CliRunner

from etl.cli import cli
from tests.helpers.browser import CHROMIUM, SCREENSHOTS, file_server, offline_context
from tests.helpers.paths import IDS

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} not installed")
TILE_HOSTS = ("tile.openstreetmap.org",)


@pytest.fixture(scope="module")
def served_root(site_db, tmp_path_factory):
    root = tmp_path_factory.mktemp("static-served")
    result = CliRunner().invoke(
        cli, ["publish", str(site_db), "--target", "static", "--out", str(root / "repo")]
    )
    assert result.exit_code == 0, result.output
    return root


@pytest.fixture(scope="module")
def base(served_root):
    with file_server(served_root) as address:
        yield address + "/repo/"


def pages(served_root) -> list[str]:
    folder = served_root / "repo"
    hashtag = sorted(p.name for p in (folder / "hashtag").iterdir())[0]
    user = sorted(p.name for p in (folder / "archive/users").iterdir())[0]
    day = sorted(p.name for p in (folder / "on-this-day").iterdir() if p.is_dir())[0]
    return [
        "",
        "timeline/",
        "timeline/2021/",
        f"on-this-day/{day}/",
        "media/",
        "stats/",
        f"hashtag/{hashtag}/",
        f"archive/users/{user}/",
        f"archive/tweets/{IDS['geo_sf']}/",
        "search/?q=sqlite",
    ]


@pytest.mark.parametrize("width, height", [(390, 844), (1280, 900)])
def test_every_kind_of_page_reads_at_any_width_from_this_host_only(
    browser, base, served_root, width, height
):
    context = offline_context(browser, base, viewport={"width": width, "height": height})
    elsewhere, errors = [], []
    context.on(
        "request",
        lambda r: (
            not r.url.startswith(base)
            and not r.url.startswith("data:")
            and not urlsplit(r.url).hostname.endswith(TILE_HOSTS)
            and elsewhere.append(r.url)
        ),
    )
    try:
        page = context.new_page()
        page.on("console", lambda m: m.type == "error" and errors.append(m.text))
        page.on("pageerror", lambda e: errors.append(str(e)))
        for path in pages(served_root):
            response = page.goto(base + path)
            assert response.status == 200, path
            page.wait_for_load_state("networkidle")
            assert page.title() and "Error" not in page.title(), path
            overflow = page.evaluate("document.documentElement.scrollWidth - innerWidth")
            assert overflow <= 0, (path, overflow)
            # Styled: the site's CSS arrived (the header bar is not the browser's default).
            assert (
                page.evaluate("getComputedStyle(document.querySelector('body')).fontFamily") != ""
            ), path
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.goto(base)
        page.screenshot(path=str(SCREENSHOTS / f"static-home-{width}.png"))
    finally:
        context.close()
    assert (elsewhere, errors) == ([], [])


def test_a_missing_address_gets_the_sites_404_page(browser, base):
    # Python's file server answers its own 404; a static host answers 404.html. Open it.
    context = offline_context(browser, base)
    try:
        page = context.new_page()
        assert page.goto(base + "404.html").status == 200
        assert "not found" in page.inner_text("body").lower()
    finally:
        context.close()


@pytest.mark.parametrize(
    "query, tweet, mark",
    [("run", "english", "running"), ("東京", "japanese", "東京")],
)
def test_the_published_folder_searches_in_the_browser(browser, base, query, tweet, mark):
    context = offline_context(browser, base, viewport={"width": 390, "height": 844})
    try:
        page = context.new_page()
        # The home page's search box, as a reader uses it.
        page.goto(base)
        page.fill("input[name=q]", query)
        page.press("input[name=q]", "Enter")
        page.wait_for_selector(".search-summary:not(:empty):not(:has-text('Searching'))")
        card = page.locator(f".search-results article.tweet[data-tweet-id='{IDS[tweet]}']")
        assert card.locator(".tweet-text mark").first.inner_text() == mark
        # The result opens the tweet's own page under the prefix.
        card.locator("a.tweet-time").click()
        page.wait_for_load_state()
        assert page.url == base + f"archive/tweets/{IDS[tweet]}/"
    finally:
        context.close()
