"""The search indexes of etl/search_index.py give the same results as the ones they replaced.

    python bench/search_equivalence.py BUILT.db [--workdir DIR] [--as-built] [--query Q ...]

Makes two copies of a built database: OLD with the indexes the site had before (a trigram index
of every whole text, a word index with prefix='2 3 4') and NEW with `create_search()`. Then
runs every query through the `search` canned query of each (the old SQL against OLD, the
site's, tweet_site/lists/search.py, against NEW, with the plugin's SQL functions registered),
through the tweets table's own search (Datasette's `?_search=` SQL) and the search feed, and
asserts the same (tweet_id, snippet) lists in the same order. Prints the sizes of the indexes
and the times.
"""

from __future__ import annotations

import argparse
import shutil
import sqlite3
import statistics
import time
from pathlib import Path

import sqlite_utils

from etl import search_index
from tweet_site.hooks import feed_text, search_sql
from tweet_site.lists.canned import CANNED

QUERIES = [
    # bench/site_speed.py PAGES
    "the",
    "fox",
    "tag7",
    '"quick brown"',
    "run*",
    "the -fox",
    "タワー",
    "東京",
    "zzqx",
    # CJK of 2, 3 and 5 characters, emoji, mixed
    "京タ",
    "東京タ",
    "東京タワー",
    "タワー東京",
    "京タワ -東京タワー",
    "東京タワー fox",
    "fox OR 東京タワー",
    "-東京タワー fox",
    "東京タワー -fox",
    "東京タワー OR タワー",
    "(東京タワー AND fox) OR café",
    '"東京タワー Привет"',
    '"fox 東京タワー"',
    '"東京タワー"*',
    "東京タワー run*",
    "東京 タワー",
    "👍",
    "👍👍👍",
    "🎆🎆🎆 fox",
    "ワーワ",
    "ＴＯＫＹＯ",
    # words
    "ru*",
    "running",
    "cafe",
    "café",
    "CAFÉ",
    "naive",
    "Привет",
    "мир",
    "-fox",
    "-東京タワー",
    "AND OR (",
    "fox OR dog",
    "quick fox -lazy",
    '"quick brown" -dog',
    "python datasette sqlite",
    "@user5",
    "#tag7",
    "https",
    "example.com",
]

OLD_WORDS = (
    "create virtual table [tweets_fts] using fts5 (text, content='tweets', "
    "content_rowid='id', tokenize='porter unicode61 remove_diacritics 2', prefix='2 3 4')"
)
OLD_TRIGRAM = (
    "create virtual table [tweets_trigram] using fts5 "
    "(text, tokenize='trigram', content='tweets', content_rowid='id')"
)
OLD_SEARCH = """
with words as (
  select rowid, rank, highlight(tweets_fts, 0, char(2), char(3)) as snippet
  from tweets_fts
  where search_mode(:q) = 'words'
    and tweets_fts match search_match(:q)
  order by rowid desc
  limit 1000
),
grams as (
  select rowid, rank, highlight(tweets_trigram, 0, char(2), char(3)) as snippet
  from tweets_trigram
  where search_mode(:q) = 'trigram'
    and tweets_trigram match search_match(:q)
  order by rowid desc
  limit 1000
),
substrings as (
  select id as rowid, 0 as rank, search_highlight(:q, text) as snippet
  from tweets
  where search_mode(:q) = 'substring'
    and instr(text, search_first_term(:q)) > 0
    and search_contains(:q, text)
  order by id desc
  limit 1000
),
hits as (
  select * from words
  union all
  select * from grams
  union all
  select * from substrings
)
select tweets.id as tweet_id, hits.snippet
from hits
join tweets on tweets.id = hits.rowid
order by hits.rank, tweets.id desc
limit 100
"""
# What Datasette 0.65 runs for /archive/tweets?_search=Q (table.py), ids only.
TABLE_SEARCH = (
    "select id from tweets where rowid in (select rowid from tweets_fts "
    "where tweets_fts match escape_fts(:q)) order by created_at desc limit 101"
)


def old_indexes(db: sqlite_utils.Database) -> None:
    search_index.drop_search(db)
    db.execute(OLD_WORDS)
    db.execute("insert into [tweets_fts] (rowid, text) select id, text from tweets")
    db.execute(OLD_TRIGRAM)
    db.execute("insert into [tweets_trigram] (rowid, text) select id, text from tweets")
    db.conn.commit()


def prepare(db_path: Path, build, force: bool = False) -> Path:
    if not db_path.exists() or force:
        db = sqlite_utils.Database(db_path)
        build(db)
        db.conn.commit()
        db.execute("vacuum")
        db.close()
    return db_path


def copies(built: Path, workdir: Path, force: bool = False) -> tuple[Path, Path]:
    workdir.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, build in (("old.db", old_indexes), ("new.db", search_index.create_search)):
        path = workdir / name
        if force or not path.exists():
            shutil.copyfile(built, path)
            prepare(path, build, force=True)
        paths.append(path)
    return paths[0], paths[1]


def connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    search_sql.prepare_connection(conn)
    # The feed's functions without a site: entries are compared by tweet id, not by links.
    conn.create_function("xml_text", 1, feed_text.xml_text, deterministic=True)
    conn.create_function("feed_title", 2, feed_text.feed_title, deterministic=True)
    conn.create_function("feed_link", 1, lambda tweet_id: f"/archive/tweets/{tweet_id}")
    conn.create_function(
        "feed_html", 1, lambda text: feed_text.feed_html(text, lambda ids: set(), str)
    )
    return conn


def canned(name: str) -> str:
    return CANNED[name]["sql"]


def new_search_sql() -> str:
    return f"select tweet_id, snippet from ({canned('search')})"


def feed_ids(sql: str):
    return f"select atom_id from ({sql})"


def timed(conn, sql, q):
    started = time.perf_counter()
    rows = conn.execute(sql, {"q": q}).fetchall()
    return rows, (time.perf_counter() - started) * 1000


def index_sizes(path: Path) -> dict[str, float]:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    rows = conn.execute(
        "select name, sum(pgsize) from dbstat where name like 'tweets_fts%' "
        "or name like 'tweets_trigram%' group by name"
    ).fetchall()
    sizes: dict[str, float] = {}
    for name, size in rows:
        table = "tweets_fts" if name.startswith("tweets_fts") else "tweets_trigram"
        sizes[table] = sizes.get(table, 0) + size / 1e6
    sizes["file"] = path.stat().st_size / 1e6
    return sizes


def compare(old: Path, new: Path, queries: list[str], repeat: int = 1, verbose: bool = True):
    """Differences between OLD and NEW for each query, and the times (ms) of each."""
    old_conn, new_conn = connect(old), connect(new)
    old_feed = feed_ids(_old_feed_sql())
    new_feed = feed_ids(canned("search_feed"))
    differences, rows_compared, times, garbled = [], 0, [], []
    for q in queries:
        pairs = [
            ("search", OLD_SEARCH, new_search_sql()),
            ("table", TABLE_SEARCH, TABLE_SEARCH),
            ("feed", old_feed, new_feed),
        ]
        for kind, old_sql, new_sql in pairs:
            old_runs, new_runs = [], []
            for _ in range(repeat):
                expected, old_ms = timed(old_conn, old_sql, q)
                got, new_ms = timed(new_conn, new_sql, q)
                old_runs.append(old_ms)
                new_runs.append(new_ms)
            rows_compared += len(expected)
            if got != expected and not old_highlight_garbled(expected, got):
                differences.append((kind, q, expected[:5], got[:5], len(expected), len(got)))
            elif got != expected:
                garbled.append((q, [row for row in expected if row not in got][:2]))
            if kind == "search":
                times.append((q, statistics.median(old_runs), statistics.median(new_runs)))
                if verbose:
                    print(
                        f"{q!r:34} {len(expected):4} rows  old {statistics.median(old_runs):8.1f}"
                        f" ms  new {statistics.median(new_runs):8.1f} ms"
                        + ("" if got == expected else "  DIFFERENT"),
                        flush=True,
                    )
    for q, rows in garbled:
        print(f"{q!r}: the old trigram highlight() garbled the text (same rows): {rows}")
    return differences, rows_compared, times


def old_highlight_garbled(expected, got) -> bool:
    """The same rows, and every snippet that differs is the old one's fault: SQLite 3.40's
    highlight() on a trigram index repeats text where matches overlap ("🔥🔥🔥" in six 🔥)."""
    if [row[0] for row in expected] != [row[0] for row in got]:
        return False

    def plain(snippet):
        return (snippet or "").replace("\x02", "").replace("\x03", "")

    return all(
        plain(old[1]) != plain(new[1]) for old, new in zip(expected, got, strict=True) if old != new
    )


def _old_feed_sql() -> str:
    sql = canned("search_feed")
    start = sql.index("grams as (")
    end = sql.index("hits as (")
    old = """grams as (
    select rowid, rank
    from tweets_trigram
    where search_mode(:q) = 'trigram'
      and tweets_trigram match search_match(:q)
    order by rowid desc
    limit 50
  ),
  substrings as (
    select id as rowid, 0 as rank
    from tweets
    where search_mode(:q) = 'substring'
      and instr(text, search_first_term(:q)) > 0
      and search_contains(:q, text)
    order by id desc
    limit 50
  ),
"""
    return sql[:start] + old + sql[end:]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("db", type=Path, help="a database built by `python -m etl build`")
    parser.add_argument("--workdir", type=Path, help="where OLD and NEW copies go (reused)")
    parser.add_argument("--rebuild", action="store_true", help="remake the copies")
    parser.add_argument(
        "--as-built", action="store_true", help="NEW is the database itself (the build's indexes)"
    )
    parser.add_argument("--repeat", type=int, default=3, help="runs of each query (median)")
    parser.add_argument("--query", action="append", help="only these queries")
    args = parser.parse_args()
    workdir = args.workdir or args.db.with_name(args.db.stem + "-equivalence")
    old, new = copies(args.db, workdir, force=args.rebuild)
    if args.as_built:
        new = args.db
    for label, path in (("OLD", old), ("NEW", new)):
        sizes = index_sizes(path)
        print(
            f"{label}: tweets_fts {sizes['tweets_fts']:.1f} MB, tweets_trigram "
            f"{sizes['tweets_trigram']:.1f} MB, file {sizes['file']:.1f} MB"
        )
    queries = args.query or QUERIES
    differences, rows, _ = compare(old, new, queries, repeat=args.repeat)
    print(f"\n{len(queries)} queries x 3 SQL (search, table search, feed): {rows} rows compared")
    for difference in differences:
        print("DIFFERENT", difference)
    if differences:
        raise SystemExit(f"{len(differences)} differences")
    print("identical")


if __name__ == "__main__":
    main()
