"""twitter-archive-parser's followers.txt / following.txt in a private build
(etl/private_parser.py). Invented data; the integration test compares counts only with
../shared/archives-private/README.md."""

import io
import shutil
import zipfile

import pytest
import sqlite_utils

from etl import sources
from etl.private_parser import list_line, store_lists, text_lines
from etl.sources import open_tree
from tests.helpers.build import run_build
from tests.helpers.paths import FIXTURES, ROOT

PARSER = FIXTURES / "parser-private"  # invented parser output: lists and DM Markdown
MODERN = FIXTURES / "official" / "modern"
PRIVATE_ARCHIVES = ROOT.parent / "shared" / "archives-private"


def test_a_line_gives_the_account_id_and_the_handle_or_why_not():
    user = "https://twitter.com/i/user/"
    assert [
        list_line(line)
        for line in (
            f"Bea_Reader {user}3000000000000000002",
            f"~unknown~handle~ {user}42",
            f"Bea {user}42\r",
            "~unknown~user~43",  # the parser's first version
            "Bea_Reader",
            f"Bea {user}1e5",
            f"Bea {user}99999999999999999999",
            f"<b>x</b> {user}42",
            "",
        )
    ] == [
        (3000000000000000002, "Bea_Reader"),
        (42, None),
        (42, "Bea"),
        (43, None),
        "a handle without its account id (the parser's first version): not stored",
        "not 'handle https://twitter.com/i/user/<id>'",
        "not 'handle https://twitter.com/i/user/<id>'",
        "not 'handle https://twitter.com/i/user/<id>'",
        "not 'handle https://twitter.com/i/user/<id>'",
    ]


def test_lines_are_read_one_at_a_time_and_an_overlong_one_costs_only_itself():
    data = b"a\n" + b"x" * 5000 + b"\nb\r\n\xff\xfe\nlast"
    assert list(text_lines(io.BytesIO(data), limit=100)) == [
        (1, "a"),
        (2, None),
        (3, "b"),
        (4, None),
        (5, "last"),
    ]


def test_store_lists_fills_followers_following_and_the_handles(tmp_path):
    db = sqlite_utils.Database(tmp_path / "p.db")
    problems = []
    read = store_lists(db, open_tree(str(PARSER)), problems)
    assert read == {"followers.txt": 4, "following.txt": 3}
    assert [r["account_id"] for r in db["followers"].rows] == [
        3000000000000000002,
        3000000000000000003,
        3000000000000000004,
        3000000000000000005,
    ]
    assert db["following"].count == 3
    assert {r["user_link"] for r in db["following"].rows} == {
        f"https://twitter.com/intent/user?user_id={n}"
        for n in (3000000000000000002, 3000000000000000006, 3000000000000000007)
    }
    # ~unknown~handle~ gives no handle; the last line, with no newline, is read.
    assert list(db.query("select * from parser_names order by account_id")) == [
        {"account_id": 3000000000000000002, "screen_name": "Bea_Reader"},
        {"account_id": 3000000000000000003, "screen_name": "Carl99"},
        {"account_id": 3000000000000000005, "screen_name": "zed"},
        {"account_id": 3000000000000000006, "screen_name": "Dora"},
    ]
    assert [(p.file, p.line, p.reason) for p in problems] == [
        ("followers.txt", 4, "not 'handle https://twitter.com/i/user/<id>'")
    ]


def test_a_folder_holding_only_the_parser_lists_builds_with_private(tmp_path):
    folder = tmp_path / "lists"
    folder.mkdir()
    for name in ("followers.txt", "following.txt"):
        shutil.copy(PARSER / name, folder / name)
    result = run_build(tmp_path / "p.db", folder, args=["--private"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "followers           4    following           3" in lines
    assert "names               4    unresolved          2" in lines
    assert "  followers.txt:4: not 'handle https://twitter.com/i/user/<id>'" in lines
    # The folder is a source of its own, whose problems are its; no owner is known.
    assert f"{folder}: parser-private, 2 files, 8 entries" in lines
    assert "files read          2    entries             8" in lines
    db = sqlite_utils.Database(tmp_path / "p.db")
    assert list(db.query("select id, format, location, owner_screen_name from sources")) == [
        {"id": 1, "format": "parser-private", "location": str(folder), "owner_screen_name": None}
    ]
    assert list(db.query("select source_id, file, line from etl_problems")) == [
        {"source_id": 1, "file": "followers.txt", "line": 4}
    ]
    assert db["users"].count == 0
    assert "parser_names" not in db.table_names()
    # A normal build of it finds no archive at all.
    normal = run_build(tmp_path / "n.db", folder)
    assert normal.exit_code == 1
    assert "no Twitter archive found" in normal.output


def opened_files(monkeypatch, log):
    """Record in `log` every file a FolderTree opens (the reading process is a fork: a
    file, not a list, carries what it saw)."""
    real_open = sources.FolderTree.open

    def recording(self, path):
        with open(log, "a") as f:
            f.write(path + "\n")
        return real_open(self, path)

    monkeypatch.setattr(sources.FolderTree, "open", recording)


PARSER_FILES = ("followers.txt", "following.txt", "DMs")


def test_a_normal_build_never_opens_the_parser_files(tmp_path, monkeypatch):
    archive = tmp_path / "archive"
    shutil.copytree(MODERN, archive)
    shutil.copytree(PARSER, archive / "parser-output")
    # Where older parser versions wrote them: the archive's root.
    for name in ("followers.txt", "following.txt"):
        shutil.copy(PARSER / name, archive / name)
    (archive / "DMs.md").write_text("## Conversation between a and b: ##\n")
    (archive / "DMs-Archive-Bea_Reader.md").write_text("## Conversation between a and b: ##\n")
    log = tmp_path / "opened.txt"
    opened_files(monkeypatch, log)
    result = run_build(tmp_path / "n.db", archive)
    assert result.exit_code == 0, result.output
    opened = log.read_text().split()
    assert [p for p in opened if any(name in p for name in PARSER_FILES)] == []
    assert "followers" not in sqlite_utils.Database(tmp_path / "n.db").table_names()
    # The recorder works: a private build of the same folder opens them.
    log.unlink()
    result = run_build(tmp_path / "p.db", archive, args=["--private"])
    assert result.exit_code == 0, result.output
    opened = log.read_text().split()
    assert {"followers.txt", "parser-output/followers.txt", "following.txt"} <= set(opened)


@pytest.mark.integration
def test_the_shared_parser_lists_give_the_readme_counts(tmp_path):
    source = PRIVATE_ARCHIVES / "regisrob__twitter-archive"
    if not source.exists():
        pytest.skip(f"{source} not present")
    result = run_build(tmp_path / "private.db", source, args=["--private", "--quiet"])
    assert result.exit_code == 0, "the build failed"
    db = sqlite_utils.Database(tmp_path / "private.db")
    counts = [
        db.execute(sql).fetchone()[0]
        for sql in (
            "select count(*) from followers",
            "select count(*) from following",
            "select count(*) from etl_problems",
            "select count(*) from account_names where screen_name is null",
        )
    ]
    print("followers, following, problems, unresolved names:", counts)
    assert counts == [879, 1156, 0, 0]


def test_a_file_that_is_not_the_parsers_costs_a_bounded_number_of_problems(tmp_path):
    folder = tmp_path / "junk"
    (folder / "parser-output" / "DMs").mkdir(parents=True)
    (folder / "followers.txt").write_bytes(
        b"\xff\xfe" + "garbage line\n".encode("utf-16-le") * 5000
    )
    (folder / "parser-output" / "DMs" / "DMs-x.md").write_text("not markdown of DMs\n" * 5000)
    (folder / "following.txt").write_text("Ok_Handle https://twitter.com/i/user/77")
    result = run_build(tmp_path / "p.db", folder, args=["--private"])
    assert result.exit_code == 0, result.output
    db = sqlite_utils.Database(tmp_path / "p.db")
    assert list(db.query("select file, count(*) as n from etl_problems group by file")) == [
        {"file": "followers.txt", "n": 1001},
        {"file": "parser-output/DMs/DMs-x.md", "n": 1001},
    ]
    last = "over 1,000 damaged lines: the rest of the file is not read"
    assert db.execute("select count(*) from etl_problems where reason = ?", [last]).fetchone() == (
        2,
    )
    assert list(db.query("select * from account_names")) == [
        {
            "account_id": 77,
            "screen_name": "Ok_Handle",
            "name": None,
            "source": "twitter-archive-parser",
        }
    ]


@pytest.mark.parametrize("given", ["zip", "folder holding the zip"])
def test_the_parser_files_in_a_zip_build_with_private(tmp_path, given):
    folder = tmp_path / "downloads"
    folder.mkdir()
    zipped = folder / "parser-output.zip"
    with zipfile.ZipFile(zipped, "w") as z:
        for path in sorted(PARSER.rglob("*")):
            if path.is_file():
                z.write(path, path.relative_to(PARSER).as_posix())
    result = run_build(tmp_path / "p.db", zipped if given == "zip" else folder, args=["--private"])
    assert result.exit_code == 0, result.output
    db = sqlite_utils.Database(tmp_path / "p.db")
    assert (db["followers"].count, db["dm_messages"].count, db["dm_events"].count) == (4, 16, 3)
