"""bench/build_speed.py end to end (--quick) and the floor it measures the build against."""

import gc
import importlib.util
import random
import re
import sqlite3
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest

from etl.dates import parse_twitter_date
from tests.helpers.paths import ROOT

BENCH = ROOT / "bench"


def load(name):
    spec = importlib.util.spec_from_file_location(f"bench_{name}", BENCH / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


build_speed = load("build_speed")
floor = load("floor")


@pytest.mark.slow
def test_quick_bench_prints_ratios_for_both_formats_and_exits_with_its_verdict():
    result = subprocess.run(
        [sys.executable, str(BENCH / "build_speed.py"), "--quick"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    lines = result.stdout.splitlines()
    header = [cell.strip() for cell in lines[0].strip("|").split("|")]
    assert header[:4] == ["input", "floor s", "build s", "time ratio (target)"], result.stdout
    assert "size ratio (target)" in header
    rows = {}
    for line in lines[2:]:
        if not line.startswith("| "):
            break
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        rows[cells[0].split()[0]] = dict(zip(header, cells, strict=True))
    assert set(rows) == {"Markdown", "official"}, result.stdout + result.stderr
    for row in rows.values():
        assert re.fullmatch(r"\d+\.\d\d \(≤ [\d.]+\)", row["time ratio (target)"]), row
        assert re.fullmatch(r"\d+\.\d\d \(≤ 2\)", row["size ratio (target)"]), row
        assert row["verdict"] == "ok" or row["verdict"].startswith("MISSED: "), row
    verdict = lines[-1]
    if any(row["verdict"] != "ok" for row in rows.values()):
        assert result.returncode == 1, result.stdout + result.stderr
        assert verdict.startswith("verdict: MISSED "), verdict
    else:
        assert (result.returncode, verdict) == (0, "verdict: all targets met"), result.stdout


@pytest.mark.parametrize("fmt", ["Markdown", "official"])
def test_the_floor_loads_every_generated_tweet(tmp_path, fmt):
    generate = dict(build_speed.FORMATS)[fmt]
    source = tmp_path / "source"
    source.mkdir()
    generate(source, 500)
    db = tmp_path / "floor.db"
    floor.main(str(db), str(source))
    conn = sqlite3.connect(db)
    count = {
        table: conn.execute(f"select count(*) from {table}").fetchone()[0]
        for table in ("tweets", "mentions", "hashtags")
    }
    # The official export gives every tweet one mention and one hashtag; the Markdown has none.
    entities = 500 if fmt == "official" else 0
    assert count == {"tweets": 500, "mentions": entities, "hashtags": entities}
    assert conn.execute("select count(distinct id) from tweets").fetchone() == (500,)
    indexed = conn.execute(
        "select count(*) from tweets_fts where tweets_fts match 'datasette'"
    ).fetchone()
    assert (
        indexed
        == conn.execute("select count(*) from tweets where text like '%datasette%'").fetchone()
    )
    assert indexed[0] > 0
    conn.close()


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["Markdown", "official"])
def test_the_floor_stores_the_same_tweets_and_dates_as_the_build(tmp_path, fmt):
    source = tmp_path / "source"
    source.mkdir()
    dict(build_speed.FORMATS)[fmt](source, 300)
    floor.main(str(tmp_path / "floor.db"), str(source))
    build = subprocess.run(
        [sys.executable, "-m", "etl", "build", str(tmp_path / "build.db"), str(source), "--quiet"],
        cwd=BENCH.parent,
        capture_output=True,
        text=True,
    )
    assert build.returncode == 0, build.stderr
    tweets = {}
    for name in ("floor", "build"):
        conn = sqlite3.connect(tmp_path / f"{name}.db")
        tweets[name] = conn.execute("select id, created_at from tweets order by id").fetchall()
        conn.close()
    assert len(tweets["floor"]) == 300
    assert tweets["floor"] == tweets["build"]


def test_the_floor_slices_dates_as_the_build_parses_them():
    rng = random.Random(8)
    start = datetime(2006, 3, 21, tzinfo=UTC)
    for _ in range(2000):
        moment = start + timedelta(seconds=rng.randrange(20 * 365 * 86400))
        stamp = moment.strftime("%a %b %d %H:%M:%S +0000 %Y")
        assert floor.iso(stamp) == parse_twitter_date(stamp), stamp


@pytest.mark.parametrize("fmt", ["Markdown", "official"])
def test_the_floor_parses_with_the_cyclic_garbage_collector_off(tmp_path, monkeypatch, fmt):
    """With it on, json.loads's millions of objects set off collections that scan them all
    for nothing: the floor took about twice as long, and the build's ratios looked twice as
    good as they were."""
    source = tmp_path / "source"
    source.mkdir()
    dict(build_speed.FORMATS)[fmt](source, 50)
    loader = f"load_{fmt.lower()}"
    original, enabled = getattr(floor, loader), []

    def spy(conn, path):
        enabled.append(gc.isenabled())
        original(conn, path)

    monkeypatch.setattr(floor, loader, spy)
    assert gc.isenabled()
    floor.main(str(tmp_path / "floor.db"), str(source))
    assert enabled == [False]
    assert gc.isenabled()
