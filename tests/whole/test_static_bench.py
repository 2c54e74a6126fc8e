"""bench/static_speed.py: its floor (bare pages from the database, standard library only) and
the bench end to end on a small archive, against the real `publish --target static`."""

import importlib.util
import re
import sqlite3
import subprocess
import sys

import pytest

from tests.helpers.build import run_build
from tests.helpers.paths import MARKDOWN, ROOT

BENCH = ROOT / "bench"
spec = importlib.util.spec_from_file_location("bench_static_speed", BENCH / "static_speed.py")
static_speed = importlib.util.module_from_spec(spec)
spec.loader.exec_module(static_speed)

HOSTILE = '<script>alert(1)</script> & "quoted"'


def test_the_floor_writes_an_escaped_page_per_tweet_and_a_page_per_month(tmp_path):
    db = tmp_path / "tiny.db"
    with sqlite3.connect(db) as conn:
        conn.execute("create table tweets (id integer primary key, created_at text, text text)")
        conn.executemany(
            "insert into tweets values (?, ?, ?)",
            [
                (1, "2020-01-31T23:59:00+00:00", HOSTILE),
                (2, "2020-02-01T00:00:00+00:00", "February"),
                (3, "2020-02-02T00:00:00+00:00", "Later in February"),
            ],
        )
    conn.close()
    out = tmp_path / "out"
    assert static_speed.write_floor(db, out) == 5
    pages = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.html"))
    assert pages == [
        "timeline/2020-01/index.html",
        "timeline/2020-02/index.html",
        "tweets/1/index.html",
        "tweets/2/index.html",
        "tweets/3/index.html",
    ]
    tweet = (out / "tweets" / "1" / "index.html").read_text()
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;quoted&quot;" in tweet
    assert "<script>" not in tweet
    february = (out / "timeline" / "2020-02" / "index.html").read_text()
    assert "Later in February" in february and "tweets/2/" in february
    assert HOSTILE not in february
    assert static_speed.folder_size(out)[:2] == (5, 5)


@pytest.mark.slow
def test_the_bench_times_a_static_publish_against_the_floor(tmp_path):
    db = tmp_path / "archive.db"
    result = run_build(db, MARKDOWN / "plain")
    assert result.exit_code == 0, result.output
    kept = tmp_path / "static"
    command = [sys.executable, str(BENCH / "static_speed.py"), "--db", str(db), "--keep", str(kept)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=600)
    rows = [line.strip("|").split("|") for line in done.stdout.splitlines() if "|" in line]
    cells = [[cell.strip() for cell in row] for row in rows]
    assert cells[0] == static_speed.HEADER
    labels = [row[0] for row in cells[2:]]
    assert labels == ["floor: bare pages (stdlib)", "publish --target static"]
    floor, export = cells[2], cells[3]
    with sqlite3.connect(db) as conn:
        (tweets,) = conn.execute("select count(*) from tweets").fetchone()
        months = conn.execute("select count(distinct substr(created_at, 1, 7)) from tweets")
        (months,) = months.fetchone()
    conn.close()
    assert int(floor[4].replace(",", "")) == tweets + months
    # The export wrote every tweet's page and the search index (else the verdict is FAILED).
    assert "FAILED" not in done.stdout, done.stdout + done.stderr
    assert (kept / "pagefind" / "pagefind.js").exists()
    assert int(export[4].replace(",", "")) > tweets
    # A few tweets export in seconds against a floor of milliseconds: the verdict is whatever
    # the ratio says, and the exit code follows it.
    ratio = float(re.match(r"[\d.]+", export[2]).group())
    missed = ratio > static_speed.TIME_TARGET
    assert ("MISSED" in export[-1]) == missed
    assert done.returncode == (1 if missed else 0), done.stdout + done.stderr
