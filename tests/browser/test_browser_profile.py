"""The owner's profile header as a reader sees it, on a phone and a desktop, light and dark:
the round avatar over the banner, nothing wider than the screen. Screenshots of home go to
build/screenshots/h5-home-<viewport>-<scheme>.png."""

import pytest

from tests.helpers.browser import CHROMIUM, SCREENSHOTS, offline_context
from tests.helpers.build import run_build
from tests.helpers.paths import FIXTURES
from tests.helpers.site import served

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} not installed")

VIEWPORTS = {"phone": (390, 844), "desktop": (1280, 900)}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    db_path = tmp_path_factory.mktemp("profile") / "archive.db"
    result = run_build(db_path, FIXTURES / "profile" / "official")
    assert result.exit_code == 0, result.output
    with served(db_path) as base:
        yield base


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_the_profile_header_fits_the_screen(browser, site, viewport, scheme):
    width, height = VIEWPORTS[viewport]
    context = offline_context(
        browser, site, viewport={"width": width, "height": height}, color_scheme=scheme
    )
    page = context.new_page()
    errors = []
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    try:
        assert page.goto(site + "/").status == 200
        page.wait_for_load_state("networkidle")
        header = page.locator("section.profile-header")
        avatar = header.locator("img.profile-avatar")
        banner = header.locator("img.profile-banner")
        assert avatar.get_attribute("alt") == "Profile picture of @tz_owner"
        # Both pictures loaded, the avatar round and over the banner's lower edge.
        assert page.evaluate(
            "[...document.querySelectorAll('.profile-header img')]"
            ".map(i => i.complete && i.naturalWidth > 0)"
        ) == [True, True]
        assert avatar.evaluate("i => getComputedStyle(i).borderRadius") == "50%"
        a, b = avatar.bounding_box(), banner.bounding_box()
        assert a["y"] < b["y"] + b["height"] < a["y"] + a["height"]
        box = header.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        assert header.locator(".profile-joined").inner_text() == "Joined March 2011"
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"h5-home-{viewport}-{scheme}.png"))
        assert errors == []
    finally:
        context.close()
