"""The private site's followers and likes pages (hooks/private_people.py) in Chromium, at
390×844 and 1280×900, light and dark: no sideways scroll, 44 px account links on a phone,
no console error and no serious or critical axe violation; screenshots in
build/screenshots/private/. The archive is the invented private fixture with names, long
and hostile, and more followers and likes added."""

import shutil

import pytest
import sqlite_utils

from tests.browser.test_axe import violations
from tests.helpers.browser import CHROMIUM, SCREENSHOTS, SIZES, Visit
from tests.helpers.build import run_build
from tests.helpers.paths import FIXTURES
from tests.helpers.site import served

pytest.importorskip("axe_playwright_python.sync_playwright")
pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} not installed")

PAGES = {
    "followers": "/followers",
    "likes": "/likes",
    "lists": "/lists",
    "following-2": "/following?after=3000000000000000049",
    "home": "/",
}
P = 2000000000000000000


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    folder = tmp_path_factory.mktemp("private_browser")
    built = folder / "built.db"
    result = run_build(built, FIXTURES / "private", args=["--private"])
    assert result.exit_code == 0, result.output
    db_path = folder / "archive.db"
    shutil.copy(built, db_path)
    db = sqlite_utils.Database(db_path)
    db.execute("delete from account_names")
    db["account_names"].insert_all(
        [
            {"account_id": P + 2, "screen_name": "friend_two", "name": "Friend <b>Two</b>"},
            {"account_id": P + 3, "screen_name": "a" * 15, "name": "W" * 50},
            {"account_id": P + 10, "screen_name": "ten_ten", "name": "مرحبا \u202e reversed"},
        ]
    )
    more = [3000000000000000000 + n for n in range(120)]
    db["followers"].insert_all({"account_id": n, "user_link": None} for n in more)
    db["following"].insert_all({"account_id": n, "user_link": None} for n in more[::2])
    db["likes"].insert_all(
        {
            "tweet_id": 1500000000000000000 + n,
            "text": f"Liked tweet {n} https://example.com/" + "long-path-" * 12,
            "url": None,
            "liked_tweet_created_at": None,
        }
        for n in range(60)
    )
    db.conn.commit()
    db.close()
    with served(db_path) as base:
        yield base


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("size", list(SIZES))
def test_private_people_pages_fit_and_pass_axe(browser, site, size, scheme):
    width = SIZES[size][0]
    visit = Visit(browser, site, SIZES[size], scheme)
    page, errors = visit.page, visit.errors
    folder = SCREENSHOTS / "private"
    folder.mkdir(parents=True, exist_ok=True)
    found = {}
    for name, path in PAGES.items():
        response = page.goto(site + path)
        assert response.status == 200, path
        page.wait_for_load_state("networkidle")
        assert page.evaluate("document.documentElement.scrollWidth") <= width, path
        assert page.locator("h1").count() == 1, path
        if size == "phone":
            heights = page.eval_on_selector_all(
                "a.person-link, ul.twitter-lists a, .like-meta a",
                "links => links.map(a => a.getBoundingClientRect().height)",
            )
            assert [h for h in heights if h < 44] == [], path
        page.screenshot(path=str(folder / f"people-{name}-{size}-{scheme}.png"), full_page=True)
        found[name] = violations(page)
    visit.context.close()
    assert found == {name: [] for name in PAGES}
    assert errors == []
