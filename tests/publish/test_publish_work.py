"""A publish makes again only what its removals touched (issue 16, item 5), and what it
publishes is what making everything again would: same rows in every table, same search
indexes (terms, positions, ranking), same statistics.

The reference is the way every publish used to go: the same deletions, then both search
indexes rebuilt from the tweets, every summary made again, every table analyzed and the file
vacuumed.
"""

import shutil
import sqlite3
import subprocess
import sys

import pytest
import sqlite_utils
import yaml
from click.testing import CliRunner

from etl import redact, summaries
from etl.cli import cli
from etl.redact import Privacy, Redactions, prepare_copy
from etl.search_index import FTS_TABLE, TRIGRAM_TABLE
from tests.etl.test_privacy_merge import NEWER, OLDER, PUBLIC, exported, private_tweet
from tests.helpers.build import run_build
from tests.helpers.paths import FIXTURES, MARKDOWN, ROOT

INDEXES = (FTS_TABLE, TRIGRAM_TABLE)
SHADOWS = {f"{fts}_{suffix}" for fts in INDEXES for suffix in redact.SHADOW_TABLES}
ALL_PRIVATE = ["--include-deleted", "--include-circle", "--include-likes"]
SKETCHES = 1388912461402341411  # a tweet whose photo's description says "waves breaking"


def afresh(source, out, redactions, privacy):
    """Everything made again, whatever was removed."""
    shutil.copyfile(source, out)
    db = sqlite_utils.Database(out)
    removed, _ = redact.remove_rows(db, redactions, privacy)
    for fts in INDEXES:
        db.execute(f"insert into [{fts}] ([{fts}]) values ('rebuild')")
    summaries.create_summaries(db)
    db.execute("analyze")
    db.execute("drop table if exists sqlite_stat4")
    db.conn.commit()
    db.execute("vacuum")
    db.close()
    return removed


def content(path) -> dict:
    """Every row of every table (in the order a scan reads them), the schema and the
    statistics; the search indexes' own tables are compared by what they find."""
    conn = sqlite3.connect(path)
    found = {
        "schema": conn.execute(
            "select type, name, tbl_name, sql from sqlite_master order by name"
        ).fetchall(),
        "sqlite_stat1": sorted(
            row
            for row in conn.execute("select tbl, idx, stat from sqlite_stat1")
            if row[0] not in SHADOWS
        ),
    }
    tables = conn.execute(
        "select name from sqlite_master where type = 'table' and sql not like 'create virtual%' "
        "and name not like 'sqlite_%'"
    )
    for (table,) in tables.fetchall():
        if table not in SHADOWS:
            found[table] = conn.execute(f"select * from [{table}]").fetchall()
    for fts in INDEXES:
        conn.execute(f"insert into [{fts}] ([{fts}]) values ('integrity-check')")
        conn.execute(
            f"create virtual table temp.[{fts}_terms] using fts5vocab(main, {fts}, instance)"
        )
        terms = conn.execute(f"select * from temp.[{fts}_terms] order by 1, 2, 3, 4").fetchall()
        found[f"{fts} terms"] = terms
        # Ranked as the site ranks them: the index's counts of rows and tokens are right too.
        found[f"{fts} searches"] = {
            term: conn.execute(
                f"select rowid, rank from [{fts}] where [{fts}] match ? order by rank, rowid",
                [f'"{term}"'],
            ).fetchall()
            for term in sorted({t[0] for t in terms})[:40]
        }
    conn.close()
    return found


def assert_same(published, reference):
    ours, theirs = content(published), content(reference)
    assert ours.keys() == theirs.keys()
    for key in ours:
        assert ours[key] == theirs[key], key


@pytest.fixture(scope="module")
def single(tmp_path_factory):
    """One export, built as `make build` builds it: its deleted and Circle tweets and likes
    were never stored."""
    path = tmp_path_factory.mktemp("single") / "archive.db"
    result = run_build(path, FIXTURES / "official" / "modern")
    assert result.exit_code == 0, result.output
    return path


@pytest.fixture(scope="module")
def everything(tmp_path_factory):
    """Two sources with every private row stored: a publish has something to remove."""
    path = tmp_path_factory.mktemp("everything") / "archive.db"
    result = run_build(path, FIXTURES / "official" / "modern", MARKDOWN / "plain", args=ALL_PRIVATE)
    assert result.exit_code == 0, result.output
    return path


def pages(path, page_size) -> list[bytes]:
    data = path.read_bytes()
    return [data[i : i + page_size] for i in range(0, len(data), page_size)]


def test_a_publish_with_nothing_to_remove_is_a_copy(single, tmp_path, monkeypatch):
    def made_again(db):
        raise AssertionError("summaries made again")

    monkeypatch.setattr(summaries, "create_summaries", made_again)
    out = tmp_path / "archive.db"
    prepared = prepare_copy(single, out, Redactions(), Privacy())
    assert prepared.removed == {"tweets": 0, "likes": 0}
    assert prepared.remade == []
    # Byte for byte the build's file, but for the pages holding the local path of the source
    # and the raw problem entries (overwritten in place) and the header's change counter.
    conn = sqlite3.connect(single)
    page_size = conn.execute("pragma page_size").fetchone()[0]
    owners = dict(conn.execute("select pageno, name from dbstat"))
    conn.close()
    before, after = pages(single, page_size), pages(out, page_size)
    assert len(before) == len(after)
    changed = {owners[n + 1] for n, (a, b) in enumerate(zip(before, after, strict=True)) if a != b}
    assert changed <= {"sqlite_schema", "sources", "etl_problems"}
    monkeypatch.undo()
    reference = tmp_path / "reference.db"
    assert afresh(single, reference, Redactions(), Privacy()) == prepared.removed
    assert_same(out, reference)


def test_what_a_copy_overwrites_leaves_no_byte_behind(single, tmp_path):
    db = sqlite_utils.Database(single)
    (location,) = db.execute("select location from sources").fetchone()
    (raw,) = db.execute("select raw from etl_problems where raw != ''").fetchone()
    assert location.encode() in single.read_bytes() and raw.encode() in single.read_bytes()
    out = tmp_path / "archive.db"
    assert prepare_copy(single, out, Redactions(), Privacy()).remade == []
    data = out.read_bytes()
    assert location.encode() not in data
    assert raw.encode() not in data
    published = sqlite_utils.Database(out)
    assert published.execute("select name, location from sources").fetchall() == [
        ("modern", "modern")
    ]
    assert published.execute("select raw from etl_problems").fetchall() == [("",)]


CASES = {
    "private rows": (Redactions(), Privacy()),
    "a tweet by id": (Redactions(tweets=[SKETCHES]), Privacy(True, True, True)),
    "a word": (Redactions(words=["tokyo tower"]), Privacy(True, True, True)),
    "an account": (Redactions(accounts=["fx_bob"]), Privacy(True, True, True)),
    "likes only": (Redactions(), Privacy(True, True, False)),
    "all at once": (
        Redactions(tweets=[SKETCHES], words=["snacks"], accounts=["fx_alice"]),
        Privacy(),
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_a_publish_that_removes_rows_equals_making_everything_again(everything, tmp_path, case):
    redactions, privacy = CASES[case]
    out, reference = tmp_path / "archive.db", tmp_path / "reference.db"
    prepared = prepare_copy(everything, out, redactions, privacy)
    assert prepared.removed == afresh(everything, reference, redactions, privacy)
    assert_same(out, reference)
    assert prepared.remade[-1] == "vacuum"
    conn = sqlite3.connect(out)
    assert conn.execute("pragma freelist_count").fetchone() == (0,)
    if case == "likes only":  # no tweet went: the indexes and summaries are the build's
        assert prepared.remade == ["statistics", "vacuum"]
    else:
        assert "summaries" in prepared.remade
        assert f"merge {FTS_TABLE}" in prepared.remade


def test_a_build_that_took_a_tweet_back_is_published_without_any_byte_of_it(tmp_path):
    """The newer export stored the tweet, the older one then said it was deleted: the build
    deleted its row, but FTS5 keeps its terms (marked deleted) until the index is merged."""
    newer = exported(tmp_path / "newer", NEWER, [*PUBLIC, private_tweet()])
    older = exported(tmp_path / "older", OLDER, PUBLIC, marks="deleted")
    built = tmp_path / "archive.db"
    result = run_build(built, newer, older)
    assert result.exit_code == 0, result.output
    assert b"zebradraft" in built.read_bytes()
    out, reference = tmp_path / "public.db", tmp_path / "reference.db"
    prepared = prepare_copy(built, out, Redactions(), Privacy())
    assert b"zebradraft" not in out.read_bytes()
    assert "秘密".encode() not in out.read_bytes()
    assert prepared.removed == {"tweets": 0, "likes": 0}
    # Nothing was counted from the tweet: the summaries are the build's.
    merged = [f"merge {FTS_TABLE}", f"merge {TRIGRAM_TABLE}"]
    assert prepared.remade == [*merged, "statistics", "vacuum"]
    afresh(built, reference, Redactions(), Privacy())
    assert_same(out, reference)


def test_one_export_never_stores_a_tweet_it_marks_private(tmp_path):
    """What lets a publish copy a one-source build as it is: a source says which of its
    tweets are deleted or Circle before any tweet, so none of them is stored and taken back."""
    source = exported(tmp_path / "export", NEWER, [*PUBLIC, private_tweet()], marks="circle")
    built = tmp_path / "archive.db"
    result = run_build(built, source)
    assert result.exit_code == 0, result.output
    assert b"zebradraft" not in built.read_bytes()
    out = tmp_path / "public.db"
    assert prepare_copy(built, out, Redactions(), Privacy()).remade == []
    assert b"zebradraft" not in out.read_bytes()


def test_a_changed_redaction_file_is_followed_at_the_next_publish(single, tmp_path):
    """Publishing again over the last publish's file, with another redaction each time: each
    result is what a first publish with that redaction makes."""
    out = tmp_path / "site" / "archive.db"
    steps = [
        Redactions(tweets=[SKETCHES]),
        Redactions(words=["tokyo tower"]),
        Redactions(),
        Redactions(words=["tokyo tower"], accounts=["fx_alice"]),
    ]
    for n, redactions in enumerate(steps):
        prepared = prepare_copy(single, out, redactions, Privacy())
        fresh = tmp_path / f"fresh{n}.db"
        assert afresh(single, fresh, redactions, Privacy()) == prepared.removed
        assert_same(out, fresh)
        assert (prepared.remade == []) == (redactions == Redactions())
    leftovers = sorted(p.name for p in out.parent.iterdir())
    assert leftovers == ["archive.db"]


@pytest.mark.slow
def test_a_bundle_follows_the_redaction_file_as_it_changes(single, tmp_path):
    out, redact_file = tmp_path / "site", tmp_path / "redact.yml"
    for words in (["tokyo tower"], ["snacks"]):  # the second brings the first one back
        redact_file.write_text(yaml.safe_dump({"words": words}))
        command = ["publish", str(single), "--target", "dir", "--out", str(out)]
        result = CliRunner().invoke(cli, [*command, "--redact", str(redact_file)])
        assert result.exit_code == 0, result.output
        fresh = tmp_path / "fresh.db"
        fresh.unlink(missing_ok=True)
        afresh(single, fresh, Redactions(words=words), Privacy())
        assert_same(out / "archive.db", fresh)


def test_the_bench_times_a_publish_against_a_plain_copy(single, tmp_path):
    db = tmp_path / "archive.db"
    shutil.copyfile(single, db)
    bench = ROOT / "bench" / "publish_speed.py"
    command = [sys.executable, str(bench), "--db", str(db), "--repeat", "2"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    rows = [line.strip("|").split("|") for line in result.stdout.splitlines() if "|" in line]
    cells = [[cell.strip() for cell in row] for row in rows]
    assert cells[0] == ["publish step", "seconds", "× copy", "target", "made again"]
    assert [row[0] for row in cells[2:]] == [
        "plain copy (the floor)",
        "nothing to remove",
        "18 tweets redacted (18 left out)",
    ]
    assert cells[3][4] == "none"
    assert cells[4][4] == "merge tweets_fts, summaries, statistics, vacuum"
    # A file of a few kilobytes copies in microseconds: the verdict is whatever the ratio says.
    missed = float(cells[3][2]) > 1.5
    assert result.returncode == (1 if missed else 0), result.stdout + result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["archive.db"]


@pytest.mark.parametrize("privacy", [Privacy(), Privacy(include_deleted=True)])
def test_a_build_indexes_its_private_tweets_so_a_publish_reads_no_other(everything, privacy):
    """Without words to look for, what a publish hides for what it is (deleted, Circle) is
    looked up in an index of the private tweets: empty unless the build was asked for them."""
    where = redact.hidden_where(privacy, None)
    conn = sqlite3.connect(everything)
    ((*_, plan),) = conn.execute(f"explain query plan select id from tweets where {where}")
    assert plan == "SCAN tweets USING INDEX idx_tweets_private"
    private = conn.execute("select count(*) from tweets where is_deleted or is_circle")
    assert (
        private.fetchone()
        == conn.execute(
            "select count(*) from tweets indexed by idx_tweets_private "
            "where is_deleted = 1 or is_circle = 1"
        ).fetchone()
        == (2,)
    )
