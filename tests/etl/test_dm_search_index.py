"""The DMs' search indexes (etl/search_index.py's DM_MESSAGES): a private build indexes
dm_messages.text as the tweets' text is indexed (words, and runs of scripts without spaces),
and the indexes stay behind the wall with the messages."""

import sqlite3

import pytest
import sqlite_utils

from etl import search_index
from etl.redact import Privacy, Redactions, prepare_copy
from tests.helpers.build import run_build
from tests.helpers.dm_export import dm_export
from tests.helpers.paths import FIXTURES, ROOT

TEXTS = [
    "zqdmword running to the station",
    "",  # a photo alone: no text to index
    "明日は東京タワーに行きます zqdmword",
    "👍👍👍 see you",
    "plain zqdmword",
]
DM_INDEX_TABLES = [
    "dm_messages_fts",
    "dm_messages_trigram",
    "dm_messages_trigram_runs",
    "dm_messages_trigram_stats",
]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("dm_search_index")
    export = dm_export(root / "export", TEXTS, ["グループの連絡です zqdmword"], "Crew")
    result = run_build(root / "private.db", export, args=["--private"])
    assert result.exit_code == 0, result.output
    return root / "private.db"


def indexed_ids(db, table):
    return sorted(row[0] for row in db.execute(f"select id from [{table}_docsize]"))


def test_every_message_is_indexed_once_and_only_those_with_text_hold_words(built):
    db = sqlite_utils.Database(built)
    texts = dict(db.execute("select id, text from dm_messages").fetchall())
    with_text = {i: t for i, t in texts.items() if t}
    assert len(with_text) == len(texts) - 1  # the photo alone
    # An external-content index holds every row of its table (FTS5's integrity-check and
    # rebuild expect it): a message without text is there with no words.
    assert indexed_ids(db, "dm_messages_fts") == sorted(texts)
    # sz: each row's number of words, as a varint (one byte here).
    worded = "select id from dm_messages_fts_docsize where sz <> x'00' order by id"
    assert [row[0] for row in db.execute(worded)] == sorted(with_text)
    runs = {i: search_index.substring_runs(t) for i, t in with_text.items()}
    assert dict(db.execute("select id, runs from dm_messages_trigram_runs").fetchall()) == {
        i: r for i, r in runs.items() if r
    }
    assert sorted(r for r in runs.values() if r) == [
        "グループの連絡です",
        "明日は東京タワーに行きます",
        "👍👍👍",
    ]
    assert db.execute("select * from dm_messages_trigram_stats").fetchone() == (
        len(texts),
        sum(search_index.trigram_tokens(t) for t in texts.values()),
    )
    for table in ("dm_messages_fts", "dm_messages_trigram"):
        # Each row's tokens against its content ("malformed" if they differ).
        db.execute(f"insert into [{table}] ([{table}], rank) values ('integrity-check', 1)")


def test_words_stems_and_substrings_are_found(built):
    db = sqlite_utils.Database(built)

    def words(query):
        return db.execute(
            "select count(*) from dm_messages_fts where dm_messages_fts match ?", [query]
        ).fetchone()[0]

    def substrings(query):
        return db.execute(
            "select count(*) from dm_messages_trigram where dm_messages_trigram match ?", [query]
        ).fetchone()[0]

    assert (words("run"), words("zqdmword"), words("station"), words("nowhere")) == (1, 4, 1, 0)
    assert (substrings("東京タ"), substrings("連絡で"), substrings("👍👍👍")) == (1, 1, 1)
    # The tweets' own indexes hold none of it.
    assert db.execute("select count(*) from tweets_fts_docsize").fetchone()[0] == 0


def test_a_deleted_message_leaves_both_indexes(built, tmp_path):
    copy = tmp_path / "copy.db"
    copy.write_bytes(built.read_bytes())
    db = sqlite_utils.Database(copy)
    doomed = db.execute("select id from dm_messages where text like '%東京%'").fetchone()[0]
    before = db.execute("select * from dm_messages_trigram_stats").fetchone()
    text = db.execute("select text from dm_messages where id = ?", [doomed]).fetchone()[0]
    db.execute("delete from dm_messages where id = ?", [doomed])
    db.conn.commit()
    assert doomed not in indexed_ids(db, "dm_messages_fts")
    assert (
        db.execute(
            "select count(*) from dm_messages_trigram_runs where id = ?", [doomed]
        ).fetchone()[0]
        == 0
    )
    assert db.execute("select * from dm_messages_trigram_stats").fetchone() == (
        before[0] - 1,
        before[1] - search_index.trigram_tokens(text),
    )
    for query, table in (
        ("東京タ", "dm_messages_trigram"),
        ("明日は東京タワーに行きます", "dm_messages_fts"),
    ):
        found = f"select count(*) from [{table}] where [{table}] match ?"
        assert db.execute(found, [query]).fetchone()[0] == 0
    for table in ("dm_messages_fts", "dm_messages_trigram"):
        db.execute(f"insert into [{table}] ([{table}], rank) values ('integrity-check', 1)")


def test_a_publishable_copy_keeps_no_dm_index_nor_any_byte_of_one(built, tmp_path):
    names = [r[0] for r in sqlite3.connect(built).execute("select name from sqlite_master")]
    assert set(DM_INDEX_TABLES) <= set(names)
    out = tmp_path / "published.db"
    prepare_copy(built, out, Redactions(), Privacy())
    left = [r[0] for r in sqlite3.connect(out).execute("select name from sqlite_master")]
    assert [name for name in left if name.startswith("dm_")] == []
    assert "tweets_fts" in left  # the tweets' own indexes stay
    data = out.read_bytes()
    assert [m for m in (b"zqdmword", "東京タワー".encode(), "連絡".encode()) if m in data] == []


def test_a_normal_build_has_no_dm_index(tmp_path):
    result = run_build(tmp_path / "n.db", FIXTURES / "official" / "modern")
    assert result.exit_code == 0, result.output
    names = [
        r[0] for r in sqlite3.connect(tmp_path / "n.db").execute("select name from sqlite_master")
    ]
    assert [name for name in names if name.startswith("dm_")] == []


@pytest.mark.integration
@pytest.mark.parametrize(
    "name", ["RobErskine__robs-twitter", "pattiereaves__pazzypunk", "takumi-git__test-page"]
)
def test_every_message_of_a_shared_export_is_indexed(tmp_path, name):
    # Real messages: only counts are compared, never a text.
    source = ROOT.parent / "shared" / "archives-private" / name
    if not source.exists():
        pytest.skip(f"{source} not present")
    result = run_build(tmp_path / "private.db", source, args=["--private", "--quiet"])
    assert result.exit_code == 0, "the build failed"  # its output may quote a message
    db = sqlite_utils.Database(tmp_path / "private.db")
    texts = [row[0] for row in db.execute("select text from dm_messages")]
    runs = sum(search_index.substring_runs(text) is not None for text in texts)
    assert db.execute("select count(*) from dm_messages_fts_docsize").fetchone()[0] == len(texts)
    assert db.execute("select count(*) from dm_messages_trigram_runs").fetchone()[0] == runs
    assert db.execute("select messages from dm_messages_trigram_stats").fetchone()[0] == len(texts)
    for table in ("dm_messages_fts", "dm_messages_trigram"):
        db.execute(f"insert into [{table}] ([{table}], rank) values ('integrity-check', 1)")
