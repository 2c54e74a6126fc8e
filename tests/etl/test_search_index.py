"""The search indexes (etl/search_index.py): small, found by tools, and the same results."""

import importlib.util
import json
import random
import re
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
import sqlite_utils
from datasette.utils import detect_fts

from etl import search_index
from tests.helpers.paths import IDS, ROOT
from tweet_site import search_query
from tweet_site.hooks import search_sql

SQLITE_UTILS = Path(sys.executable).with_name("sqlite-utils")
_spec = importlib.util.spec_from_file_location(
    "bench_search_equivalence", ROOT / "bench" / "search_equivalence.py"
)
search_equivalence = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(search_equivalence)


def test_the_parser_and_the_build_split_runs_alike():
    everything = "".join(chr(c) for c in range(sys.maxunicode + 1) if not 0xD800 <= c < 0xE000)
    one = re.compile(search_index.run_pattern().pattern.replace(f"{{{search_index.MIN_RUN},}}", ""))
    assert set(one.findall(everything)) == set(filter(search_query.is_run_char, everything))


@pytest.mark.parametrize(
    "text,runs",
    [
        (None, None),
        ("plain English", None),
        ("東京タワーに行きました #東京", "東京タワーに行きました"),
        ("東京タワー and 東京タワー, 大阪城", "東京タワー\n大阪城"),
        ("👍👍👍 great 🎆", "👍👍👍"),
        ("สวัสดีครับ", "สวัสดีครับ"),
        ("한국어 텍스트", "한국어\n텍스트"),
    ],
)
def test_only_runs_of_3_or_more_are_indexed(text, runs):
    assert search_index.substring_runs(text) == runs
    assert list(dict.fromkeys(search_sql.runs(text or ""))) == (runs.split("\n") if runs else [])


@pytest.mark.parametrize(
    "query,plan,candidates",
    [
        ("fox", "words", '"nomatchforthisterm"'),
        ("タワー", "index", '("タワー")'),
        ("東京タワー fox", "index", '("東京タワー")'),
        ("京タワ -東京タワー -fox", "index", '(("京タワ") NOT "東京タワー")'),
        ("fox OR 東京タワー", "scan", '"nomatchforthisterm"'),
        ("東京 タワー", "index", '("タワー")'),
        ("東京", "scan", '"nomatchforthisterm"'),
        ('"東京タワー Привет"', "index", '("東京タワー")'),
    ],
)
def test_query_plans(query, plan, candidates):
    assert (search_sql.plan(query), search_sql.index_expression(query)) == (plan, candidates)


@pytest.fixture(scope="module")
def old_and_new(site_db, tmp_path_factory):
    return search_equivalence.copies(site_db, tmp_path_factory.mktemp("equivalence"))


def test_search_gives_what_the_old_indexes_gave(old_and_new, site_db):
    texts = [r[0] for r in sqlite3.connect(site_db).execute("select text from tweets") if r[0]]
    # Every word and every CJK substring of the fixture too.
    words = sorted({w for text in texts for w in re.findall(r"\w{3,}", text)})
    grams = sorted(
        {
            run[i : i + n]
            for t in texts
            for run in search_sql.runs(t)
            for n in (2, 3, 4)
            for i in range(len(run) - n + 1)
        }
    )
    queries = (
        search_equivalence.QUERIES
        + words
        + grams
        + [
            "東京タワー OR 渋谷の",
            "スクランブル -東京",
            "行きました коты",
            "fox OR 渋谷のスクランブル",
            '"に行きました #東京"',
        ]
    )
    old, rebuilt = old_and_new
    # The indexes as the build filled them, and as create_search() makes them afresh.
    for new in (site_db, rebuilt):
        differences, rows, _ = search_equivalence.compare(old, new, queries, verbose=False)
        assert differences == []
        assert rows > 300


def test_the_build_indexes_every_tweet_once(site_db):
    db = sqlite_utils.Database(site_db)
    texts = dict(db.execute("select id, text from tweets").fetchall())
    runs = {i: search_index.substring_runs(t) for i, t in texts.items()}
    assert dict(db.execute("select id, runs from tweets_trigram_runs").fetchall()) == {
        i: r for i, r in runs.items() if r
    }
    assert db.execute("select * from tweets_trigram_stats").fetchone() == (
        len(texts),
        sum(search_index.trigram_tokens(t) for t in texts.values()),
    )
    for table in ("tweets_fts", "tweets_trigram"):
        # rank 1: each row's tokens in the index against its content ("malformed" if not).
        db.execute(f"insert into {table} ({table}, rank) values ('integrity-check', 1)")


def test_the_trigram_index_is_a_fraction_of_the_old_one(old_and_new):
    old, new = (search_equivalence.index_sizes(path) for path in old_and_new)
    assert new["tweets_trigram"] < old["tweets_trigram"]
    db = sqlite_utils.Database(old_and_new[1])
    # The Japanese and the Tokyo tweets: the thread's lone 🧵 is too short to look up.
    assert [r["id"] for r in db["tweets_trigram_runs"].rows] == sorted(
        [IDS["japanese"], IDS["geo_tokyo"]]
    )


def test_tools_find_the_word_index(site_db, tmp_path):
    db_path = tmp_path / "archive.db"
    shutil.copyfile(site_db, db_path)
    db = sqlite_utils.Database(db_path)
    assert db["tweets"].detect_fts() == "tweets_fts"
    assert detect_fts(db.conn, "tweets") == "tweets_fts"
    assert [row["id"] for row in db["tweets"].search("quick")] == [IDS["english"]]
    db["tweets"].rebuild_fts()
    db.close()
    found = subprocess.run(
        [str(SQLITE_UTILS), "search", str(db_path), "tweets", "brown", "-c", "id", "--nl"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert [json.loads(line) for line in found.stdout.splitlines()] == [{"id": IDS["english"]}]


def test_deleting_tweets_takes_them_out_of_both_indexes(site_db, tmp_path):
    db_path = tmp_path / "archive.db"
    shutil.copyfile(site_db, db_path)
    db = sqlite_utils.Database(db_path)
    counts = "select count(*), sum(max(length(text) - 2, 0)) from tweets"
    assert db.execute("select * from tweets_trigram_stats").fetchone() == (
        db.execute(counts).fetchone()
    )
    db.execute("delete from tweets where id = ?", [IDS["japanese"]])
    db.conn.commit()
    assert matches(db, "tweets_trigram", "タワー") == matches(db, "tweets_fts", "коты") == 0
    assert db.execute("select * from tweets_trigram_stats").fetchone() == (
        db.execute(counts).fetchone()
    )
    for table in ("tweets_fts", "tweets_trigram"):
        db.execute(f"insert into {table} ({table}, rank) values ('integrity-check', 1)")
        db.execute(f"insert into {table} ({table}) values ('rebuild')")
    assert matches(db, "tweets_trigram", "渋谷の") == 1


def matches(db, table, word):
    return db.execute(f"select count(*) from {table} where {table} match ?", [word]).fetchone()[0]


def test_snippets_keep_the_text_where_matches_overlap():
    # The old trigram index's highlight() repeated text here (SQLite 3.40).
    assert (
        search_sql.highlight("🔥🔥🔥", "hot 🔥🔥🔥🔥🔥🔥🔥") == "hot \x02🔥🔥🔥\x03\x02🔥🔥🔥\x03🔥"
    )


def test_runs_are_the_same_found_span_by_span():
    """substring_runs looks only inside non-ASCII spans; on any text it finds what one search
    of the whole text finds."""
    rng = random.Random(5)
    alphabet = "ab 1.東京タワー🎉🔥привет café—‘’\n"
    for _ in range(3000):
        text = "".join(rng.choices(alphabet, k=rng.randint(0, 40)))
        whole = dict.fromkeys(search_index.run_pattern().findall(text))
        expected = search_index.RUNS_SEPARATOR.join(whole) if whole else None
        assert search_index.substring_runs(text) == expected, text
