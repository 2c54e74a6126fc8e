"""Every case of the hostile corpus (tests/corpus) through `tweets-etl build`.

Whatever the input: no traceback, one error line when the build fails (and then the previous
database byte-identical), the exact tweets and problem rows when it succeeds, never a
temporary file left behind, nothing printed that a terminal would act on (escape sequences,
bidi overrides), and for bombs a bounded peak memory and CPU time.
"""

from __future__ import annotations

import os
import re
import resource
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass

import pytest
import sqlite_utils
from click.testing import CliRunner

from etl.cli import cli
from tests.corpus import Case, all_cases
from tests.helpers.paths import MARKDOWN, ROOT, SHARED_ARCHIVES

CASES = all_cases()
# Cases that build in a child process (isolate: the bombs, hangs, deep recursion) or publish
# what they built take seconds each: marked `slow`, for `make test-fast` to leave out. Each
# case checks that it is here exactly when it isolates or publishes.
SLOW_CASES = {make.__name__ for make in CASES if make.__module__ == "tests.corpus.bombs"} | {
    "enc_whitespace_run_between_tweets",
    "md_active_media_html",
    "md_active_media_svg",
    "md_private_env_next_to_single_md",
    "md_private_followers_txt",
    "official_active_media_html",
    "official_active_media_svg",
    "official_private_rows_never_published",
}
BASELINE_TWEETS = 9
# A child's address space: a regression fails its case instead of exhausting the machine.
CHILD_ADDRESS_SPACE = 3 * 1024**3
# Printed raw, these would move the cursor, retitle the window or reverse a line.
TERMINAL_CONTROLS = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]"
)


@dataclass
class Outcome:
    exit_code: int
    output: str
    exception: BaseException | None = None
    cpu_seconds: float = 0.0
    peak_mb: float = 0.0


def build_in_process(db_path, case: Case) -> Outcome:
    result = CliRunner().invoke(cli, ["build", str(db_path), *map(str, case.sources), *case.args])
    unexpected = None if isinstance(result.exception, SystemExit | None) else result.exception
    return Outcome(result.exit_code, result.output, unexpected)


def limit_address_space():
    resource.setrlimit(resource.RLIMIT_AS, (CHILD_ADDRESS_SPACE, CHILD_ADDRESS_SPACE))


def build_in_child(db_path, case: Case) -> Outcome:
    """`python -m etl build` in a child of its own: its exit status, CPU time and peak RSS
    (os.wait4 reports the usage of that one child), killed if it outlives its time."""
    command = [sys.executable, "-m", "etl", "build", str(db_path), *map(str, case.sources)]
    log = db_path.parent.parent / "child-output.txt"
    with open(log, "wb") as out:
        child = subprocess.Popen(
            [*command, *case.args],
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=ROOT,
            preexec_fn=limit_address_space,
        )
    deadline = time.monotonic() + 3 * case.max_seconds + 10
    while True:
        pid, status, usage = os.wait4(child.pid, os.WNOHANG)
        if pid:
            break
        if time.monotonic() > deadline:
            child.kill()
            _, status, usage = os.wait4(child.pid, 0)
            child.returncode = -9
            pytest.fail(f"{case.name}: still running after {3 * case.max_seconds + 10:.0f}s")
        time.sleep(0.05)
    child.returncode = os.waitstatus_to_exitcode(status)
    return Outcome(
        child.returncode,
        log.read_text(errors="replace"),
        cpu_seconds=usage.ru_utime + usage.ru_stime,
        peak_mb=usage.ru_maxrss / 1024,
    )


@pytest.fixture(scope="session")
def baseline(tmp_path_factory) -> bytes:
    """A valid database that every case's build must replace whole or leave byte-identical."""
    db_path = tmp_path_factory.mktemp("baseline") / "archive.db"
    assert build_in_process(db_path, Case("baseline", [MARKDOWN / "plain"])).exit_code == 0
    return db_path.read_bytes()


def problems_match(actual: list[tuple], expected: list[tuple]) -> bool:
    """Same (file, line) rows, in any order; an expected line None matches any line."""
    left = list(actual)
    for file, line in expected:
        hit = next((p for p in left if p[0] == file and line in (None, p[1])), None)
        if hit is None:
            return False
        left.remove(hit)
    return not left


def corpus_param(make):
    return pytest.param(
        make, id=make.__name__, marks=pytest.mark.slow if make.__name__ in SLOW_CASES else ()
    )


@pytest.mark.parametrize("make", [corpus_param(make) for make in CASES])
def test_corpus_case(make, tmp_path, baseline):
    case = make(tmp_path / "input")
    assert case.name == make.__name__
    assert (case.name in SLOW_CASES) == (case.isolate or case.publish), "update SLOW_CASES"
    out = tmp_path / "out"
    out.mkdir()
    db_path = out / "archive.db"
    db_path.write_bytes(baseline)
    if case.prepare_out:
        case.prepare_out(out)

    outcome = (build_in_child if case.isolate else build_in_process)(db_path, case)

    assert outcome.exception is None, repr(outcome.exception)
    assert "Traceback" not in outcome.output, outcome.output[-3000:]
    assert TERMINAL_CONTROLS.findall(outcome.output) == [], outcome.output[-3000:]
    assert outcome.exit_code == case.exit_code, outcome.output[-3000:]
    if case.exit_code:
        lines = outcome.output.splitlines()
        assert len(lines) == 1 and lines[0].startswith("Error: "), outcome.output[-3000:]
        assert case.message in lines[0]
        assert db_path.read_bytes() == baseline
    else:
        check_database(db_path, case)
        if case.publish:
            check_published(db_path, tmp_path / "site", case)
    assert sorted(os.listdir(out)) == ["archive.db"]  # no temporary file left, stale ones gone
    if case.isolate:
        assert outcome.peak_mb <= case.max_mb
        assert outcome.cpu_seconds <= case.max_seconds


def check_database(db_path, case: Case) -> None:
    db = sqlite_utils.Database(db_path)
    assert db.execute("pragma integrity_check").fetchall() == [("ok",)]
    problems = list(db.query("select file, line, reason from etl_problems order by file, line"))
    found = [(p["file"], p["line"]) for p in problems]
    assert db["tweets"].count == case.tweets, problems
    assert problems_match(found, case.problems), problems
    for fragment in case.reasons:
        assert any(fragment in p["reason"] for p in problems), (fragment, problems)
    if case.check:
        case.check(db)
    db.close()
    content = db_path.read_bytes()
    assert [s for s in case.never_in_db if s in content] == []


def check_published(db_path, site, case: Case) -> None:
    """`publish --target dir`: nothing secret anywhere in the deployable folder."""
    result = CliRunner().invoke(
        cli, ["publish", str(db_path), "--target", "dir", "--out", str(site)]
    )
    assert result.exit_code == 0, result.output
    leaked = [
        (path.relative_to(site).as_posix(), secret)
        for path in sorted(site.rglob("*"))
        if path.is_file()
        for secret in case.secrets
        if secret in path.read_bytes()
    ]
    assert leaked == []


def test_the_corpus_is_large_and_every_case_has_its_own_name():
    names = [make.__name__ for make in CASES]
    assert len(names) >= 70
    assert len(set(names)) == len(names)


@pytest.mark.integration
@pytest.mark.parametrize(
    "archive, tweets_file", [("alrocar__x", "tweets.js"), ("dsajgiouawj__TweetArchive", "tweet.js")]
)
def test_a_real_tweets_file_alone_keeps_every_tweet(tmp_path, archive, tweets_file):
    """A real export's tweets file without account.js and manifest.js (issue 8: 0 of 1,758
    tweets were kept): every tweet of the whole export, under the same owner."""
    source = SHARED_ARCHIVES / archive
    if not source.exists():
        pytest.skip(f"{source} not present")
    (tmp_path / "alone" / "data").mkdir(parents=True)
    shutil.copy(source / "data" / tweets_file, tmp_path / "alone" / "data" / tweets_file)
    for name, folder in (("whole.db", source), ("alone.db", tmp_path / "alone")):
        result = CliRunner().invoke(cli, ["build", str(tmp_path / name), str(folder)])
        assert result.exit_code == 0, result.output

    def tweets(name):
        db = sqlite_utils.Database(tmp_path / name)
        return db.execute(
            "select tweets.id, users.screen_name from tweets join users on users.id = user_id "
            "order by tweets.id"
        ).fetchall()

    whole, alone = tweets("whole.db"), tweets("alone.db")
    assert len(whole) > 1000
    assert alone == whole
