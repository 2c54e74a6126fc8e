"""Records into the database as they are read: one pass, each row built once.

A RowMaker turns records into rows (no database: it can run in the reading process); the
Loader writes them.

The build reads its sources best first (by precedence), so the first record of a tweet id to
arrive is the one to keep. A later record of the same id (another source, or the same tweet
twice in one) is merged into the stored row: it fills what the kept one left unknown, and a
text that tells a different tweet is reported. Nothing is held back in memory or staged
twice; a build's memory stays flat however many tweets come in.

Privacy follows the tweet id: a reader tells the ids its source marks private (Withheld)
before its tweets, and every record of such an id, from any source, is left out; a row
stored before its id was known private (a newer export holding it as ordinary, an older one
marking it) is deleted at the end, with all that came with it.

Indexes, search, summaries and ANALYZE are the build's next steps (etl/build.py), not this
module's.
"""

from __future__ import annotations

import os
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from operator import attrgetter

import sqlite_utils

from . import schema, search_index
from .dates import snowflake_time
from .entities import url_domain
from .merge import UserDirectory, same_text, synthetic_user_id
from .offsets import HASHTAG, MENTION, URL, locate, relocate
from .records import (
    MAX_ID,
    Hashtag,
    Like,
    Mention,
    Problem,
    SourceInfo,
    Tweet,
    UserRef,
    Withheld,
    valid_id,
)
from .redact import remove_unreferenced_users
from .search_index import substring_runs

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
LIST_TABLES = ("mentions", "hashtags", "urls")

TWEET_INSERT_COLUMNS = schema.TWEET_FIELDS + tuple(schema.TWEET_COMPUTED)
tweet_fields = attrgetter(*schema.TWEET_FIELDS)
# The loader, not the reader, says which source a file's path is relative to.
media_fields = attrgetter(*(f for f in schema.MEDIA_FIELDS if f != "source_id"))
assert schema.MEDIA_FIELDS[-1] == "source_id"
REPLY_USER = schema.TWEET_FIELDS.index("in_reply_to_user_id")  # stored resolved, see row()
TEXT = TWEET_INSERT_COLUMNS.index("text")
USER_ID = TWEET_INSERT_COLUMNS.index("user_id")
MEDIA_PATH = 2 + schema.MEDIA_FIELDS.index("path")


def insert_sql(table: str, columns) -> str:
    return "insert into [{}] ({}) values ({})".format(
        table, ", ".join(f"[{c}]" for c in columns), ", ".join("?" for _ in columns)
    )


INSERT = {name: insert_sql(name, schema.TABLES[name][0]) for name in schema.TABLES}
INSERT["tweets"] = insert_sql("tweets", TWEET_INSERT_COLUMNS)
# A later record of a stored tweet fills only what the stored row leaves unknown, but a flag
# of privacy is kept if any record has it.
MOST_PRIVATE = ("is_deleted", "is_circle")
FILL_SQL = "update tweets set {} where id = ?".format(
    ", ".join(
        f"[{c}] = max(coalesce([{c}], 0), coalesce(?, 0))"
        if c in MOST_PRIVATE
        else f"[{c}] = coalesce([{c}], ?)"
        for c in schema.TWEET_FIELDS
    )
)
PRIVATE_KINDS = ("deleted", "circle")


# One tweet as rows: (tweets row, mentions, hashtags, urls, media rows, provenance row, the
# text's runs for the substring index).
# Plain tuples, so that they cross from the reading process cheaply (etl/prefetch.py).
Prepared = tuple


class RowMaker:
    """Records -> rows, with every account resolved to an id: no database here, so it can run
    in the reading process."""

    def __init__(self) -> None:
        self.users = UserDirectory()
        self.owners: set[str] = set()

    def prepare(
        self, source_id: int, items: Iterable[Tweet | Like | Problem | Withheld]
    ) -> Iterator[Prepared | Like | Problem | Withheld]:
        for item in items:
            if isinstance(item, Tweet):
                if valid_id(item.id):
                    yield self.tweet(source_id, item)
                else:
                    yield out_of_range(item)
            else:
                yield item

    def add_owner(self, info: SourceInfo) -> None:
        if info.owner:
            self.owners.add(info.owner)
            self.users.add(UserRef(info.owner, known_id(info.owner_id), info.owner_name))

    def tweet(self, source_id: int, tweet: Tweet) -> Prepared:
        storable(tweet)
        self.note_users(tweet)
        if unstorable(tweet.text):
            # Stored with U+FFFD for each lone surrogate, and two of them make one character.
            relocate(tweet, storable_text(tweet.text))
        return (
            self.tweet_row(tweet),
            self.mention_rows(tweet),
            hashtag_rows(tweet),
            [
                (tweet.id, p, link.url, url_domain(link.url), link.start, link.end)
                for p, link in enumerate(tweet.urls)
            ],
            [(tweet.id, p, *media_fields(ref), source_id) for p, ref in enumerate(tweet.media)],
            (tweet.id, source_id, tweet.input_file, tweet.input_line),
            substring_runs(tweet.text),
        )

    def note_users(self, tweet: Tweet) -> None:
        users = self.users
        users.add(tweet.author)
        for ref in tweet.mentions:
            users.add(ref)
        if tweet.in_reply_to_screen_name:
            users.add(UserRef(tweet.in_reply_to_screen_name, tweet.in_reply_to_user_id))
        if tweet.retweeted_screen_name:
            users.add(UserRef(tweet.retweeted_screen_name))

    def tweet_row(self, tweet: Tweet) -> tuple:
        users = self.users
        values = tweet_fields(tweet)
        if tweet.in_reply_to_screen_name or tweet.in_reply_to_user_id is not None:
            values = list(values)
            values[REPLY_USER] = users.id_for(
                tweet.in_reply_to_screen_name or "", tweet.in_reply_to_user_id
            )
        return (
            *values,
            str(tweet.id),
            tweet_kind(tweet),
            users.id_for(tweet.author.screen_name, tweet.author.id),
            len(tweet.media),
            None,
        )

    def mention_rows(self, tweet: Tweet) -> list[tuple]:
        """A row per account, where it is first written (an account named twice, or by two
        names after a rename, is one row: the first name found in the text places it)."""
        if not tweet.mentions:
            return []
        first: dict[int, Mention] = {}
        for ref in tweet.mentions:
            user_id = self.users.id_for(ref.screen_name, ref.id)
            if first.setdefault(user_id, ref).start is None:
                first[user_id] = ref  # (its place in the order kept)
        return [
            (tweet.id, user_id, p, ref.start, ref.end)
            for p, (user_id, ref) in enumerate(first.items())
        ]

    def accounts(self) -> Accounts:
        """Every account, and the ids learned after rows used a stand-in for them."""
        return Accounts(self.users.rows(self.owners), self.users.late_ids())


def hashtag_rows(tweet: Tweet) -> list[tuple]:
    """A row per tag, where it is first written."""
    first: dict[str, Hashtag] = {}
    for hashtag in tweet.hashtags:
        if first.setdefault(hashtag.tag, hashtag).start is None:
            first[hashtag.tag] = hashtag
    return [(tweet.id, tag, p, h.start, h.end) for p, (tag, h) in enumerate(first.items())]


@dataclass
class Accounts:
    users: list[dict]
    late_ids: dict[int, int]


class Loader:
    """Prepared rows into the database; the rows of a tweet id already stored are merged."""

    def __init__(self, db: sqlite_utils.Database):
        self.db = db
        self.maker = RowMaker()  # for records given to stage(); the build prepares its own
        self.entries = 0
        self.problems = 0
        self.entry_problems = 0
        self.first_entry_problem: Problem | None = None
        self._problem_rows: list[dict] = []
        self.sources: dict[int, SourceInfo] = {}
        self.names: dict[int, str] = {}  # source id -> name, known before the source is read
        self.read_order: dict[int, int] = {}
        # Ids marked private by some source, with the kind that keeps them out ("deleted"
        # when both): every record of them is left out.
        self.withheld: dict[int, str] = {}
        self.left_out_records = 0  # records of withheld ids: read, neither stored nor lost
        # source id -> kind -> the source's tweets left out: those it marks, and its records
        # of ids another source marks.
        self.skipped: defaultdict[int, Counter[str]] = defaultdict(Counter)
        schema.create_tables(db)
        search_index.create_search_tables(db)

    def add_source(self, source_id: int, info: SourceInfo) -> None:
        """Record a source once it has been read (its owner and counts come from reading it)."""
        self.sources[source_id] = info
        self.names[source_id] = info.name
        self.maker.add_owner(info)
        row = storable_row(
            {
                "id": source_id,
                "name": info.name,
                "format": info.format,
                # Absolute, so `publish` finds the media from any working directory (the
                # published copy keeps only the name).
                "location": os.path.abspath(info.tree_location or info.location),
                "owner_screen_name": info.owner,
                "exported_at": info.exported_at,
                "files_read": len(info.files),
                "entries": info.entries,
                **self.skipped_columns(source_id),
                "skipped_likes": info.skipped.get("likes", 0),
            }
        )
        self.db["sources"].insert(row)

    def skipped_columns(self, source_id: int) -> dict[str, int]:
        return {f"skipped_{kind}": self.skipped[source_id][kind] for kind in PRIVATE_KINDS}

    def left_out(self) -> dict[str, int]:
        """Private items left out, by kind: each withheld tweet once, whatever number of
        sources held it; likes as the sources counted them."""
        counts = Counter(self.withheld.values())
        for info in self.sources.values():
            counts.update({k: n for k, n in info.skipped.items() if k not in PRIVATE_KINDS})
        return {kind: count for kind, count in sorted(counts.items()) if count}

    def stage(
        self,
        source_id: int,
        items: Iterable[Tweet | Like | Problem | Withheld],
        name: str | None = None,
    ) -> None:
        """Load one source's records (see store)."""
        self.store(source_id, self.maker.prepare(source_id, items), name)

    def store(
        self,
        source_id: int,
        items: Iterable[Prepared | Like | Problem | Withheld],
        name: str | None = None,
    ) -> None:
        """Load one source's prepared rows; counts every entry, stored, reported or left out
        as private. Sources must come best first: of two records of one tweet, the first
        loaded is kept."""
        self.names.setdefault(source_id, name or f"source {source_id}")
        self.read_order.setdefault(source_id, len(self.read_order))
        batch: list[Prepared] = []
        for item in items:
            if isinstance(item, tuple):
                self.entries += 1
                batch.append(item)
                if len(batch) >= BATCH:
                    self.load_batch(batch)
                    batch = []
            elif isinstance(item, Problem):
                self.add_problem(source_id, item)
            elif isinstance(item, Like):
                self.add_like(source_id, item)
            else:
                self.withhold(source_id, item)
        self.load_batch(batch)
        self._flush_problems()

    def withhold(self, source_id: int, item: Withheld) -> None:
        if not valid_id(item.tweet_id):
            return  # no record of it can be stored either
        if item.kind == "deleted" or item.tweet_id not in self.withheld:
            self.withheld[item.tweet_id] = item.kind
        self.skipped[source_id][item.kind] += 1

    def without_withheld(self, batch: list[Prepared]) -> list[Prepared]:
        kept = []
        withheld = self.withheld
        for prepared in batch:
            kind = withheld.get(prepared[0][0])
            if kind is None:
                kept.append(prepared)
            else:
                self.left_out_records += 1
                self.skipped[prepared[5][1]][kind] += 1  # the record's source
        return kept

    def load_batch(self, batch: list[Prepared]) -> None:
        if self.withheld:
            batch = self.without_withheld(batch)
        if not batch:
            return
        stored = self.stored_ids([p[0][0] for p in batch])
        fresh, later = [], []
        for prepared in batch:
            tweet_id = prepared[0][0]
            if tweet_id in stored:
                later.append(prepared)
            else:
                stored.add(tweet_id)
                fresh.append(prepared)
        insert_rows(self.db, "tweets", [p[0] for p in fresh])
        for position, table in enumerate(LIST_TABLES + ("media",), 1):
            insert_rows(self.db, table, [row for p in fresh for row in p[position]])
        insert_rows(self.db, "tweet_sources", [p[5] for p in batch])  # every record's origin
        search_index.add_to_search(
            self.db, [(p[0][0], storable_text(p[0][TEXT]), storable_text(p[6])) for p in fresh]
        )
        while later:  # one record per id at a time: each may change what the next one sees
            now, later = first_of_each_id(later)
            self.merge_into_stored(now)

    def stored_ids(self, ids: list[int]) -> set[int]:
        placeholders = ", ".join("?" * len(ids))
        sql = f"select id from tweets where id in ({placeholders})"
        return {row[0] for row in self.db.conn.execute(sql, ids)}

    def merge_into_stored(self, records: list[Prepared]) -> None:
        """Later records of stored tweets (one per id): fill, report, keep provenance."""
        conn = self.db.conn
        ids = [p[0][0] for p in records]
        placeholders = ", ".join("?" * len(ids))
        kept = {
            row[0]: row[1:]
            for row in conn.execute(
                f"select id, text, input_file, input_line, user_id from tweets "
                f"where id in ({placeholders})",
                ids,
            )
        }
        with_lists = {
            name: {
                row[0]
                for row in conn.execute(
                    f"select distinct tweet_id from [{name}] where tweet_id in ({placeholders})",
                    ids,
                )
            }
            for name in LIST_TABLES
        }
        media: dict[int, tuple[int, int]] = {}
        for tweet_id, found, count in conn.execute(
            f"select tweet_id, count(path), count(*) from media where tweet_id in ({placeholders})"
            " group by tweet_id",
            ids,
        ):
            media[tweet_id] = (found, count)
        tables: dict[str, list[tuple]] = {name: [] for name in (*LIST_TABLES, "media")}
        fills, replaced_media, new_authors = [], [], []
        for row, *lists, media_rows, origin, _ in records:
            tweet_id = row[0]
            text, input_file, input_line, user_id = kept[tweet_id]
            if not same_text(text, row[TEXT]):
                self.report_conflict(row, origin, input_file, input_line)
            fills.append((*row[: len(schema.TWEET_FIELDS)], tweet_id))
            if user_id < 0 and row[USER_ID] > 0:
                new_authors.append((row[USER_ID], tweet_id))
            moved = storable_text(row[TEXT]) != text
            for name, rows in zip(LIST_TABLES, lists, strict=True):
                if tweet_id not in with_lists[name]:
                    tables[name] += moved_rows(name, rows, row[TEXT], text) if moved else rows
            found = sum(r[MEDIA_PATH] is not None for r in media_rows)
            if (found, len(media_rows)) > media.get(tweet_id, (0, 0)):
                replaced_media.append((len(media_rows), tweet_id))
                tables["media"] += media_rows
        conn.executemany(FILL_SQL, fills)
        conn.executemany("update tweets set user_id = ? where id = ?", new_authors)
        # A filled-in reply or quote id can change what kind of tweet it is.
        refilled = conn.execute(
            "select id, is_retweet, in_reply_to_id, in_reply_to_screen_name, quoted_id "
            f"from tweets where id in ({placeholders})",
            ids,
        ).fetchall()
        conn.executemany(
            "update tweets set kind = ? where id = ?",
            [(kind_of(*row[1:]), row[0]) for row in refilled],
        )
        conn.executemany("delete from media where tweet_id = ?", [(i,) for _, i in replaced_media])
        conn.executemany("update tweets set media_count = ? where id = ?", replaced_media)
        for name, rows in tables.items():
            insert_rows(self.db, name, rows)

    def report_conflict(self, loser: tuple, origin: tuple, kept_file: str, kept_line: int):
        """A text of a stored id that tells a different tweet: the stored one is kept."""
        tweet_id, source_id, input_file, input_line = origin
        winners = [
            row[0]
            for row in self.db.conn.execute(
                "select source_id from tweet_sources "
                "where tweet_id = ? and input_file = ? and input_line = ?",
                [tweet_id, kept_file, kept_line],
            )
        ]
        winner = min(winners, key=lambda s: self.read_order.get(s, 0), default=source_id)
        reason = (
            f"tweet {tweet_id}: text differs from the one kept, "
            f"from {self.names.get(winner, winner)} ({kept_file}:{kept_line})"
        )
        self.add_problem(source_id, Problem(input_file, input_line, reason, loser[TEXT], False))

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

    def finish(self, accounts: Accounts | None = None) -> None:
        """Users, the ids learned late, and the facts that need every source. `accounts`
        come from the RowMaker that prepared the rows (this loader's own by default)."""
        accounts = accounts or self.maker.accounts()
        self._flush_problems()
        users = map(storable_row, accounts.users)
        self.db["users"].insert_all(users, batch_size=BATCH)
        self.resolve_late_user_ids(accounts.late_ids)
        self.remove_withheld()
        self.mark_missing_from_newest_export()
        self.check_nothing_lost()

    def resolve_late_user_ids(self, late: dict[int, int]) -> None:
        """Rows written before an account's id was known used its name's stand-in id."""
        if not late:
            return
        conn = self.db.conn
        conn.execute("create temp table late_user_ids (stand_in integer primary key, id integer)")
        conn.executemany("insert into late_user_ids values (?, ?)", late.items())
        for table, column in (
            ("tweets", "user_id"),
            ("tweets", "in_reply_to_user_id"),
            ("mentions", "user_id"),
        ):
            # `or ignore`: a tweet that mentioned one account by name and by id lists it once.
            conn.execute(
                f"update or ignore [{table}] set [{column}] = "
                f"(select id from late_user_ids where stand_in = [{column}]) "
                f"where [{column}] in (select stand_in from late_user_ids)"
            )
        conn.execute("delete from mentions where user_id in (select stand_in from late_user_ids)")
        conn.execute("drop table late_user_ids")

    def remove_withheld(self) -> None:
        """Rows stored before their id was known private go, with their entities, media,
        provenance and full text, and then the accounts only withheld records named."""
        if not self.withheld:
            return
        conn = self.db.conn
        conn.execute("create temp table withheld (id integer primary key, kind text not null)")
        conn.executemany("insert into withheld values (?, ?)", self.withheld.items())
        # Looked up by primary key: a build with no stored copy pays nothing more.
        conn.execute(
            "delete from withheld where not exists (select 1 from tweets where id = withheld.id)"
        )
        stored = conn.execute("select count(*) from withheld").fetchone()[0]
        if stored:
            for source_id, kind, count in conn.execute(
                "select source_id, kind, count(*) from tweet_sources "
                "join withheld on withheld.id = tweet_sources.tweet_id group by 1, 2"
            ).fetchall():
                self.skipped[source_id][kind] += count
                self.left_out_records += count
            search_index.remove_from_search(self.db, "select id from withheld")
            for table in (*LIST_TABLES, "media", "tweet_sources"):
                conn.execute(f"delete from [{table}] where tweet_id in (select id from withheld)")
            conn.execute("delete from tweets where id in (select id from withheld)")
            for source_id in self.sources:
                columns = self.skipped_columns(source_id)
                sets = ", ".join(f"[{name}] = ?" for name in columns)
                conn.execute(
                    f"update sources set {sets} where id = ?", [*columns.values(), source_id]
                )
        conn.execute("drop table withheld")
        if self.left_out_records:
            remove_unreferenced_users(self.db)

    def mark_missing_from_newest_export(self) -> None:
        """For owners exported more than once: is each of their tweets in the newest export?"""
        exports: dict[str, list[tuple[str, int]]] = {}
        for source_id, info in self.sources.items():
            if info.is_export and info.owner:
                exports.setdefault(info.owner.lower(), []).append(
                    (info.exported_at or "", -source_id)
                )
        for owner, dated in exports.items():
            if len(dated) < 2:
                continue
            newest = -max(dated)[1]
            self.db.execute(
                """
                update tweets
                set missing_from_newest_export = not exists (
                  select 1 from tweet_sources
                  where tweet_id = tweets.id and source_id = ?
                )
                where user_id in (select id from users where lower(screen_name) = ?)
                """,
                [newest, owner],
            )

    def check_nothing_lost(self) -> None:
        stored = self.db.execute("select count(*) from tweet_sources").fetchone()[0]
        reported = self.db.execute("select count(*) from etl_problems").fetchone()[0]
        accounted = stored + self.entry_problems + self.left_out_records
        if accounted != self.entries or reported != self.problems:
            raise RuntimeError(
                f"internal error: {self.entries} entries read but {stored} stored, "
                f"{self.entry_problems} reported and {self.left_out_records} left out as private"
            )


def first_of_each_id(records: list[Prepared]) -> tuple[list[Prepared], list[Prepared]]:
    """The first record of each tweet id, and the rest (in order)."""
    first: dict[int, Prepared] = {}
    rest = []
    for prepared in records:
        tweet_id = prepared[0][0]
        if tweet_id in first:
            rest.append(prepared)
        else:
            first[tweet_id] = prepared
    return list(first.values()), rest


LIST_KINDS = {"mentions": MENTION, "hashtags": HASHTAG, "urls": URL}


def moved_rows(table: str, rows: list[tuple], own: str, stored: str) -> list[tuple]:
    """A later record's entity rows (their last two columns: where each is written in the
    record's own text), with offsets into the stored text instead: each found as the record
    wrote it, near where it was."""
    kind, own = LIST_KINDS[table], storable_text(own)
    wanted = []
    for row in rows:
        start, end = row[-2:]
        if kind == MENTION:  # a row names the account by id: the name is as written
            value = own[start + 1 : end] if start is not None else ""
        else:
            value = row[2] if kind == URL else row[1]
        wanted.append((kind, value, start, end))
    spans = locate(stored, wanted)
    return [(*row[:-2], *(span or (None, None))) for row, span in zip(rows, spans, strict=True)]


def known_id(value: int | None) -> int | None:
    return value if valid_id(value) else None


def out_of_range(tweet: Tweet) -> Problem:
    reason = f"tweet id {tweet.id} is outside 1 to 2^63-1"
    return Problem(tweet.input_file, tweet.input_line, reason, tweet.text)


def storable(tweet: Tweet) -> None:
    """Unknown (None) for every integer SQLite could not store; the loader's last line of
    defence, whatever a reader lets through (storing 2^64 raises OverflowError)."""
    for name in REFERENCE_FIELDS:
        value = getattr(tweet, name)
        if value is not None and not 0 < value <= MAX_ID:
            setattr(tweet, name, None)
    for ref in (tweet.author, *tweet.mentions):
        if ref.id is not None and not 0 < ref.id <= MAX_ID:
            ref.id = None
    for name in ("favorite_count", "retweet_count"):
        value = getattr(tweet, name)
        if value is not None and not 0 <= value <= MAX_ID:
            setattr(tweet, name, None)
    for ref in tweet.media:
        for name in ("bytes", "width", "height"):
            value = getattr(ref, name)
            if value is not None and not 0 <= value <= MAX_ID:
                setattr(ref, name, None)


def insert_rows(db: sqlite_utils.Database, table: str, values: list[tuple]) -> None:
    """Bulk insert of rows already in the order of INSERT[table]'s columns (sqlite-utils'
    insert_all spends more time preparing rows than SQLite spends storing them)."""
    if not values:
        return
    sql = INSERT[table]
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
    return kind_of(
        tweet.is_retweet, tweet.in_reply_to_id, tweet.in_reply_to_screen_name, tweet.quoted_id
    )


def kind_of(is_retweet, in_reply_to_id, in_reply_to_screen_name, quoted_id) -> str:
    """retweet, reply, quote or tweet: the one rule, for new rows and for merged ones."""
    if is_retweet:
        return "retweet"
    if in_reply_to_id is not None or in_reply_to_screen_name:
        return "reply"
    if quoted_id is not None:
        return "quote"
    return "tweet"


__all__ = ["Loader", "synthetic_user_id"]
