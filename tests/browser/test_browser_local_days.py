"""A static copy's undated On this day page opens today in the owner's time zone
(static/on-this-day.js), not in the reader's: the archive's days are the owner's."""

from datetime import UTC, datetime

import pytest
from click.testing import CliRunner

from etl.cli import cli
from tests.helpers.browser import CHROMIUM, file_server, offline_context
from tests.site.test_local_days import TOKYO, build

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} not installed")


@pytest.fixture(scope="module")
def base(tmp_path_factory):
    db_path = build(tmp_path_factory, "tokyo-static", TOKYO, "Tokyo")
    root = tmp_path_factory.mktemp("tokyo-served")
    result = CliRunner().invoke(
        cli, ["publish", str(db_path), "--target", "static", "--out", str(root / "repo")]
    )
    assert result.exit_code == 0, result.output
    with file_server(root) as address:
        yield address + "/repo/"


def test_the_static_on_this_day_opens_the_owners_today(browser, base):
    # 13:00 on 31 March for a reader in Los Angeles, already 05:00 on 1 April in Tokyo; both
    # days have tweets.
    context = offline_context(browser, base, timezone_id="America/Los_Angeles")
    page = context.new_page()
    page.clock.set_fixed_time(datetime(2026, 3, 31, 20, 0, tzinfo=UTC))
    page.goto(base + "on-this-day/")
    page.wait_for_url("**/on-this-day/date-04-01/")
    assert page.locator("h1").inner_text() == "On this day: 1 April"
    context.close()
