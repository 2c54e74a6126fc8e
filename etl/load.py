"""Records into the database: staged, merged per tweet id, then written in batches.

Records are staged in the (temporary) database rather than held in memory, so a build's
memory stays flat however many tweets come in; merging then walks the staged records in id
order, one tweet at a time.
"""

from __future__ import annotations

import itertools
import os
import pickle
from collections.abc import Iterable, Iterator

import sqlite_utils

from . import schema, summaries
from .dates import snowflake_time
from .entities import url_domain
from .merge import UserDirectory, merge_tweets, text_conflicts
from .records import MAX_ID, Like, Problem, SourceInfo, Tweet, UserRef, valid_id

BATCH = 2000
# Integer fields that name another tweet or account: unusable out of range, so left unknown.
REFERENCE_FIELDS = (
    "in_reply_to_id",
    "in_reply_to_user_id",
    "quoted_id",
    "retweeted_id",
    "community_id",
    "edit_initial_id",
    "note_tweet_id",
)


class Loader:
    def __init__(self, db: sqlite_utils.Database):
        self.db = db
        self.users = UserDirectory()
        self.owners: set[str] = set()
        self.entries = 0
        self.problems = 0
        self.entry_problems = 0
        self.first_entry_problem: Problem | None = None
        self._staged = 0
        self._problem_rows: list[dict] = []
        schema.create_tables(db)
        db.execute("create table _staged (id integer, seq integer, source_id integer, data blob)")
        db.execute("create table _precedence (source_id integer primary key, precedence text)")
        self.sources: dict[int, SourceInfo] = {}

    def add_source(self, source_id: int, info: SourceInfo) -> None:
        """Record a source once it has been read (its owner and date come from reading it)."""
        self.sources[source_id] = info
        row = storable_row(
            {
                "id": source_id,
                "name": info.name,
                "format": info.format,
                # Absolute, so `publish` finds the media from any working directory (the
                # published copy keeps only the name).
                "location": os.path.abspath(info.location),
                "owner_screen_name": info.owner,
                "exported_at": info.exported_at,
                "files_read": len(info.files),
                "entries": info.entries,
                "skipped_deleted": info.skipped.get("deleted", 0),
                "skipped_circle": info.skipped.get("circle", 0),
                "skipped_likes": info.skipped.get("likes", 0),
            }
        )
        self.db["sources"].insert(row)
        self.db.execute(
            "insert into _precedence values (?, ?)", [source_id, storable_text(info.precedence)]
        )
        if info.owner:
            self.owners.add(info.owner)
            self.users.add(UserRef(info.owner, known_id(info.owner_id), info.owner_name))

    def stage(self, source_id: int, items: Iterable[Tweet | Like | Problem]) -> None:
        """Stage one source's records; counts every entry, stored or reported."""
        rows = []
        for item in items:
            if isinstance(item, Problem):
                self.add_problem(source_id, item)
                continue
            if isinstance(item, Like):
                self.add_like(source_id, item)
                continue
            if not valid_id(item.id):
                self.add_problem(source_id, out_of_range(item))
                continue
            storable(item)
            self.entries += 1
            self._staged += 1
            for ref in [item.author, *item.mentions]:
                self.users.add(ref)
            if item.in_reply_to_screen_name:
                self.users.add(UserRef(item.in_reply_to_screen_name, item.in_reply_to_user_id))
            if item.retweeted_screen_name:
                self.users.add(UserRef(item.retweeted_screen_name))
            rows.append((item.id, self._staged, source_id, pickle.dumps(item, 5)))
            if len(rows) >= BATCH:
                self._insert_staged(rows)
                rows = []
        self._insert_staged(rows)
        self._flush_problems()

    def add_like(self, source_id: int, like: Like) -> None:
        if not valid_id(like.tweet_id):
            reason = f"liked tweet id {like.tweet_id} is outside 1 to 2^63-1"
            self.add_problem(source_id, Problem(like.input_file, 0, reason, like.text or "", False))
            return
        # The first export to list a like wins; likes carry no author or time of their own.
        self.db.execute(
            "insert or ignore into likes values (?, ?, ?, ?)",
            [
                like.tweet_id,
                storable_text(like.text),
                storable_text(like.url),
                snowflake_time(like.tweet_id),
            ],
        )

    def add_problem(self, source_id: int, problem: Problem) -> None:
        if problem.entry:
            self.entries += 1
            self.entry_problems += 1
            self.first_entry_problem = self.first_entry_problem or problem
        self.problems += 1
        row = {"source_id": source_id, **problem.__dict__}
        del row["entry"]
        self._problem_rows.append(row)
        if len(self._problem_rows) >= BATCH:  # a damaged file can report millions
            self._flush_problems()

    def _flush_problems(self) -> None:
        if self._problem_rows:
            self.db["etl_problems"].insert_all(map(storable_row, self._problem_rows))
            self._problem_rows = []

    def _insert_staged(self, rows: list[tuple]) -> None:
        if rows:
            self.db.conn.executemany("insert into _staged values (?, ?, ?, ?)", rows)

    def _staged_groups(self) -> Iterator[tuple[list[Tweet], list[dict]]]:
        """Each tweet id's records, best first, with where each was seen."""
        cursor = self.db.conn.execute(
            "select id, _staged.source_id, data from _staged "
            "join _precedence on _precedence.source_id = _staged.source_id "
            "order by id, precedence desc, seq"
        )
        for _, group in itertools.groupby(cursor, key=lambda row: row[0]):
            records, provenance = [], []
            for _, source_id, data in group:
                # Our own pickles, written by this process into its own temporary database.
                record = pickle.loads(data)
                for ref in record.media:
                    ref.source_id = source_id
                records.append(record)
                provenance.append(
                    {
                        "tweet_id": record.id,
                        "source_id": source_id,
                        "input_file": record.input_file,
                        "input_line": record.input_line,
                    }
                )
            yield records, provenance

    def finish(self) -> None:
        tables = {
            name: []
            for name in ("tweets", "mentions", "hashtags", "urls", "media", "tweet_sources")
        }

        def flush(force=False):
            for name, rows in tables.items():
                if rows and (force or len(rows) >= BATCH):
                    insert_rows(self.db, name, rows)
                    rows.clear()

        users = map(storable_row, self.users.rows(self.owners))
        self.db["users"].insert_all(users, batch_size=BATCH)
        newest = self.newest_exports()
        for records, provenance in self._staged_groups():
            if len(records) > 1:
                self.report_conflicts(records, provenance)
            tweet = merge_tweets(records)
            rows_by_table = tweet_rows(tweet, self.users)
            newest_export = newest.get(tweet.author.screen_name.lower())
            if newest_export is not None:
                seen = {p["source_id"] for p in provenance}
                rows_by_table["tweets"][0]["missing_from_newest_export"] = int(
                    newest_export not in seen
                )
            for name, rows in rows_by_table.items():
                tables[name].extend(rows)
            tables["tweet_sources"].extend(provenance)
            flush()
        flush(force=True)
        self._flush_problems()
        self.db.execute("drop table _staged")
        self.db.execute("drop table _precedence")
        self.check_nothing_lost()
        schema.create_indexes(self.db)
        schema.create_search(self.db)
        summaries.create_summaries(self.db)
        self.db.execute("analyze")

    def report_conflicts(self, records: list[Tweet], provenance: list[dict]) -> None:
        """Texts of one id that tell different tweets: the best is kept, the others reported."""
        best = records[0]
        for i in text_conflicts(records):
            loser, source_id = records[i], provenance[i]["source_id"]
            winner = self.sources[provenance[0]["source_id"]].name
            reason = (
                f"tweet {best.id}: text differs from the one kept, "
                f"from {winner} ({best.input_file}:{best.input_line})"
            )
            self.add_problem(
                source_id, Problem(loser.input_file, loser.input_line, reason, loser.text, False)
            )

    def newest_exports(self) -> dict[str, int]:
        """For owners exported more than once: their newest official export's source id."""
        exports: dict[str, list[SourceInfo]] = {}
        ids = {}
        for source_id, info in self.sources.items():
            if info.is_export and info.owner:
                exports.setdefault(info.owner.lower(), []).append(info)
                ids[id(info)] = source_id
        return {
            owner: ids[id(max(infos, key=lambda i: i.exported_at or ""))]
            for owner, infos in exports.items()
            if len(infos) > 1
        }

    def check_nothing_lost(self) -> None:
        stored = self.db.execute("select count(*) from tweet_sources").fetchone()[0]
        reported = self.db.execute("select count(*) from etl_problems").fetchone()[0]
        if stored + self.entry_problems != self.entries or reported != self.problems:
            raise RuntimeError(
                f"internal error: {self.entries} entries read but {stored} stored "
                f"and {self.entry_problems} reported"
            )


def known_id(value: int | None) -> int | None:
    return value if valid_id(value) else None


def out_of_range(tweet: Tweet) -> Problem:
    reason = f"tweet id {tweet.id} is outside 1 to 2^63-1"
    return Problem(tweet.input_file, tweet.input_line, reason, tweet.text)


def storable(tweet: Tweet) -> None:
    """Unknown (None) for every integer SQLite could not store; the loader's last line of
    defence, whatever a reader lets through (storing 2^64 raises OverflowError)."""
    for name in REFERENCE_FIELDS:
        setattr(tweet, name, known_id(getattr(tweet, name)))
    for ref in (tweet.author, *tweet.mentions):
        ref.id = known_id(ref.id)
    for name in ("favorite_count", "retweet_count"):
        value = getattr(tweet, name)
        if value is not None and not 0 <= value <= MAX_ID:
            setattr(tweet, name, None)
    for ref in tweet.media:
        for name in ("bytes", "width", "height"):
            value = getattr(ref, name)
            if value is not None and not 0 <= value <= MAX_ID:
                setattr(ref, name, None)


def insert_rows(db: sqlite_utils.Database, table: str, rows: list[dict]) -> None:
    """Bulk insert: sqlite-utils' insert_all spends more time preparing rows than SQLite
    spends storing them, and these rows already have exactly the table's columns."""
    columns = list(schema.TABLES[table][0])
    sql = "insert into [{}] ({}) values ({})".format(
        table, ", ".join(f"[{c}]" for c in columns), ", ".join("?" for _ in columns)
    )
    values = [tuple(row[c] for c in columns) for row in rows]
    try:
        db.conn.executemany(sql, values)
    except UnicodeEncodeError:
        # A lone surrogate (a file name that is not UTF-8, a reader's slip): SQLite stored the
        # rows before the first one holding it; the rest go in with U+FFFD in its place.
        first = next(i for i, row in enumerate(values) if any(map(unstorable, row)))
        db.conn.executemany(sql, [tuple(map(storable_text, row)) for row in values[first:]])


def unstorable(value) -> bool:
    if not isinstance(value, str) or value.isascii():
        return False
    try:
        value.encode()
    except UnicodeEncodeError:
        return True
    return False


def storable_text(value):
    """value, with any lone surrogate (which SQLite can't store as UTF-8) replaced by U+FFFD."""
    if unstorable(value):
        return value.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return value


def storable_row(row: dict) -> dict:
    return {key: storable_text(value) for key, value in row.items()}


def tweet_kind(tweet: Tweet) -> str:
    if tweet.is_retweet:
        return "retweet"
    if tweet.in_reply_to_id is not None or tweet.in_reply_to_screen_name:
        return "reply"
    if tweet.quoted_id is not None:
        return "quote"
    return "tweet"


def tweet_rows(tweet: Tweet, users: UserDirectory) -> dict[str, list[dict]]:
    reply_user = None
    if tweet.in_reply_to_screen_name or tweet.in_reply_to_user_id is not None:
        reply_user = users.id_for(tweet.in_reply_to_screen_name or "", tweet.in_reply_to_user_id)
    row = {
        "id": tweet.id,
        "id_str": str(tweet.id),
        "created_at": tweet.created_at,
        "kind": tweet_kind(tweet),
        "text": tweet.text,
        "user_id": users.id_for(tweet.author.screen_name, tweet.author.id),
        "in_reply_to_id": tweet.in_reply_to_id,
        "in_reply_to_screen_name": tweet.in_reply_to_screen_name,
        "in_reply_to_user_id": reply_user,
        "is_retweet": int(tweet.is_retweet),
        "retweeted_screen_name": tweet.retweeted_screen_name,
        "quoted_id": tweet.quoted_id,
        "lang": tweet.lang,
        "source": tweet.source,
        "favorite_count": tweet.favorite_count,
        "retweet_count": tweet.retweet_count,
        "latitude": tweet.latitude,
        "longitude": tweet.longitude,
        "media_count": len(tweet.media),
        "place_name": tweet.place_name,
        "place_country": tweet.place_country,
        "retweeted_id": tweet.retweeted_id,
        "possibly_sensitive": None
        if tweet.possibly_sensitive is None
        else int(tweet.possibly_sensitive),
        "is_deleted": int(tweet.is_deleted),
        "deleted_at": tweet.deleted_at,
        "is_circle": int(tweet.is_circle),
        "community_id": tweet.community_id,
        "edit_initial_id": tweet.edit_initial_id,
        "is_latest_version": int(tweet.is_latest_version),
        "note_tweet_id": tweet.note_tweet_id,
        "missing_from_newest_export": None,
        "url": tweet.url,
        "input_file": tweet.input_file,
        "input_line": tweet.input_line,
    }
    mention_ids = {}
    for ref in tweet.mentions:
        mention_ids.setdefault(users.id_for(ref.screen_name, ref.id), len(mention_ids))
    tags = {}
    for tag in tweet.hashtags:
        tags.setdefault(tag, len(tags))
    return {
        "tweets": [row],
        "mentions": [
            {"tweet_id": tweet.id, "user_id": user_id, "position": position}
            for user_id, position in mention_ids.items()
        ],
        "hashtags": [
            {"tweet_id": tweet.id, "tag": tag, "position": position}
            for tag, position in tags.items()
        ],
        "urls": [
            {"tweet_id": tweet.id, "position": position, "url": url, "domain": url_domain(url)}
            for position, url in enumerate(tweet.urls)
        ],
        "media": [
            {"tweet_id": tweet.id, "position": position, **ref.__dict__}
            for position, ref in enumerate(tweet.media)
        ],
    }
