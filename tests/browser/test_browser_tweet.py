"""Tweet pages and account pages in headless Chromium, at a phone's 390x844 and a laptop's
1280x900, on a Markdown build (the site fixture) and an official-export build (the
tweet-pages fixture): the opened tweet is in the first screenful, nothing scrolls sideways, no
console error. Screenshots go to build/screenshots/tweet-*.png."""

import contextlib
import json

import pytest

from tests.helpers.browser import CHROMIUM, offline_context
from tests.helpers.build import run_build
from tests.helpers.paths import FIXTURES, ROOT, SITE
from tests.helpers.site import served

SCREENSHOTS = ROOT / "build" / "screenshots"
TP = json.loads((FIXTURES / "tweet-pages" / "ids.json").read_text())
IDS = json.loads((SITE / "ids.json").read_text())
VIEWPORTS = {"phone": (390, 844), "laptop": (1280, 900)}
FRIEND_ID = 6161616161

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} not installed")

OPENED = """() => {
  const main = document.querySelector('article[aria-current="page"]');
  return main && {
    top: main.getBoundingClientRect().top,
    id: main.id,
    height: innerHeight,
    overflow: document.documentElement.scrollWidth - document.documentElement.clientWidth,
  };
}"""
OVERFLOW = "document.documentElement.scrollWidth - document.documentElement.clientWidth"


@pytest.fixture(scope="module")
def sites(tmp_path_factory):
    """The two builds, served: Markdown (with its media) and an official export."""
    folder = tmp_path_factory.mktemp("browser-tweet")
    builds = {
        "markdown": [SITE / "markdown", SITE / "later"],
        "official": [FIXTURES / "tweet-pages" / "official"],
    }
    bases = {}
    with contextlib.ExitStack() as stack:
        for name, sources in builds.items():
            db_path = folder / name / "archive.db"
            db_path.parent.mkdir()
            result = run_build(db_path, *sources)
            assert result.exit_code == 0, result.output
            bases[name] = stack.enter_context(served(db_path))
        yield bases


class Visit:
    def __init__(self, browser, base, size):
        self.base = base
        width, height = VIEWPORTS[size]
        self.context = offline_context(browser, base, viewport={"width": width, "height": height})
        self.page = self.context.new_page()
        self.errors = []
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))

    def open(self, path):
        response = self.page.goto(self.base + path)
        assert response.status == 200, path
        self.page.wait_for_load_state("networkidle")
        return self.page

    def screenshot(self, name):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(SCREENSHOTS / f"tweet-{name}.png"))

    def close(self):
        self.context.close()
        assert self.errors == []


@pytest.fixture(params=list(VIEWPORTS))
def size(request):
    return request.param


def visit_site(browser, sites, build, size):
    return Visit(browser, sites[build], size)


# (build, shot name, tweet): deep in a thread, at its start, edited, a retweet, a photo...
TWEETS = [
    ("official", "thread-end", TP["thread22"]),
    ("official", "thread-middle", TP["thread15"]),
    ("official", "thread-start", TP["thread1"]),
    ("official", "edited-earlier", TP["edit_v1"]),
    ("official", "retweet", TP["rt_local"]),
    ("official", "links", TP["links"]),
    ("official", "photo", TP["photo"]),
    ("official", "arabic", TP["arabic"]),
    ("official", "under-a-long-post", TP["long_reply"]),
    ("markdown", "md-thread-end", IDS["t3"]),
    ("markdown", "md-branch", IDS["t_branch"]),
    ("markdown", "md-quote", IDS["quote"]),
    ("markdown", "md-retweet", IDS["retweet"]),
]


@pytest.mark.parametrize("build,name,tweet_id", TWEETS, ids=[t[1] for t in TWEETS])
def test_the_opened_tweet_is_in_the_first_screenful(browser, sites, size, build, name, tweet_id):
    visit = visit_site(browser, sites, build, size)
    page = visit.open(f"/archive/tweets/{tweet_id}")
    opened = page.evaluate(OPENED)
    assert opened["id"] == f"t{tweet_id}"
    assert 0 <= opened["top"] < opened["height"] - 100, opened  # its start, and some of it
    assert opened["overflow"] <= 0, opened
    assert page.locator("h1").count() == 1
    visit.screenshot(f"{name}-{size}")
    visit.close()


def test_a_self_thread_is_flat(browser, sites, size):
    visit = visit_site(browser, sites, "official", size)
    page = visit.open(f"/archive/tweets/{TP['thread1']}")
    lefts = page.eval_on_selector_all(
        "ol.thread-after > li", "items => items.map(li => li.getBoundingClientRect().left)"
    )
    main = page.eval_on_selector("article.tweet-main", "a => a.getBoundingClientRect().left")
    assert len(lefts) == 23
    assert set(lefts[:21]) == {main}  # the thread: one column, like a thread reader
    assert len(set(lefts[21:])) == 1 and lefts[21] > main  # the branch: one level in
    assert page.evaluate(OVERFLOW) <= 0
    page.locator("ol.thread-after > li.thread-branch").first.scroll_into_view_if_needed()
    visit.screenshot(f"thread-branch-{size}")
    # Earlier tweets fold away on a later tweet's page, and open on demand.
    page = visit.open(f"/archive/tweets/{TP['thread22']}")
    summary = page.locator("details.thread-earlier > summary")
    assert summary.inner_text() == "19 earlier tweets in the thread"
    summary.click()
    assert page.locator("details.thread-earlier article").count() == 19
    assert page.evaluate(OVERFLOW) <= 0
    visit.close()


def test_links_to_archived_tweets_stay_in_the_archive(browser, sites, size):
    visit = visit_site(browser, sites, "official", size)
    page = visit.open(f"/archive/tweets/{TP['links']}")
    page.locator("article.tweet-main a.local-tweet").first.click()
    page.wait_for_load_state("networkidle")
    assert page.url == f"{visit.base}/archive/tweets/{TP['thread1']}#t{TP['thread1']}"
    opened = page.evaluate(OPENED)
    assert opened["id"] == f"t{TP['thread1']}" and 0 <= opened["top"] < opened["height"]
    # A retweet of an archived tweet links to it too.
    page = visit.open(f"/archive/tweets/{TP['rt_local']}")
    page.locator("article.tweet-main a.tweet-original").click()
    page.wait_for_load_state("networkidle")
    assert page.url.startswith(f"{visit.base}/archive/tweets/{TP['thread1']}")
    visit.close()


def test_the_edit_label_and_versions_show(browser, sites, size):
    visit = visit_site(browser, sites, "official", size)
    page = visit.open(f"/archive/tweets/{TP['edit_v2']}")
    assert page.locator("article.tweet-main .tweet-edited").inner_text() == "Earlier version"
    assert page.locator(".tweet-versions li").count() == 3
    page.locator(".edit-note a").click()
    page.wait_for_load_state("networkidle")
    assert page.locator("article.tweet-main .tweet-edited").inner_text() == "Edited"
    assert page.evaluate(OVERFLOW) <= 0
    visit.screenshot(f"edited-latest-{size}")
    visit.close()


def test_the_account_page_goes_past_100(browser, sites, size):
    visit = visit_site(browser, sites, "official", size)
    page = visit.open(f"/archive/users/{FRIEND_ID}")
    shown = []
    for _ in range(3):
        assert page.evaluate(OVERFLOW) <= 0
        shown += page.eval_on_selector_all(
            "ol.timeline article", "cards => cards.map(c => c.dataset.tweetId)"
        )
        older = page.locator("a[rel=next]")
        if not older.count():
            break
        older.click()
        page.wait_for_load_state("networkidle")
    assert len(shown) == len(set(shown)) == 122
    visit.screenshot(f"account-last-page-{size}")
    page = visit.open(f"/archive/users/{FRIEND_ID}")
    visit.screenshot(f"account-{size}")
    visit.close()


def test_tweet_text_carries_its_language_and_direction(browser, sites):
    visit = visit_site(browser, sites, "official", "phone")
    page = visit.open(f"/archive/tweets/{TP['arabic']}")
    text = page.locator("article.tweet-main .tweet-text")
    assert text.get_attribute("lang") == "ar" and text.get_attribute("dir") == "auto"
    assert text.evaluate("el => getComputedStyle(el).direction") == "rtl"
    visit.close()
