"""Private builds (--private) of the real exports in ../shared/archives-private: the DM counts
of its README, exactly. These archives hold real people's messages: only counts are compared
and printed, never a text, a name or an id."""

import pytest
import sqlite_utils

from tests.helpers.build import run_build
from tests.helpers.paths import ROOT

PRIVATE_ARCHIVES = ROOT.parent / "shared" / "archives-private"

ONE_TO_ONE = "(select id from dm_conversations where kind = 'one_to_one')"
GROUPS = "(select id from dm_conversations where kind = 'group')"
COUNTS = {
    "1:1 conversations": "select count(*) from dm_conversations where kind = 'one_to_one'",
    "1:1 messages": f"select count(*) from dm_messages where is_welcome = 0 "
    f"and conversation_id in {ONE_TO_ONE}",
    "1:1 messages with media": "select count(*) from dm_messages where is_welcome = 0 "
    f"and media is not null and conversation_id in {ONE_TO_ONE}",
    "1:1 messages with links": "select count(*) from dm_messages where is_welcome = 0 "
    f"and urls is not null and conversation_id in {ONE_TO_ONE}",
    "welcome messages": "select count(*) from dm_messages where is_welcome = 1",
    "reactions": "select count(*) from dm_reactions",
    "group conversations": "select count(*) from dm_conversations where kind = 'group'",
    "group messages": f"select count(*) from dm_messages where conversation_id in {GROUPS}",
    "group messages with media": "select count(*) from dm_messages where media is not null "
    f"and conversation_id in {GROUPS}",
    "group messages with links": "select count(*) from dm_messages where urls is not null "
    f"and conversation_id in {GROUPS}",
    "group events": f"select count(*) from dm_events where conversation_id in {GROUPS}",
    "DM media files found": "select count(*) from dm_messages, json_each(dm_messages.media) "
    "where json_each.value ->> 'path' is not null",
    "DM problems": "select count(*) from etl_problems where file like '%direct%'",
}
# ../shared/archives-private/README.md's summary table.
EXPECTED = {
    "RobErskine__robs-twitter": [70, 1178, 37, 144, 1, 40, 5, 13, 1, 2, 5, 4 + 1, 0],
    "pattiereaves__pazzypunk": [192, 2516, 14, 71, 2, 18, 7, 41, 0, 0, 8, 5, 0],
    "takumi-git__test-page": [9, 154, 22, 25, 0, 0, 0, 0, 0, 0, 0, 5, 0],
}


@pytest.mark.integration
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_private_build_of_a_shared_export_gives_the_readme_counts(tmp_path, name):
    source = PRIVATE_ARCHIVES / name
    if not source.exists():
        pytest.skip(f"{source} not present")
    result = run_build(tmp_path / "private.db", source, args=["--private", "--quiet"])
    assert result.exit_code == 0, "the build failed"  # its output may quote a message
    db = sqlite_utils.Database(tmp_path / "private.db")
    found = {label: db.execute(sql).fetchone()[0] for label, sql in COUNTS.items()}
    assert found == dict(zip(COUNTS, EXPECTED[name], strict=True))


@pytest.mark.integration
def test_every_message_of_a_split_conversation_is_in_one_row_of_conversations(tmp_path):
    """Whatever the archive, message_count adds up over every entry of a conversation."""
    source = PRIVATE_ARCHIVES / "pattiereaves__pazzypunk"
    if not source.exists():
        pytest.skip(f"{source} not present")
    result = run_build(tmp_path / "private.db", source, args=["--private", "--quiet"])
    assert result.exit_code == 0, "the build failed"
    db = sqlite_utils.Database(tmp_path / "private.db")
    assert db.execute(
        "select (select sum(message_count) from dm_conversations), (select count(*) from "
        "dm_messages), (select count(*) from dm_messages where conversation_id not in "
        "(select id from dm_conversations))"
    ).fetchone() == (2516 + 2 + 41, 2516 + 2 + 41, 0)
