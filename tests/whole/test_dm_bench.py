"""bench/dm_speed.py end to end on a tiny generated direct-messages.js, so it cannot rot; and
its floor (bench/dm_floor.py) against the build on the same export."""

import importlib.util
import json
import re
import sqlite3
import subprocess
import sys

import pytest

from tests.helpers.paths import ROOT

BENCH = ROOT / "bench"


def load(name):
    spec = importlib.util.spec_from_file_location(f"bench_{name}", BENCH / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


dm_speed = load("dm_speed")
dm_floor = load("dm_floor")


@pytest.mark.slow
def test_the_dm_bench_prints_its_table_and_exits_with_its_verdict(tmp_path):
    result = subprocess.run(
        [sys.executable, str(BENCH / "dm_speed.py"), "--mib", "0.5", "--cache", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    lines = result.stdout.splitlines()
    header = [cell.strip() for cell in lines[0].strip("|").split("|")]
    assert header == dm_speed.HEADER, result.stdout + result.stderr
    cells = dict(zip(header, [c.strip() for c in lines[2].strip("|").split("|")], strict=True))
    assert re.fullmatch(r"\d+\.\d\d \(not judged\)", cells[header[3]]), cells
    expected = int(next(tmp_path.glob("v*-0.5MiB")).joinpath("messages.txt").read_text())
    assert cells["messages"] == f"{expected:,}" and expected > 500
    # Tiny: no time target; the peak and both loads' counts are judged.
    assert (result.returncode, cells["verdict"], lines[-1]) == (
        0,
        "ok",
        "verdict: all targets met",
    ), result.stdout + result.stderr


def test_the_generated_export_is_what_the_bench_says(tmp_path):
    dm_speed.generate(tmp_path / "export", 2)
    data = tmp_path / "export" / "data"
    entries = {}
    for name in ("direct-messages.js", "direct-messages-group.js"):
        text = (data / name).read_text(encoding="utf-8")
        entries[name] = json.loads(text[text.index("[") :])
    ids = [c["dmConversation"]["conversationId"] for c in entries["direct-messages.js"]]
    # Split conversations: one id over several entries, not all adjacent.
    assert len(ids) > len(set(ids))
    assert any(ids[i - 1] != ids[i] in ids[: i - 1] for i in range(2, len(ids)))
    events = [
        next(iter(m))
        for entries_of_file in entries.values()
        for c in entries_of_file
        for m in c["dmConversation"]["messages"]
    ]
    kinds = set(events)
    assert {"messageCreate", "joinConversation", "conversationNameUpdate"} <= kinds
    messages = sum(k in ("messageCreate", "welcomeMessageCreate") for k in events)
    assert int((tmp_path / "export" / "messages.txt").read_text()) == messages
    assert any((data / "direct_messages_media").iterdir())


@pytest.mark.slow
def test_the_floor_and_the_build_store_the_same_messages(tmp_path):
    dm_speed.generate(tmp_path / "export", 0.3)
    dm_floor.main(str(tmp_path / "floor.db"), str(tmp_path / "export"))
    build = subprocess.run(
        [sys.executable, "-m", "etl", "build", str(tmp_path / "build.db")]
        + [str(tmp_path / "export"), "--private", "--quiet", "--strict"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert build.returncode == 0, build.stderr
    found = {}
    for name in ("floor", "build"):
        conn = sqlite3.connect(tmp_path / f"{name}.db")
        found[name] = conn.execute(
            "select id, conversation_id, sender_id, recipient_id, "
            "(select count(*) from dm_reactions r where r.message_id = m.id) "
            "from dm_messages m order by id"
        ).fetchall()
        conn.close()
    assert len(found["floor"]) == int((tmp_path / "export" / "messages.txt").read_text())
    assert found["floor"] == found["build"]


# Minutes: make test-all runs it, make bench measures the same; make test has
# tests/hostile/test_hostile_dms.py's check that memory doesn't grow with conversations.
@pytest.mark.slow
@pytest.mark.exhaustive
def test_a_million_one_message_conversations_build_within_the_peak(tmp_path):
    # The hostile shape (~330 MiB): what a build keeps per conversation grows with their
    # number, not with the size of an entry. Peak as the bench measures it: the child's
    # ru_maxrss, or its processes' summed RSS sampled every 50 ms.
    source = dm_speed.export_for(0, tmp_path, 1_000_000)
    run = dm_speed.run_build(tmp_path / "build.db", source)
    assert isinstance(run, dm_speed.Run), run
    assert run.messages == 1_000_000
    assert run.peak_mib <= dm_speed.MAX_PEAK_MIB, run
