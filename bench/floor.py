"""The floor: the simplest fast loader of the benchmark's generated archives, standard library only.

    python bench/floor.py DB SOURCE

What any loader must do at least: parse the input, insert tweets (id, date as ISO 8601, text)
with `executemany`, mentions and hashtags where the input lists them, and one FTS5 word index.
No merging, provenance, media, users, problems, summaries or safety. `make bench` times it in
the same run as `tweets-etl build`, and every target is a ratio to it, so a busy machine slows
both.

It is as fast as plain code gets, so the ratios are honest: the cyclic garbage collector is off
while the input is parsed (json.loads and the row lists make millions of objects it would scan
for nothing), everything is one transaction with no journal and no fsync (as the build does), and
dates are sliced out of their fixed-width form instead of parsed with strptime.
"""

from __future__ import annotations

import gc
import json
import re
import sqlite3
import sys
from pathlib import Path

SCHEMA = (
    "create table tweets (id integer primary key, created_at text, text text)",
    "create table mentions (tweet_id integer, user_id integer)",
    "create table hashtags (tweet_id integer, tag text)",
)
FTS = (
    "create virtual table tweets_fts using fts5 (text, content=tweets, content_rowid=id)",
    "insert into tweets_fts (rowid, text) select id, text from tweets",
)
# tweets.js, tweet.js, tweets-part1.js; not tweet-headers.js or tweetdeck.js, which the glob
# tweet*.js also matches and whose items have no full_text.
TWEET_FILE = re.compile(r"tweets?(-part\d+)?\.js")
FOOTER = re.compile(
    r"\(Originally on Twitter: \[(?P<date>[^\]]+)\]\(https?://twitter\.com/[^/]+/status/(?P<id>\d+)\)\)"
)
MONTHS = {
    name: f"{number:02}"
    for number, name in enumerate("Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split(), 1)
}


def iso(stamp: str) -> str:
    """'Wed Oct 10 20:19:24 +0000 2018' (both formats' dates) -> '2018-10-10T20:19:24+00:00'."""
    return (
        f"{stamp[26:30]}-{MONTHS[stamp[4:7]]}-{stamp[8:10]}T{stamp[11:19]}{stamp[20:23]}:"
        f"{stamp[23:25]}"
    )


def load_official(conn: sqlite3.Connection, source: Path) -> None:
    for path in sorted((source / "data").glob("tweet*.js")):
        if not TWEET_FILE.fullmatch(path.name):
            continue
        text = path.read_text(encoding="utf-8")
        items = json.loads(text[text.index("[") :])
        del text
        tweets, mentions, hashtags = [], [], []
        for item in items:
            tweet = item["tweet"]
            tweet_id = int(tweet["id_str"])
            tweets.append((tweet_id, iso(tweet["created_at"]), tweet["full_text"]))
            entities = tweet["entities"]
            mentions += [(tweet_id, int(m["id_str"])) for m in entities["user_mentions"]]
            hashtags += [(tweet_id, h["text"]) for h in entities["hashtags"]]
        del items
        conn.executemany("insert into tweets values (?, ?, ?)", tweets)
        conn.executemany("insert into mentions values (?, ?)", mentions)
        conn.executemany("insert into hashtags values (?, ?)", hashtags)


def load_markdown(conn: sqlite3.Connection, source: Path) -> None:
    for path in sorted(source.glob("tweets_*.md")):
        rows = []
        for entry in path.read_text(encoding="utf-8").split("\n\n----\n\n"):
            match = FOOTER.search(entry)
            if match:
                text = entry[: match.start()].strip()
                rows.append((int(match["id"]), iso(match["date"]), text))
        conn.executemany("insert or ignore into tweets values (?, ?, ?)", rows)


def main(db: str, source: str) -> None:
    Path(db).unlink(missing_ok=True)
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("pragma journal_mode = off")
    conn.execute("pragma synchronous = off")
    conn.execute("begin")
    for statement in SCHEMA:
        conn.execute(statement)
    source_path = Path(source)
    gc.disable()
    try:
        if (source_path / "data").is_dir():
            load_official(conn, source_path)
        else:
            load_markdown(conn, source_path)
    finally:
        gc.enable()
    for statement in FTS:
        conn.execute(statement)
    conn.execute("commit")
    conn.close()


if __name__ == "__main__":
    main(*sys.argv[1:])
