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

A private build indexes its direct messages (`dm_messages.text`) the same way, in tables of
the same shapes named `dm_messages_fts`, `dm_messages_trigram`... (DM_MESSAGES): the `dm_`
prefix puts them behind the wall (etl/private_wall.py) with the messages themselves. Every
function below takes the Index it works on; the tweets' (TWEETS) unless told.
"""

from __future__ import annotations

import functools
import re
import sys
import unicodedata
from dataclasses import dataclass

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


@dataclass(frozen=True)
class Index:
    """The tables of one text column's two indexes (its content table's `id` and `text`)."""

    content: str
    fts: str
    trigram: str
    runs: str
    stats: str
    # The stats table's column counting the indexed rows.
    counted: str
    trigger: str


TWEETS = Index(
    "tweets", FTS_TABLE, TRIGRAM_TABLE, RUNS_TABLE, STATS_TABLE, "tweets", "tweets_search_delete"
)
DM_MESSAGES = Index(
    "dm_messages",
    "dm_messages_fts",
    "dm_messages_trigram",
    "dm_messages_trigram_runs",
    "dm_messages_trigram_stats",
    "messages",
    "dm_messages_search_delete",
)


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


def drop_search(db: sqlite_utils.Database, index: Index = TWEETS) -> None:
    db.execute(f"drop trigger if exists [{index.trigger}]")
    for table in (index.fts, index.trigram, index.runs, index.stats):
        db.execute(f"drop table if exists [{table}]")


def create_search(db: sqlite_utils.Database, index: Index = TWEETS) -> None:
    """(Re)create both indexes from the content table as it is now (after a redaction, say;
    a build fills the tweets' as it loads: create_search_tables, add_to_search,
    finish_search; the DMs', stored all at once, are indexed here)."""
    drop_search(db, index)
    create_search_tables(db, index)
    db.execute(f"insert into [{index.fts}] (rowid, text) select id, text from [{index.content}]")
    db.conn.create_function("substring_runs", 1, substring_runs, deterministic=True)
    db.execute(
        f"insert into [{index.runs}] (id, runs) "
        f"select id, runs from (select id, substring_runs(text) as runs from [{index.content}]) "
        "where runs is not null"
    )
    db.execute(f"insert into [{index.trigram}] ([{index.trigram}]) values ('rebuild')")
    finish_search(db, index)


def create_search_tables(db: sqlite_utils.Database, index: Index = TWEETS) -> None:
    """Both indexes, empty."""
    # Written out rather than enable_fts(): sqlite-utils has no option for prefix indexes.
    db.execute(
        f"create virtual table [{index.fts}] using fts5 (text, content=[{index.content}], "
        f"content_rowid=[id], tokenize='{FTS_TOKENIZER}', prefix='{FTS_PREFIX}')"
    )
    db.execute(f"create table [{index.runs}] (id integer primary key, runs text not null)")
    db.execute(
        f"create virtual table [{index.trigram}] using fts5 (runs, content=[{index.runs}], "
        "content_rowid=[id], tokenize='trigram', columnsize=0)"
    )
    # Filled in batches as tweets are stored: merging segments 16 at a time instead of 4
    # halves the cost at a million tweets, for the same size and query speed.
    for table in (index.fts, index.trigram):
        db.execute(f"insert into [{table}] ([{table}], rank) values ('automerge', 16)")


def add_to_search(
    db: sqlite_utils.Database, tweets: list[tuple[int, str, str | None]], index: Index = TWEETS
) -> None:
    """Index tweets as they are stored: (id, text, substring_runs(text)) each."""
    conn = db.conn
    conn.executemany(
        f"insert into [{index.fts}] (rowid, text) values (?, ?)", [t[:2] for t in tweets]
    )
    runs = [(t[0], t[2]) for t in tweets if t[2] is not None]
    if runs:
        conn.executemany(f"insert into [{index.runs}] (id, runs) values (?, ?)", runs)
        conn.executemany(f"insert into [{index.trigram}] (rowid, runs) values (?, ?)", runs)


def remove_from_search(db: sqlite_utils.Database, ids_sql: str, index: Index = TWEETS) -> None:
    """Unindex the rows whose ids `ids_sql` selects, before they are deleted: an external
    content index must be told the text it indexed (the build's trigger is not there yet)."""
    conn = db.conn
    conn.execute(
        f"insert into [{index.fts}] ([{index.fts}], rowid, text) "
        f"select 'delete', id, text from [{index.content}] where id in ({ids_sql})"
    )
    conn.execute(
        f"insert into [{index.trigram}] ([{index.trigram}], rowid, runs) "
        f"select 'delete', id, runs from [{index.runs}] where id in ({ids_sql})"
    )
    conn.execute(f"delete from [{index.runs}] where id in ({ids_sql})")


def finish_search(db: sqlite_utils.Database, index: Index = TWEETS) -> None:
    """What ranking needs, and the trigger that keeps both indexes right on deletes."""
    db.conn.create_function("trigram_tokens", 1, trigram_tokens, deterministic=True)
    db.execute(
        f"create table [{index.stats}] ({index.counted} integer not null, "
        "trigrams integer not null)"
    )
    db.execute(
        f"insert into [{index.stats}] select count(*), coalesce(sum(trigram_tokens(text)), 0) "
        f"from [{index.content}]"
    )
    # Plain SQL, so that any connection deleting rows keeps the indexes right.
    db.execute(
        f"""
        create trigger [{index.trigger}] after delete on [{index.content}] begin
          insert into [{index.fts}] ([{index.fts}], rowid, text)
            values ('delete', old.id, old.text);
          insert into [{index.trigram}] ([{index.trigram}], rowid, runs)
            select 'delete', id, runs from [{index.runs}] where id = old.id;
          delete from [{index.runs}] where id = old.id;
          update [{index.stats}] set {index.counted} = {index.counted} - 1,
            trigrams = trigrams - max(coalesce(length(old.text), 0) - 2, 0);
        end
        """
    )
