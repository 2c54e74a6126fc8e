"""The full-text indexes of the tweets, built once the tweets table is complete.

Two FTS5 tables:

- `tweets_fts`, words: an external-content index of `tweets.text` (stemmed English, accents
  folded). Declared `content=[tweets]` so that sqlite-utils (`detect_fts`, `search`,
  `rebuild_fts`) and Datasette's own table search find it.
- `tweets_trigram`, substrings: only the text unicode61 can't split into words (Japanese,
  Chinese, Korean, Thai, symbols and emoji). Each tweet's maximal runs of such characters, 3 or
  more long (no shorter search term can be looked up by trigrams), are kept once each in
  `tweets_trigram_runs`, and indexed by trigram. The site uses it to find candidates for the
  terms that need substrings and checks each candidate against the whole text.

`tweets_trigram_stats` keeps what ranking by relevance needs to score substring matches as a
trigram index of every whole text would (the number of tweets and of trigrams in them).

A trigger keeps both in step when tweets are deleted (redaction), so the ordinary FTS5
`rebuild` of either table stays correct and no text of a deleted tweet remains in an index.
"""

from __future__ import annotations

import functools
import re
import sys
import unicodedata

import sqlite_utils

# Runs of MIN_RUN+ characters of scripts written without spaces (and of symbols) are indexed.
from tweet_site.core import MIN_RUN, NO_SPACE_SCRIPTS

# English words with stemming ("running" finds "run"), accents folded, Cyrillic split on spaces.
FTS_TOKENIZER = "porter unicode61 remove_diacritics 2"
FTS_TABLE = "tweets_fts"
# Prefix indexes make `run*` an index lookup; measured in bench/search_equivalence.py.
FTS_PREFIX = "3"
TRIGRAM_TABLE = "tweets_trigram"
RUNS_TABLE = "tweets_trigram_runs"
STATS_TABLE = "tweets_trigram_stats"
RUNS_SEPARATOR = "\n"


def _symbol_ranges() -> str:
    """Every character of Unicode category So (emoji, dingbats), as regex class ranges."""
    ranges, start, previous = [], None, None
    for code in range(sys.maxunicode + 1):
        if unicodedata.category(chr(code)) == "So":
            if start is None:
                start = code
            previous = code
        elif start is not None:
            ranges.append((start, previous))
            start = None
    if start is not None:
        ranges.append((start, previous))
    return "".join(
        re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}"
        for a, b in ranges
    )


@functools.cache
def run_pattern() -> re.Pattern:
    # Built on first use: listing the symbols takes a quarter of a second.
    # The lookahead rejects ASCII at once: without it every character of ordinary text is
    # tried against each of the class's hundreds of ranges (3x slower).
    return re.compile(f"(?:(?![\\x00-\\x7f])[{NO_SPACE_SCRIPTS}{_symbol_ranges()}]){{{MIN_RUN},}}")


NON_ASCII = re.compile(f"[^\\x00-\\x7f]{{{MIN_RUN},}}")


def substring_runs(text: str | None) -> str | None:
    """The maximal runs of characters unicode61 can't split, 3+ long, each once."""
    if not text or text.isascii():
        return None
    # Runs are made of non-ASCII characters: looked for only in the spans of those, found by
    # a class `re` tests in one step (twice as fast on mixed text).
    pattern = run_pattern()
    runs = dict.fromkeys(run for span in NON_ASCII.findall(text) for run in pattern.findall(span))
    return RUNS_SEPARATOR.join(runs) if runs else None


def trigram_tokens(text: str | None) -> int:
    """How many tokens the trigram tokenizer makes of `text`."""
    return max(len(text or "") - 2, 0)


def drop_search(db: sqlite_utils.Database) -> None:
    db.execute("drop trigger if exists tweets_search_delete")
    for table in (FTS_TABLE, TRIGRAM_TABLE, RUNS_TABLE, STATS_TABLE):
        db.execute(f"drop table if exists [{table}]")


def create_search(db: sqlite_utils.Database) -> None:
    """(Re)create both indexes from the tweets table as it is now (after a redaction, say;
    a build fills them as it loads: create_search_tables, add_to_search, finish_search)."""
    drop_search(db)
    create_search_tables(db)
    db.execute(f"insert into [{FTS_TABLE}] (rowid, text) select id, text from tweets")
    db.conn.create_function("substring_runs", 1, substring_runs, deterministic=True)
    db.execute(
        f"insert into [{RUNS_TABLE}] (id, runs) "
        "select id, runs from (select id, substring_runs(text) as runs from tweets) "
        "where runs is not null"
    )
    db.execute(f"insert into [{TRIGRAM_TABLE}] ([{TRIGRAM_TABLE}]) values ('rebuild')")
    finish_search(db)


def create_search_tables(db: sqlite_utils.Database) -> None:
    """Both indexes, empty."""
    # Written out rather than enable_fts(): sqlite-utils has no option for prefix indexes.
    db.execute(
        f"create virtual table [{FTS_TABLE}] using fts5 (text, content=[tweets], "
        f"content_rowid=[id], tokenize='{FTS_TOKENIZER}', prefix='{FTS_PREFIX}')"
    )
    db.execute(f"create table [{RUNS_TABLE}] (id integer primary key, runs text not null)")
    db.execute(
        f"create virtual table [{TRIGRAM_TABLE}] using fts5 (runs, content=[{RUNS_TABLE}], "
        "content_rowid=[id], tokenize='trigram', columnsize=0)"
    )
    # Filled in batches as tweets are stored: merging segments 16 at a time instead of 4
    # halves the cost at a million tweets, for the same size and query speed.
    for table in (FTS_TABLE, TRIGRAM_TABLE):
        db.execute(f"insert into [{table}] ([{table}], rank) values ('automerge', 16)")


def add_to_search(db: sqlite_utils.Database, tweets: list[tuple[int, str, str | None]]) -> None:
    """Index tweets as they are stored: (id, text, substring_runs(text)) each."""
    conn = db.conn
    conn.executemany(
        f"insert into [{FTS_TABLE}] (rowid, text) values (?, ?)", [t[:2] for t in tweets]
    )
    runs = [(t[0], t[2]) for t in tweets if t[2] is not None]
    if runs:
        conn.executemany(f"insert into [{RUNS_TABLE}] (id, runs) values (?, ?)", runs)
        conn.executemany(f"insert into [{TRIGRAM_TABLE}] (rowid, runs) values (?, ?)", runs)


def remove_from_search(db: sqlite_utils.Database, ids_sql: str) -> None:
    """Unindex the tweets whose ids `ids_sql` selects, before they are deleted: an external
    content index must be told the text it indexed (the build's trigger is not there yet)."""
    conn = db.conn
    conn.execute(
        f"insert into [{FTS_TABLE}] ([{FTS_TABLE}], rowid, text) "
        f"select 'delete', id, text from tweets where id in ({ids_sql})"
    )
    conn.execute(
        f"insert into [{TRIGRAM_TABLE}] ([{TRIGRAM_TABLE}], rowid, runs) "
        f"select 'delete', id, runs from [{RUNS_TABLE}] where id in ({ids_sql})"
    )
    conn.execute(f"delete from [{RUNS_TABLE}] where id in ({ids_sql})")


def finish_search(db: sqlite_utils.Database) -> None:
    """What ranking needs, and the trigger that keeps both indexes right on deletes."""
    db.conn.create_function("trigram_tokens", 1, trigram_tokens, deterministic=True)
    db.execute(f"create table [{STATS_TABLE}] (tweets integer not null, trigrams integer not null)")
    db.execute(
        f"insert into [{STATS_TABLE}] select count(*), coalesce(sum(trigram_tokens(text)), 0) "
        "from tweets"
    )
    # Plain SQL, so that any connection deleting tweets keeps the indexes right.
    db.execute(
        f"""
        create trigger tweets_search_delete after delete on tweets begin
          insert into [{FTS_TABLE}] ([{FTS_TABLE}], rowid, text)
            values ('delete', old.id, old.text);
          insert into [{TRIGRAM_TABLE}] ([{TRIGRAM_TABLE}], rowid, runs)
            select 'delete', id, runs from [{RUNS_TABLE}] where id = old.id;
          delete from [{RUNS_TABLE}] where id = old.id;
          update [{STATS_TABLE}] set tweets = tweets - 1,
            trigrams = trigrams - max(coalesce(length(old.text), 0) - 2, 0);
        end
        """
    )
