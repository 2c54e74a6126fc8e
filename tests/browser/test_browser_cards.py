"""Tweet cards in headless Chromium, on the cards fixture (tests/fixtures/cards) served as a
publish serves it and as a static folder: photos at the card's width on a tweet's page and as
a two-by-two grid, the lightbox opened from a card's photo (mouse and keyboard), quoted tweets
inside their quoting card, "Replying to @name" on a Markdown reply, cards opening their tweet
on a click but not on a text selection, and "Show more" on the tweet cut above an opened one."""

import json

import pytest
from click.testing import CliRunner

from etl.cli import cli
from tests.helpers.browser import CHROMIUM, file_server, offline_context
from tests.helpers.build import run_build
from tests.helpers.paths import FIXTURES
from tests.helpers.site import served

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} not installed")

CARDS = FIXTURES / "cards"
IDS = json.loads((CARDS / "ids.json").read_text())
SIZES = {"phone": (390, 844), "laptop": (1280, 900)}
OVERFLOW = "document.documentElement.scrollWidth - document.documentElement.clientWidth"

# The boxes of a card's photos, and of the card's content (inside its border and padding).
PHOTO_BOXES = """(id) => {
  const card = document.querySelector(`article.tweet[data-tweet-id="${id}"]`);
  const style = getComputedStyle(card);
  const box = card.getBoundingClientRect();
  const inner = box.width - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight)
    - parseFloat(style.borderLeftWidth) - parseFloat(style.borderRightWidth);
  const photos = [...card.querySelectorAll(':scope > .tweet-media img')].map(img => {
    const r = img.getBoundingClientRect();
    return {left: r.left, top: r.top, width: r.width, height: r.height, loaded: img.naturalWidth};
  });
  return {inner, photos};
}"""


@pytest.fixture(scope="module")
def cards_db(tmp_path_factory):
    db_path = tmp_path_factory.mktemp("browser-cards") / "archive.db"
    result = run_build(db_path, CARDS / "markdown", CARDS / "later")
    assert result.exit_code == 0, result.output
    return db_path


@pytest.fixture(scope="module")
def base(cards_db):
    with served(cards_db) as address:
        yield address


class Visit:
    def __init__(self, browser, base, size="laptop"):
        width, height = SIZES[size]
        self.base = base
        self.context = offline_context(browser, base, viewport={"width": width, "height": height})
        self.page = self.context.new_page()
        self.errors = []
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))

    def open(self, path):
        response = self.page.goto(self.base + path)
        assert response.status == 200, path
        self.page.wait_for_load_state("networkidle")
        assert self.page.evaluate(OVERFLOW) <= 0, path
        return self.page

    def close(self):
        self.context.close()
        assert self.errors == []


@pytest.fixture
def visit(browser, base):
    visits = []

    def make(size="laptop"):
        visits.append(Visit(browser, base, size))
        return visits[-1]

    yield make
    for v in visits:
        v.close()


@pytest.mark.parametrize("size", SIZES)
def test_photos_take_the_cards_width_on_a_tweet_page(visit, size):
    v = visit(size)
    # A tall screenshot of text: the card's width, so that it can be read.
    page = v.open(f"/archive/tweets/{IDS['screenshot']}")
    boxes = page.evaluate(PHOTO_BOXES, str(IDS["screenshot"]))
    (photo,) = boxes["photos"]
    assert photo["loaded"] == 552
    assert photo["width"] >= 0.9 * boxes["inner"], boxes
    assert photo["height"] > photo["width"]
    # Four photos: two by two, equal cells filling the card's width.
    page = v.open(f"/archive/tweets/{IDS['four']}")
    boxes = page.evaluate(PHOTO_BOXES, str(IDS["four"]))
    a, b, c, d = boxes["photos"]
    assert abs(a["top"] - b["top"]) < 1 and abs(c["top"] - d["top"]) < 1
    assert abs(a["left"] - c["left"]) < 1 and abs(b["left"] - d["left"]) < 1
    assert c["top"] >= a["top"] + a["height"] - 1 and b["left"] >= a["left"] + a["width"] - 1
    assert all(
        abs(p["width"] - a["width"]) < 1 and abs(p["height"] - a["height"]) < 1 for p in (b, c, d)
    )
    assert b["left"] + b["width"] - a["left"] >= 0.9 * boxes["inner"], boxes


def lightbox(page):
    return page.evaluate("""() => {
      const dialog = document.querySelector('dialog.lightbox');
      const media = dialog && dialog.querySelector('.lightbox-media');
      return dialog && {
        open: dialog.open,
        src: media && media.getAttribute('src'),
        count: dialog.querySelector('.lightbox-count').textContent,
        tweet: dialog.querySelector('.lightbox-tweet').getAttribute('href'),
        focus: document.activeElement.className,
      };
    }""")


def test_a_card_photo_opens_the_lightbox_and_escape_closes_it(visit):
    v = visit("phone")
    four = IDS["four"]
    page = v.open("/timeline/2023/02")
    photos = page.locator(f'article.tweet[data-tweet-id="{four}"] > .tweet-media a.media-open')
    assert photos.count() == 4
    photos.nth(1).click()
    assert lightbox(page) == {
        "open": True,
        "src": f"/-/media/{four}/1",
        "count": "2 of 4",
        "tweet": f"/archive/tweets/{four}#t{four}",
        "focus": "lightbox-close",
    }
    assert page.evaluate("document.querySelector('.lightbox-media').complete")
    page.keyboard.press("ArrowRight")
    assert lightbox(page)["src"] == f"/-/media/{four}/2"
    page.keyboard.press("Escape")
    assert lightbox(page)["open"] is False
    # The focus returns to the photo shown; Enter opens it again.
    page.wait_for_function(f"document.activeElement.getAttribute('href') === '/-/media/{four}/2'")
    assert page.url == v.base + "/timeline/2023/02"
    page.keyboard.press("Enter")
    assert lightbox(page)["open"] is True and lightbox(page)["count"] == "3 of 4"
    page.keyboard.press("Escape")
    # A quoted tweet's photo opens too, alone.
    quoted = page.locator(f'article.tweet[data-tweet-id="{IDS["quote"]}"] .quoted-card img')
    quoted.click()
    assert lightbox(page)["src"] == f"/-/media/{four}/0" and lightbox(page)["count"] == ""
    page.keyboard.press("Escape")


INSIDE = """(id) => {
  const card = document.querySelector(`article.tweet[data-tweet-id="${id}"]`);
  const quoted = card.querySelector('.quoted-card');
  const a = card.getBoundingClientRect(), b = quoted.getBoundingClientRect();
  return {inside: b.left > a.left && b.right < a.right && b.top > a.top && b.bottom < a.bottom,
          text: quoted.innerText};
}"""


@pytest.mark.parametrize("path", ["/quotes", "/timeline/2023/02"])
def test_quoted_tweets_sit_inside_their_card(visit, path):
    page = visit("phone").open(path)
    quoted = page.evaluate(INSIDE, str(IDS["quote"]))
    assert quoted["inside"]
    assert "Four photos from the trip" in quoted["text"]
    missing = page.evaluate(INSIDE, str(IDS["quote_missing"]))
    assert missing["inside"]
    assert missing["text"] == "Quoting @far_away, not in this archive: see it on twitter.com"


def test_a_markdown_reply_says_whom_it_answers(visit):
    page = visit("phone").open("/timeline/2023/02")
    context = page.locator(f'article.tweet[data-tweet-id="{IDS["reply"]}"] .reply-context')
    assert context.inner_text() == "Replying to @pen_pal and @other_pal"
    assert context.get_by_role("link", name="@pen_pal").get_attribute("href") == "/-/user/pen_pal"


def test_a_card_opens_its_tweet_but_a_selection_stays(visit):
    v = visit("laptop")
    page = v.open("/timeline/2023/02")
    two = IDS["two"]
    text = page.locator(f'article.tweet[data-tweet-id="{two}"] .tweet-text')
    # Selecting the text (a drag across it) selects, and stays on the page.
    text.scroll_into_view_if_needed()
    box = text.evaluate(
        "el => { const r = document.createRange(); r.selectNodeContents(el);"
        " const b = r.getBoundingClientRect(); return {x: b.x, y: b.y, w: b.width, h: b.height}; }"
    )
    page.mouse.move(box["x"] + 1, box["y"] + box["h"] / 2)
    page.mouse.down()
    page.mouse.move(box["x"] + box["w"] - 1, box["y"] + box["h"] / 2, steps=5)
    page.mouse.up()
    assert page.evaluate("getSelection().toString()") == "Two photos"
    assert page.url == v.base + "/timeline/2023/02"
    assert (
        page.evaluate(
            f"getComputedStyle(document.querySelector('[data-tweet-id=\"{two}\"]')).cursor"
        )
        == "pointer"
    )
    # A click (no selection) anywhere on the card that is not a link opens the tweet.
    page.evaluate("getSelection().removeAllRanges()")
    with page.expect_navigation():
        text.click()
    assert page.url == v.base + f"/archive/tweets/{two}#t{two}"
    # A quoted tweet's card opens the quoted tweet.
    page = v.open("/quotes")
    with page.expect_navigation():
        page.locator(".quoted-card .tweet-text").first.click()
    four = IDS["four"]
    assert page.url == v.base + f"/archive/tweets/{four}#t{four}"
    # The opened tweet's own card is no link.
    page.locator("article.tweet-main .tweet-text").click()
    page.wait_for_timeout(200)
    assert page.url == v.base + f"/archive/tweets/{four}#t{four}"


def test_the_tweet_above_an_opened_one_can_be_shown_whole(visit):
    page = visit("phone").open(f"/archive/tweets/{IDS['long_reply']}")
    text = page.locator("ol.thread-nearest .tweet-text")
    cut = text.bounding_box()["height"]
    more = page.get_by_role("button", name="Show more")
    assert more.get_attribute("aria-expanded") == "false"
    more.click()
    assert text.bounding_box()["height"] > cut * 1.5
    assert page.get_by_role("button", name="Show less").get_attribute("aria-expanded") == "true"
    assert "Line 12 of a long post" in text.inner_text()


@pytest.fixture(scope="module")
def static_base(cards_db, tmp_path_factory):
    root = tmp_path_factory.mktemp("cards-static")
    result = CliRunner().invoke(
        cli, ["publish", str(cards_db), "--target", "static", "--out", str(root / "repo")]
    )
    assert result.exit_code == 0, result.output
    with file_server(root) as address:
        yield address + "/repo/"


def test_photos_and_cards_work_in_a_static_copy(browser, static_base):
    v = Visit(browser, static_base, "phone")
    four = IDS["four"]
    page = v.open("timeline/2023/02/")
    photo = page.locator(f'article.tweet[data-tweet-id="{four}"] > .tweet-media a.media-open')
    photo.first.click()
    state = lightbox(page)
    assert state["open"] and state["count"] == "1 of 4"
    assert page.evaluate("document.querySelector('.lightbox-media').naturalWidth") == 1200
    page.keyboard.press("Escape")
    with page.expect_navigation():
        page.locator(f'article.tweet[data-tweet-id="{four}"] .tweet-text').click()
    assert page.url.startswith(static_base + f"archive/tweets/{four}")
    page.wait_for_load_state("networkidle")
    boxes = page.evaluate(PHOTO_BOXES, str(four))
    assert all(p["loaded"] for p in boxes["photos"])
    v.close()
