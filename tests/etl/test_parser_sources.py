"""twitter-archive-parser's private files as sources of a private build (etl/private_parser.py
import_parser_files): each tree holding them is a `sources` row of its own (format
parser-private, its absolute location: the site finds the DM media under it), with the
owner the Markdown names (etl/parser_owner.py) recorded as users.is_owner where nothing
else names one; a combined parser archive (tweets, media, DMs, lists in one folder) builds
its tweets alone without --private, everything with it. Invented fixtures."""

import shutil

import sqlite_utils

from etl import sources
from etl.merge import synthetic_user_id
from tests.helpers.build import run_build
from tests.helpers.paths import FIXTURES

PARSER = FIXTURES / "parser-private"  # the parser's DM Markdown and lists alone
COMBINED = FIXTURES / "parser-combined"  # tweets, media, DMs and lists, as parser.py left them
SOURCE_COLUMNS = "select id, name, format, location, owner_screen_name, files_read, entries "


def test_the_parser_files_alone_are_a_source_with_their_owner(tmp_path):
    result = run_build(tmp_path / "p.db", PARSER, args=["--private"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[:4] == [
        f"{PARSER}: parser-private by @parser_owner, 9 files, 28 entries",
        "files read          9    entries            28",
        "tweets              0    retweets            0",
        "replies             0    quotes              0",
    ]
    assert "users               1    mentions            0" in lines
    db = sqlite_utils.Database(tmp_path / "p.db")
    assert list(db.query(SOURCE_COLUMNS + "from sources")) == [
        {
            "id": 1,
            "name": "parser-private",
            "format": "parser-private",
            "location": str(PARSER.resolve()),
            "owner_screen_name": "parser_owner",
            "files_read": 9,
            "entries": 28,
        }
    ]
    # Known by handle only: the owner's messages keep it (sender_screen_name), as the
    # site's owner lookup (users.is_owner) has it.
    assert list(db.query("select * from users")) == [
        {
            "id": synthetic_user_id("parser_owner"),
            "screen_name": "parser_owner",
            "name": None,
            "is_owner": 1,
        }
    ]
    assert list(
        db.query(
            "select sender_screen_name, count(*) as n from dm_messages "
            "where sender_id is null group by 1"
        )
    ) == [{"sender_screen_name": "parser_owner", "n": 7}]
    assert {r["source_id"] for r in db.query("select source_id from etl_problems")} == {1}


def test_owner_given_on_the_command_line_wins(tmp_path):
    result = run_build(tmp_path / "p.db", PARSER, args=["--private", "--owner", "@Someone_Else"])
    assert result.exit_code == 0, result.output
    db = sqlite_utils.Database(tmp_path / "p.db")
    assert [r["screen_name"] for r in db.query("select * from users where is_owner = 1")] == [
        "Someone_Else"
    ]
    assert db.execute("select owner_screen_name from sources").fetchall() == [("Someone_Else",)]


def test_the_owner_id_where_the_markdown_gives_it(tmp_path):
    # The parser could not look the owner up: the heading has their handle, their messages
    # their id.
    folder = tmp_path / "archive" / "parser-output" / "DMs"
    folder.mkdir(parents=True)
    (folder / "DMs-Bea.md").write_text(
        "### Conversation between me\\_too and Bea: ###\n\n----\n\n"
        "Bea -> https://twitter.com/i/user/77: (2022-03-01T10:00:00.000Z) \n\n> hi\n\n----\n\n"
        "https://twitter.com/i/user/77 -> Bea: (2022-03-01T10:01:00.000Z) \n\n> hello"
    )
    result = run_build(tmp_path / "p.db", tmp_path / "archive", args=["--private"])
    assert result.exit_code == 0, result.output
    db = sqlite_utils.Database(tmp_path / "p.db")
    assert list(db.query("select * from users")) == [
        {"id": 77, "screen_name": "me_too", "name": None, "is_owner": 1}
    ]
    assert list(
        db.query("select account_id, screen_name, source from account_names where account_id = 77")
    ) == [{"account_id": 77, "screen_name": "me_too", "source": "account.js"}]
    assert list(
        db.query(
            "select conversation_id, sender_id, recipient_id, sender_screen_name "
            "from dm_messages order by created_at"
        )
    ) == [
        {
            "conversation_id": "md:77-bea",
            "sender_id": None,
            "recipient_id": 77,
            "sender_screen_name": "Bea",
        },
        {
            "conversation_id": "md:77-bea",
            "sender_id": 77,
            "recipient_id": None,
            "sender_screen_name": None,
        },
    ]


def test_an_export_names_the_owner_the_markdown_adds_no_other(tmp_path):
    result = run_build(tmp_path / "p.db", FIXTURES / "parser-private-export", args=["--private"])
    assert result.exit_code == 0, result.output
    db = sqlite_utils.Database(tmp_path / "p.db")
    assert [r["screen_name"] for r in db.query("select * from users where is_owner = 1")] == [
        "export_owner"
    ]
    assert [(r["format"], r["owner_screen_name"]) for r in db["sources"].rows] == [
        ("official", "export_owner"),
        ("parser-private", "export_owner"),
    ]


def opened_files(monkeypatch, log):
    """Record in `log` every file a FolderTree opens (the reading process is a fork)."""
    real_open = sources.FolderTree.open

    def recording(self, path):
        with open(log, "a") as f:
            f.write(path + "\n")
        return real_open(self, path)

    monkeypatch.setattr(sources.FolderTree, "open", recording)


def test_a_normal_build_of_a_combined_parser_archive_reads_only_its_tweets(tmp_path, monkeypatch):
    log = tmp_path / "opened.txt"
    opened_files(monkeypatch, log)
    result = run_build(tmp_path / "n.db", COMBINED)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == [
        f"{COMBINED}: markdown by @combo_owner, 1 files, 2 entries",
        "files read          1    entries             2",
        "tweets              2    retweets            0",
        "replies             0    quotes              0",
        "users               2    mentions            1",
        "hashtags            1    URLs                0",
        "media found         1    missing             0",
        "geotagged           0    likes               0",
        "problems            0",
        result.output.splitlines()[-1],
    ]
    assert result.output.splitlines()[-1].startswith(f"Wrote {tmp_path / 'n.db'} in ")
    # The tweets and their photo (its size is read), never a DM, list or DM photo.
    assert sorted(set(log.read_text().split())) == [
        "2022-03-01-Tweet-Archive-2022-03.md",
        "media/1510000000000000001-FpHoToAbCdEfGhI.png",
    ]
    db = sqlite_utils.Database(tmp_path / "n.db")
    assert not {"dm_messages", "followers", "following", "private_archive"} & set(db.table_names())
    assert list(db.query("select format from sources")) == [{"format": "markdown"}]


def test_a_private_build_of_a_combined_parser_archive_reads_everything(tmp_path):
    result = run_build(tmp_path / "p.db", COMBINED, args=["--private"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[:-1] == [
        f"{COMBINED}: markdown by @combo_owner, 1 files, 2 entries",
        f"{COMBINED}: parser-private by @combo_owner, 4 files, 8 entries",
        "files read          5    entries            10",
        "tweets              2    retweets            0",
        "replies             0    quotes              0",
        "users               2    mentions            1",
        "hashtags            1    URLs                0",
        "media found         1    missing             0",
        "geotagged           0    likes               0",
        "problems            0",
        "DMs                 2    in                  1 conversations",
        "group DMs           2    in                  1 groups",
        "DM welcomes         0    reactions           0",
        "DM events           0    DM media            1 (missing 0)",
        "followers           2    following           2",
        "blocks              0    mutes               0",
        "lists               0    name changes        0",
        "names               2    unresolved          1",
    ]
    db = sqlite_utils.Database(tmp_path / "p.db")
    location = str(COMBINED.resolve())
    assert list(db.query(SOURCE_COLUMNS + "from sources")) == [
        {
            "id": 1,
            "name": "parser-combined",
            "format": "markdown",
            "location": location,
            "owner_screen_name": "combo_owner",
            "files_read": 1,
            "entries": 2,
        },
        {
            "id": 2,
            "name": "parser-combined",
            "format": "parser-private",
            "location": location,
            "owner_screen_name": "combo_owner",
            "files_read": 4,
            "entries": 8,
        },
    ]
    # The tweets' owner is the owner: no second one.
    assert [r["screen_name"] for r in db.query("select * from users where is_owner = 1")] == [
        "combo_owner"
    ]
    assert list(
        db.query(
            "select id, conversation_id, sender_screen_name, media from dm_messages "
            "where media is not null"
        )
    ) == [
        {
            "id": 1520000000000000002,
            "conversation_id": "md-group:Pals",
            "sender_screen_name": None,
            "media": '[{"url": null, "path": "media/1520000000000000002-DmPiC.jpg"}]',
        }
    ]


def test_a_zip_of_the_parser_files_is_a_source_at_the_zip(tmp_path):
    zipped = shutil.make_archive(str(tmp_path / "parser"), "zip", PARSER)
    folder = tmp_path / "folder"
    folder.mkdir()
    shutil.move(zipped, folder / "parser.zip")
    result = run_build(tmp_path / "p.db", folder, args=["--private"])
    assert result.exit_code == 0, result.output
    db = sqlite_utils.Database(tmp_path / "p.db")
    assert list(db.query("select format, location, owner_screen_name from sources")) == [
        {
            "format": "parser-private",
            "location": str((folder / "parser.zip").resolve()),
            "owner_screen_name": "parser_owner",
        }
    ]
