"""A build SIGKILLed at random moments leaves the previous database intact, and the next
successful build leaves no temporary file behind (killed builds' `.archive.db.*.tmp` included).
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.helpers.paths import ROOT

TWEETS = 3000
TRIALS = 9
FIRST_ID = 1200000000000000000


def write_archive(root: Path, tweets: int) -> None:
    """Markdown months of tweets with mentions, hashtags, links and replies."""
    for month in range(12):
        entries = []
        for n in range(month, tweets, 12):
            tweet_id = FIRST_ID + n * 1000
            text = f"tweet {n} to @friend_{n % 40} about #topic{n % 25} https://example.com/{n}"
            if n % 7 == 0:
                text = f"@friend_{n % 9} replying, number {n}"
            date = f"Mon Jan {1 + n % 28:02d} 10:{n % 60:02d}:00 +0000 2019".replace(
                "Jan", ["Jan", "Feb", "Mar", "Apr", "May", "Jun"][month % 6]
            )
            footer = f"[{date}](https://twitter.com/killer/status/{tweet_id})"
            entries.append(f"{text}\n\n(Originally on Twitter: {footer})\n\n----\n\n")
        (root / f"tweets_2019-{month + 1:02d}.md").write_text("".join(entries))


def build(db_path: Path, archive: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "etl", "build", "--quiet", str(db_path), str(archive)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def state(db_path: Path) -> tuple:
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        count = conn.execute("select count(*) from tweets").fetchone()[0]
        check = conn.execute("pragma integrity_check").fetchone()[0]
    finally:
        conn.close()
    return count, check


def temporary_files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(".archive.db."))


@pytest.mark.slow
def test_killed_builds_leave_the_old_database_and_no_temporary_files(tmp_path):
    archive = tmp_path / "archive"
    archive.mkdir()
    write_archive(archive, TWEETS)
    out = tmp_path / "out"
    out.mkdir()
    db_path = out / "archive.db"

    durations = []
    for _ in range(2):  # the second, warm build times the kills
        started = time.monotonic()
        first = build(db_path, archive)
        assert first.wait(timeout=120) == 0, first.stderr.read()
        first.stderr.close()
        durations.append(time.monotonic() - started)
    duration = min(durations)
    before = db_path.read_bytes()
    assert state(db_path) == (TWEETS, "ok")

    rng = random.Random(20261203)
    killed_mid_build = 0
    for _ in range(TRIALS):
        child = build(db_path, archive)
        time.sleep(rng.uniform(0.05, duration * 0.9))
        if child.poll() is None:
            killed_mid_build += 1
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
        child.stderr.close()
        assert db_path.read_bytes() == before
        assert state(db_path) == (TWEETS, "ok")
    # Most kills must land mid-build for the test to mean anything.
    assert killed_mid_build >= TRIALS - 2

    last = build(db_path, archive)
    assert last.wait(timeout=120) == 0, last.stderr.read()
    last.stderr.close()
    assert state(db_path) == (TWEETS, "ok")
    assert temporary_files(out) == []
    assert os.listdir(out) == ["archive.db"]
