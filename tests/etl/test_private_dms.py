"""DMs of official exports, imported only by a private build (etl/private_dms.py, issue 19).

The fixture (tests/fixtures/private) is invented: an export without its tweets file, a 1:1
conversation split over two entries that are not adjacent, a conversation with oneself, a
message with no text, reactions inline and as `reactionCreate`, a welcome message, a group
with join/leave/rename events, damaged entries, DM media and messages naming paths outside
the DM media folders. Every DM text holds DMSECRETWORD.
"""

import json

import pytest
import sqlite_utils

from etl import sources
from tests.helpers.build import run_build
from tests.helpers.paths import FIXTURES

PRIVATE = FIXTURES / "private"
MODERN = FIXTURES / "official" / "modern"  # has data/direct-messages.js too
OWNER, ALICE, SHOP, BOB = 2000000000000000001, 2000000000000000002, 999, 2000000000000000003
PAIR = f"{OWNER}-{ALICE}"
WITH_SHOP = f"{SHOP}-{OWNER}"  # numerically smaller id first: "999" sorts after "2..." as text
SELF = f"{OWNER}-{OWNER}"
GROUP = "1400000000000000000"
DM_TABLES = ["dm_conversations", "dm_messages", "dm_reactions", "dm_events"]


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    path = tmp_path_factory.mktemp("private_dms") / "private.db"
    result = run_build(path, PRIVATE, args=["--private"])
    assert result.exit_code == 0, result.output
    return sqlite_utils.Database(path)


def rows(db, sql):
    return [tuple(row.values()) for row in db.query(sql)]


def test_conversations_merged_over_entries_with_participants_times_and_names(db):
    assert rows(db, "select * from dm_conversations order by kind, id") == [
        (
            GROUP,
            "group",
            json.dumps([str(SHOP), str(OWNER), str(ALICE), str(BOB)]),
            "2020-07-02T12:00:00+00:00",
            "2020-07-02T12:00:00+00:00",
            1,
            "Picnic DMSECRETWORD crew",  # the latest of two renames, listed first
        ),
        (SELF, "one_to_one", json.dumps([str(OWNER)]), *["2021-01-01T00:00:00+00:00"] * 2, 1, None),
        (
            PAIR,
            "one_to_one",
            json.dumps([str(OWNER), str(ALICE)]),
            "2022-12-31T23:59:59+00:00",  # from the second entry, four items further on
            "2023-03-01T10:05:00+00:00",
            3,
            None,
        ),
        (
            WITH_SHOP,
            "one_to_one",
            json.dumps([str(SHOP), str(OWNER)]),
            "2019-06-01T08:59:00+00:00",
            "2019-06-01T09:00:00+00:00",
            2,  # the welcome message counts
            None,
        ),
    ]


def test_messages_with_text_urls_media_edits_and_welcome(db):
    photo = "data/direct_messages_media/1300000000000000004-photo1.jpg"
    clip = "data/direct_messages_group_media/1400000000000000010-clip.mp4"
    found = {row["id"]: row for row in db.query("select * from dm_messages")}
    assert {
        i: (r["conversation_id"], r["sender_id"], r["recipient_id"]) for i, r in found.items()
    } == {
        1200000000000000001: (WITH_SHOP, SHOP, OWNER),
        1200000000000000002: (WITH_SHOP, OWNER, SHOP),
        1250000000000000001: (SELF, OWNER, OWNER),
        1300000000000000001: (PAIR, OWNER, ALICE),
        1300000000000000003: (PAIR, ALICE, OWNER),
        1300000000000000004: (PAIR, OWNER, ALICE),
        1400000000000000010: (GROUP, ALICE, None),  # no recipient in a group
    }
    assert {i: r["text"] for i, r in found.items()} == {
        1200000000000000001: "Welcome to Example Shop DMSECRETWORD",
        1200000000000000002: "Thanks <3 DMSECRETWORD",
        1250000000000000001: "note to self DMSECRETWORD",
        1300000000000000001: "older half DMSECRETWORD\nsecond line",
        1300000000000000003: "",
        1300000000000000004: "DMSECRETWORD tea & cake? https://t.co/abc123",
        1400000000000000010: "see you there DMSECRETWORD",
    }
    assert [i for i, r in found.items() if r["is_welcome"]] == [1200000000000000001]
    assert found[1300000000000000004]["created_at"] == "2023-03-01T10:05:00+00:00"
    assert json.loads(found[1300000000000000004]["urls"]) == [
        {
            "url": "https://t.co/abc123",
            "expanded": "https://example.org/page",
            "display": "example.org/page",
        }
    ]
    media = {i: json.loads(r["media"]) for i, r in found.items() if r["media"]}
    assert {i: [m["path"] for m in items] for i, items in media.items()} == {
        # names a path inside the media folder: only <id>-<last part> is looked for
        1200000000000000002: [None],
        # ../../etc/passwd (a file of that name is in tweets_media) and a .txt file that is
        # in the DM media folder: neither is media of the message
        1300000000000000003: [None, None],
        1300000000000000004: [photo],
        1400000000000000010: [clip],
    }
    assert {i: r["edit_history"] for i, r in found.items() if r["edit_history"]} == {
        1300000000000000003: json.dumps(
            [{"text": "first draft", "createdAt": "2023-03-01T10:03:30.000Z"}]
        ),
        1300000000000000004: "[]",
    }


def test_reactions_inline_and_as_separate_events(db):
    assert rows(db, "select * from dm_reactions order by created_at") == [
        (
            2,
            1200000000000000901,
            1200000000000000002,
            WITH_SHOP,
            SHOP,
            "funny",
            "2019-06-01T09:00:05+00:00",
        ),
        (
            1,
            1300000000000000900,
            1300000000000000004,
            PAIR,
            ALICE,
            "like",
            "2023-03-01T10:06:00+00:00",
        ),
    ]


def test_group_events(db):
    assert rows(
        db,
        "select kind, initiating_user_id, user_ids, name, created_at from dm_events "
        "order by created_at",
    ) == [
        (
            "join",
            ALICE,
            json.dumps([str(OWNER), str(ALICE), str(BOB)]),
            None,
            "2020-07-01T12:00:00+00:00",
        ),
        ("participants_join", ALICE, json.dumps([str(SHOP)]), None, "2020-07-01T12:10:00+00:00"),
        ("rename", OWNER, None, "Picnic", "2020-07-01T12:30:00+00:00"),
        ("leave", None, json.dumps([str(SHOP)]), None, "2020-07-01T13:00:00+00:00"),
        ("rename", ALICE, None, "Picnic DMSECRETWORD crew", "2020-07-03T12:00:00+00:00"),
    ]
    assert {r["conversation_id"] for r in db.query("select conversation_id from dm_events")} == {
        GROUP
    }


def test_damaged_items_cost_only_themselves(db):
    problems = rows(db, "select file, line, reason from etl_problems where file like '%direct%'")
    assert [(f, line) for f, line, _ in problems] == [
        ("data/direct-messages.js", 1),  # a message without an id; its conversation imports
        ("data/direct-messages.js", 5),  # not JSON
        ("data/direct-messages.js", 6),  # messages is not a list
    ]
    assert "no message id" in problems[0][2]


def test_the_summary_gives_the_dm_counts(tmp_path):
    result = run_build(tmp_path / "p.db", PRIVATE, args=["--private"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert [line for line in lines if line.startswith(("DM", "group DMs"))] == [
        "DMs                 5    in                  3 conversations",
        "group DMs           1    in                  1 groups",
        "DM welcomes         1    reactions           2",
        "DM events           5    DM media            2 (missing 3)",
    ]


def opened_files(monkeypatch, log):
    """Record in `log` every file a FolderTree opens (the reading process is a fork: a
    file, not a list, carries what it saw)."""
    real_open = sources.FolderTree.open

    def recording(self, path):
        with open(log, "a") as f:
            f.write(path + "\n")
        return real_open(self, path)

    monkeypatch.setattr(sources.FolderTree, "open", recording)


def test_a_normal_build_makes_no_dm_table_and_never_opens_a_dm_file(tmp_path, monkeypatch):
    log = tmp_path / "opened.txt"
    opened_files(monkeypatch, log)
    result = run_build(tmp_path / "n.db", MODERN)
    assert result.exit_code == 0, result.output
    normal = sqlite_utils.Database(tmp_path / "n.db")
    assert [t for t in normal.table_names() if t.startswith("dm_")] == []
    assert [p for p in log.read_text().split() if "direct" in p] == []
    # The recorder works: a private build of the same export opens them.
    log.unlink()
    result = run_build(tmp_path / "p.db", MODERN, args=["--private"])
    assert result.exit_code == 0, result.output
    assert [p for p in log.read_text().split() if "direct" in p] == ["data/direct-messages.js"]
    # (and the messages' search indexes: tests/etl/test_dm_search_index.py)
    search = ("dm_messages_fts", "dm_messages_trigram")
    assert [
        t
        for t in sqlite_utils.Database(tmp_path / "p.db").table_names()
        if t.startswith("dm_") and not t.startswith(search)
    ] == DM_TABLES


def test_the_dm_tables_have_every_index_once_the_rows_are_in(db):
    # Made after the load (etl/private_dms.py DMImport.finish), the unique ones before it.
    found = rows(
        db,
        "select m.name, i.name, i.[unique] from sqlite_master m, pragma_index_list(m.name) i "
        "where m.type = 'table' and m.name in ('dm_conversations', 'dm_messages', "
        "'dm_reactions', 'dm_events') and i.origin = 'c' order by m.name, i.name",
    )
    assert found == [
        ("dm_conversations", "idx_dm_conversations_last_at", 0),
        ("dm_events", "idx_dm_events_conversation_id_created_at", 0),
        ("dm_events", "idx_dm_events_unique", 1),
        ("dm_messages", "idx_dm_messages_conversation_id_created_at", 0),
        ("dm_messages", "idx_dm_messages_created_at", 0),
        ("dm_messages", "idx_dm_messages_sender_id", 0),
        ("dm_reactions", "idx_dm_reactions_message_id", 0),
        ("dm_reactions", "idx_dm_reactions_unique", 1),
    ]
    # No staging table left behind.
    assert rows(db, "select name from temp.sqlite_master") == []
