"""The build's last lines of defence: whatever the readers produce, nothing crashes."""

import fcntl
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlite_utils

from etl.load import Loader
from etl.records import Like, MediaRef, Mention, SourceInfo, Tweet, UserRef
from tests.helpers.build import run_build
from tests.helpers.paths import MARKDOWN, ROOT

BIG = 2**63


def tweet(id, **fields):
    base = dict(
        id=id,
        created_at="2020-01-01T00:00:00+00:00",
        text=f"tweet {id}",
        author=UserRef("owner"),
        url=f"https://twitter.com/owner/status/{id}",
        input_file="tweets.md",
        input_line=id % 1000,
    )
    return Tweet(**{**base, **fields})


def load(*items):
    db = sqlite_utils.Database(memory=True)
    loader = Loader(db)
    loader.stage(1, items)
    loader.add_source(1, SourceInfo("src", "src", "markdown", "1", owner="owner", owner_id=BIG))
    loader.finish()
    return db


def test_ids_sqlite_cannot_store_are_problems_or_unknown():
    db = load(
        tweet(BIG, input_line=3),
        tweet(0, input_line=4),
        tweet(
            5,
            in_reply_to_id=BIG,
            in_reply_to_screen_name="amy",
            in_reply_to_user_id=2**64,
            quoted_id=-1,
            retweeted_id=10**30,
            edit_initial_id=BIG,
            favorite_count=BIG,
            author=UserRef("owner", BIG),
            mentions=[Mention("bob", 2**70)],
            media=[MediaRef("photo", None, "a.jpg", bytes=BIG, width=BIG, height=2)],
        ),
        Like(BIG, "liked", None, "like.js"),
        Like(7, "liked too", None, "like.js"),
    )
    assert list(db.query("select file, line, reason, raw from etl_problems")) == [
        {
            "file": "tweets.md",
            "line": 3,
            "reason": f"tweet id {BIG} is outside 1 to 2^63-1",
            "raw": f"tweet {BIG}",
        },
        {
            "file": "tweets.md",
            "line": 4,
            "reason": "tweet id 0 is outside 1 to 2^63-1",
            "raw": "tweet 0",
        },
        {
            "file": "like.js",
            "line": 0,
            "reason": f"liked tweet id {BIG} is outside 1 to 2^63-1",
            "raw": "liked",
        },
    ]
    row = db.execute(
        "select id, in_reply_to_id, quoted_id, retweeted_id, edit_initial_id, favorite_count "
        "from tweets"
    ).fetchall()
    assert row == [(5, None, None, None, None, None)]
    assert [r["screen_name"] for r in db["users"].rows if r["id"] > 0] == []
    assert db.execute("select bytes, width, height from media").fetchall() == [(None, None, 2)]
    assert db.execute("select tweet_id from likes").fetchall() == [(7,)]


def big_markdown(folder, tweets):
    folder.mkdir()
    entry = "tweet {n} #tag @friend\n\n(Originally on Twitter: [Wed Jan 01 10:00:00 +0000 2020]"
    entry += "(https://twitter.com/owner/status/{id}))"
    (folder / "tweets_2020-01.md").write_text(
        "\n\n----\n\n".join(entry.format(n=n, id=10**18 + n) for n in range(tweets)) + "\n"
    )
    return folder


def temp_files(folder):
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def test_a_killed_build_leaves_a_temp_file_that_the_next_build_removes(tmp_path):
    source = big_markdown(tmp_path / "src", 100_000)
    out = tmp_path / "out"
    out.mkdir()
    # Not ours: other names, or another database's temporary files, are never touched.
    strangers = [".archive.db.notours.tmp", ".other.db.abcd1234.tmp", "archive.db.abcd1234.tmp"]
    for name in strangers:
        (out / name).write_text("keep me")
    build = subprocess.Popen(
        [sys.executable, "-m", "etl", "build", "-q", str(out / "archive.db"), str(source)],
        cwd=ROOT,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 60
    while len(temp_files(out)) == len(strangers) and time.monotonic() < deadline:
        assert build.poll() is None, build.stderr.read()
        time.sleep(0.05)
    time.sleep(0.5)  # well into reading
    build.send_signal(signal.SIGKILL)
    build.wait()
    leftover = [n for n in temp_files(out) if n not in strangers]
    assert len(leftover) == 1 and leftover[0].startswith(".archive.db.")

    result = run_build(out / "archive.db", MARKDOWN / "plain", args=["-q"])
    assert (result.exit_code, result.output) == (0, "")
    assert sorted(os.listdir(out)) == sorted(["archive.db", *strangers])


def test_a_second_build_of_the_same_db_stops_without_touching_the_first(tmp_path):
    db_path = tmp_path / "archive.db"
    assert run_build(db_path, MARKDOWN / "plain", args=["-q"]).exit_code == 0
    before = db_path.read_bytes()
    running_temp = tmp_path / ".archive.db.abcd1234.tmp"  # the running build's database
    running_temp.write_text("in progress")
    with open(tmp_path / ".archive.db.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        result = run_build(db_path, MARKDOWN / "quoted")
    assert (result.exit_code, result.output) == (
        1,
        f"Error: another build of {db_path} is running; {db_path} left unchanged\n",
    )
    assert db_path.read_bytes() == before
    assert running_temp.read_text() == "in progress"
    # Once it is over, the next build cleans up after it.
    assert run_build(db_path, MARKDOWN / "quoted", args=["-q"]).exit_code == 0
    assert os.listdir(tmp_path) == ["archive.db"]


def test_a_full_disk_is_one_line_and_no_temp_file(tmp_path, monkeypatch):
    def full(*args):
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr("etl.build.finish_file", full)
    result = run_build(tmp_path / "a.db", MARKDOWN / "plain")
    assert (result.exit_code, result.output) == (
        1,
        f"Error: cannot write {tmp_path / 'a.db'}: database or disk is full\n",
    )
    assert os.listdir(tmp_path) == []


def test_lone_surrogates_are_stored_as_replacement_characters():
    bad = "bad \udc00 text"
    db = load(
        *[tweet(n) for n in range(1, 2500)],  # a first batch that goes in untouched
        tweet(2500, text=bad, input_file="f\udcff.md", mentions=[Mention("n\udc00")]),
        tweet(2501),
        Like(7, bad, "https://x/\udc00", "like.js"),
    )
    db.conn.execute("insert into etl_problems (file, line, reason) values ('x', 1, 'y')")
    assert db.execute("select count(*) from tweets").fetchone()[0] == 2501
    assert db.execute("select text, input_file from tweets where id = 2500").fetchall() == [
        ("bad \ufffd text", "f\ufffd.md")
    ]
    assert db.execute("select text, url from likes").fetchall() == [
        ("bad \ufffd text", "https://x/\ufffd")
    ]
    assert "n\ufffd" in [row["screen_name"] for row in db["users"].rows]


def processes_naming(text: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if text.encode() in (entry / "cmdline").read_bytes():
                    found.append(int(entry.name))
            except OSError:
                pass
    return found


@pytest.mark.skipif(not Path("/proc/self/cmdline").exists(), reason="needs Linux /proc")
def test_a_killed_build_leaves_no_reading_process_behind(tmp_path):
    """The archive is read in a second process: killing the build must not orphan it."""
    source = big_markdown(tmp_path / "src", 100_000)
    build = subprocess.Popen(
        [sys.executable, "-m", "etl", "build", "-q", str(tmp_path / "archive.db"), str(source)],
        cwd=ROOT,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 60
    while len(processes_naming(str(source))) < 2 and time.monotonic() < deadline:
        assert build.poll() is None, build.stderr.read()
        time.sleep(0.05)
    assert len(processes_naming(str(source))) == 2  # the build and its reader
    build.send_signal(signal.SIGKILL)
    build.wait()
    deadline = time.monotonic() + 10
    while processes_naming(str(source)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert processes_naming(str(source)) == []
