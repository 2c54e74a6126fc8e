"""The private site's message pages in Debian's headless Chromium, served by a real
`datasette`: the conversation list, a group chat of 300 messages (with a long word and a
long address in it) and the chats with a photo and a video, at 390×844 and 1280×900, light
and dark: nothing scrolls sideways, tap targets are 44 px on a phone, no console error, and
axe finds no serious or critical violation. Screenshots go to build/screenshots/private/."""

import pytest
import sqlite_utils

from tests.browser.test_axe import violations
from tests.helpers.browser import CHROMIUM, SCREENSHOTS, SIZES
from tests.helpers.browser import screens as browser_screens
from tests.helpers.private_messages import LONG_GROUP, build_private, rich_copy
from tests.helpers.site import served

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} not installed")

SCHEMES = ["light", "dark"]
PAGES = {
    "list": "/messages",
    "group": f"/messages/{LONG_GROUP}",
    "photo": "/messages/2000000000000000001-2000000000000000002",
    "video": "/messages/1400000000000000000",
}
LONG_WORD = "Donaudampfschifffahrtsgesellschaftskapitän" * 6
LONG_URL = "https://example.org/" + "a-very-long-path-segment/" * 12 + "end"
# Links a thumb taps on a phone that are under 44 px tall (links inside a message's text
# are part of its text: WCAG 2.5.8 exempts them).
SMALL_TARGETS = """() => [...document.querySelectorAll('main a, main button, main video')]
  .filter(el => !el.closest('.chat-text'))
  .map(el => [el.textContent.trim().slice(0, 30), el.getBoundingClientRect().height])
  .filter(([, height]) => height > 0 && height < 44)"""


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    built = build_private(tmp_path_factory.mktemp("browser-private") / "archive.db")
    db_path = rich_copy(built, tmp_path_factory.mktemp("browser-rich") / "archive.db", 300)
    db = sqlite_utils.Database(db_path)
    newest = db.execute(
        "select id from dm_messages where conversation_id = ? order by created_at desc limit 1",
        [LONG_GROUP],
    ).fetchone()[0]
    db.execute(
        "update dm_messages set text = ? where id = ?",
        [f"{LONG_WORD} {LONG_URL}\nand a second line", newest],
    )
    db.conn.commit()
    db.close()
    with served(db_path) as base:
        yield base


@pytest.fixture(scope="module")
def screens(browser, site):
    with browser_screens(browser, site) as screen:
        yield lambda size, scheme: (screen(size, scheme).page, screen(size, scheme).errors)


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize("name", list(PAGES))
def test_message_pages_fit_read_well_and_pass_axe(site, screens, name, size, scheme):
    page, errors = screens(size, scheme)
    path = PAGES[name]
    response = page.goto(site + path)
    assert response.status == 200, path
    page.wait_for_load_state("networkidle")
    where = f"{path} at {size}, {scheme}"
    width, inner = page.evaluate("[document.documentElement.scrollWidth, innerWidth]")
    assert width <= inner, f"{where}: {width} px wide in a {inner} px window"
    if size == "phone":
        assert page.evaluate(SMALL_TARGETS) == [], where
    found = violations(page)
    assert found == [], f"{where}: " + "; ".join(
        f"{rule} ({impact}) on {', '.join(targets)}" for rule, impact, targets in found
    )
    folder = SCREENSHOTS / "private"
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"{name}-{size}-{scheme}.png"), full_page=name != "group")
    if name == "group":
        # Its newest messages (the long word and address among them), at the page's end.
        page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
        page.screenshot(path=str(folder / f"{name}-end-{size}-{scheme}.png"))
    assert errors == [], where


def test_the_photo_and_the_video_load(site, screens):
    page, errors = screens("desktop", "light")
    page.goto(site + PAGES["photo"])
    page.wait_for_load_state("networkidle")
    # (The fixture's photo is a few bytes, no real JPEG: the request answers, the image
    # can't decode; what matters is that the page asks the private route for it.)
    assert page.evaluate("[...document.images].map(i => new URL(i.src).pathname)") == [
        "/-/dm-media/1300000000000000004/0"
    ]
    answered = page.request.get(site + "/-/dm-media/1300000000000000004/0")
    assert answered.status == 200 and answered.headers["content-type"] == "image/jpeg"
    page.goto(site + PAGES["video"])
    assert page.locator("video[controls]").count() == 1


@pytest.mark.parametrize("size", list(SIZES))
def test_a_link_to_a_message_shows_it_marked(site, screens, size):
    # As message search links it: the page holding it (not the newest), scrolled to it,
    # outlined; axe has nothing against aria-current.
    page, errors = screens(size, "light")
    message_id = 1500000000000000001 + 120
    page.goto(f"{site}/messages/{LONG_GROUP}?at={message_id}#m{message_id}")
    page.wait_for_load_state("networkidle")
    marked = page.locator("li[aria-current=true]")
    assert marked.get_attribute("id") == f"m{message_id}"
    box = marked.bounding_box()
    assert 0 <= box["y"] < SIZES[size][1], box
    outline = marked.locator(".chat-bubble").evaluate("b => getComputedStyle(b).outlineStyle")
    assert outline == "solid"
    assert violations(page) == []
    folder = SCREENSHOTS / "private"
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(folder / f"group-at-{size}-light.png"))
    assert errors == []
