"""The public tables: declared once, created empty, indexed after the bulk load.

A tweet's columns are its record's fields (etl/records.py) plus the few computed here; media
rows are MediaRef's fields. Table and column names are the project's API (people write SQL
against them): change them only with a migration note in the README.
"""

from __future__ import annotations

import textwrap
import typing
from collections.abc import Iterable
from dataclasses import fields

import sqlite_utils

from .records import MediaRef, Tweet

# Fields of a Tweet that are rows of other tables (or, for the author, the user_id column).
RELATED_FIELDS = ("author", "mentions", "hashtags", "urls", "media")
TWEET_FIELDS = tuple(f.name for f in fields(Tweet) if f.name not in RELATED_FIELDS)
MEDIA_FIELDS = tuple(f.name for f in fields(MediaRef))

# Computed columns, each placed after the field it is computed from.
TWEET_COMPUTED = {
    "id_str": ("id", str),  # JavaScript can't hold a 64-bit id as a number
    "kind": ("created_at", str),  # tweet, reply, retweet or quote
    "user_id": ("text", int),  # the author, an id of users
    "media_count": ("longitude", int),
    "missing_from_newest_export": ("note_tweet_id", int),
}


def column_type(annotation) -> type:
    """int, float or str for a record field's type (bools are stored as 0 and 1)."""
    kinds = typing.get_args(annotation) or (annotation,)
    for kind in (bool, int, float, str):
        if kind in kinds:
            return int if kind is bool else kind
    raise TypeError(f"no column type for {annotation!r}")


def record_columns(record: type, names: tuple[str, ...], computed: dict) -> dict[str, type]:
    hints = typing.get_type_hints(record)
    columns = {}
    for name in names:
        columns[name] = column_type(hints[name])
        for extra, (after, kind) in computed.items():
            if after == name:
                columns[extra] = kind
    return columns


TWEET_COLUMNS = record_columns(Tweet, TWEET_FIELDS, TWEET_COMPUTED)
MEDIA_COLUMNS = {"tweet_id": int, "position": int, **record_columns(MediaRef, MEDIA_FIELDS, {})}
# Where an entity is written in its tweet's text: text[start:end], as Python (and SQLite's
# substr(text, start + 1, end - start)) count characters; NULL when it was not found there.
SPAN = {"start": int, "end": int}

TABLES = {
    "sources": (
        {
            "id": int,
            "name": str,
            "format": str,
            "location": str,
            "owner_screen_name": str,
            "exported_at": str,
            "files_read": int,
            "entries": int,
            "skipped_deleted": int,
            "skipped_circle": int,
            "skipped_likes": int,
        },
        {"pk": "id"},
    ),
    "users": (
        {"id": int, "screen_name": str, "name": str, "is_owner": int},
        {"pk": "id", "not_null": {"screen_name"}},
    ),
    "tweets": (
        TWEET_COLUMNS,
        {
            "pk": "id",
            "not_null": {"created_at", "text", "user_id", "is_retweet", "kind"},
            "foreign_keys": [("user_id", "users", "id"), ("in_reply_to_user_id", "users", "id")],
        },
    ),
    "mentions": (
        {"tweet_id": int, "user_id": int, "position": int, **SPAN},
        {
            "pk": ("tweet_id", "user_id"),
            "foreign_keys": [("tweet_id", "tweets", "id"), ("user_id", "users", "id")],
        },
    ),
    "hashtags": (
        {"tweet_id": int, "tag": str, "position": int, **SPAN},
        {"pk": ("tweet_id", "tag"), "foreign_keys": [("tweet_id", "tweets", "id")]},
    ),
    "urls": (
        {"tweet_id": int, "position": int, "url": str, "domain": str, **SPAN},
        {"pk": ("tweet_id", "position"), "foreign_keys": [("tweet_id", "tweets", "id")]},
    ),
    "media": (
        MEDIA_COLUMNS,
        {
            "pk": ("tweet_id", "position"),
            "foreign_keys": [("tweet_id", "tweets", "id"), ("source_id", "sources", "id")],
        },
    ),
    "tweet_sources": (
        {"tweet_id": int, "source_id": int, "input_file": str, "input_line": int},
        {
            "pk": ("tweet_id", "source_id", "input_file", "input_line"),
            "foreign_keys": [("tweet_id", "tweets", "id"), ("source_id", "sources", "id")],
        },
    ),
    "likes": (
        {"tweet_id": int, "text": str, "url": str, "liked_tweet_created_at": str},
        {"pk": "tweet_id"},
    ),
    # The owner's public profile (etl/profile.py): one row per owner, from their newest export.
    "profile": (
        {
            "screen_name": str,
            "user_id": int,
            "name": str,
            "bio": str,
            "location": str,
            "website": str,
            "joined_at": str,
            "time_zone": str,
            "time_zone_iana": str,
            "avatar_path": str,
            "header_path": str,
        },
        {"pk": "screen_name", "foreign_keys": [("user_id", "users", "id")]},
    ),
    # Its pictures, copied from the export's profile_media folder (served at /-/media/profile/).
    "profile_images": (
        {
            "screen_name": str,
            "kind": str,
            "mime_type": str,
            "extension": str,
            "bytes": int,
            "content": bytes,
        },
        {
            "pk": ("screen_name", "kind"),
            "foreign_keys": [("screen_name", "profile", "screen_name")],
        },
    ),
    "etl_problems": (
        {"id": int, "source_id": int, "file": str, "line": int, "reason": str, "raw": str},
        {"pk": "id", "foreign_keys": [("source_id", "sources", "id")]},
    ),
}

# The owner's direct messages (etl/private_dms.py): made only by a private build
# (--private), so a normal build's file has no dm_ table at all. Ids of people are integers
# like users.id; a conversation's id is text ("<id>-<id>" for 1:1, a number for a group).
DM_TABLES = {
    "dm_conversations": (
        {
            "id": str,
            "kind": str,
            "participant_ids": str,
            "first_at": str,
            "last_at": str,
            "message_count": int,
            "name": str,
        },
        {"pk": "id"},
    ),
    "dm_messages": (
        {
            "id": int,
            "conversation_id": str,
            "sender_id": int,
            "recipient_id": int,
            "created_at": str,
            "text": str,
            "urls": str,
            "media": str,
            "edit_history": str,
            "is_welcome": int,
        },
        {"pk": "id", "foreign_keys": [("conversation_id", "dm_conversations", "id")]},
    ),
    "dm_reactions": (
        {
            "id": int,
            "event_id": int,
            "message_id": int,
            "conversation_id": str,
            "sender_id": int,
            "reaction_key": str,
            "created_at": str,
        },
        {
            "pk": "id",
            "foreign_keys": [
                ("message_id", "dm_messages", "id"),
                ("conversation_id", "dm_conversations", "id"),
            ],
        },
    ),
    "dm_events": (
        {
            "id": int,
            "conversation_id": str,
            "kind": str,
            "initiating_user_id": int,
            "user_ids": str,
            "name": str,
            "created_at": str,
        },
        {"pk": "id", "foreign_keys": [("conversation_id", "dm_conversations", "id")]},
    ),
}
# The same reaction or event read from two exports of one account is stored once (`insert or
# ignore`); a message is by its id.
DM_UNIQUE = {
    "dm_reactions": "coalesce(event_id, 0), coalesce(message_id, 0), coalesce(sender_id, 0), "
    "coalesce(reaction_key, ''), coalesce(created_at, '')",
    "dm_events": "conversation_id, kind, coalesce(initiating_user_id, 0), "
    "coalesce(user_ids, ''), coalesce(name, ''), coalesce(created_at, '')",
}
DM_INDEXES = {
    "dm_messages": ("conversation_id, created_at", "sender_id", "created_at"),
    "dm_reactions": ("message_id",),
    "dm_events": ("conversation_id, created_at",),
    "dm_conversations": ("last_at",),
}


def create_dm_tables(db: sqlite_utils.Database, indexes: bool = True) -> None:
    """The DM tables, with the unique indexes `insert or ignore` relies on; their other
    indexes too unless `indexes` is false (a loader that makes them once its rows are in:
    create_dm_indexes)."""
    for name, (columns, options) in DM_TABLES.items():
        db.execute(db.create_table_sql(name, columns, **options))
    for name, expression in DM_UNIQUE.items():
        db.execute(f"create unique index [idx_{name}_unique] on [{name}] ({expression})")
    if indexes:
        create_dm_indexes(db)


def create_dm_indexes(db: sqlite_utils.Database, tables: Iterable[str] = tuple(DM_INDEXES)) -> None:
    """The DM_INDEXES of `tables`."""
    for name in tables:
        for columns in DM_INDEXES[name]:
            suffix = "_".join(c.strip() for c in columns.split(","))
            db.execute(f"create index [idx_{name}_{suffix}] on [{name}] ({columns})")


# Every column a page filters, sorts or facets on. Columns that are empty for most tweets
# (replies, quotes, places...) are indexed only where they have a value: a filter on them
# (`x = ?`, `x > ?`) implies `x is not null`, so SQLite uses the smaller index just the same.
FULL, PARTIAL = "full", "partial"
INDEXES = {
    "tweets": {
        "created_at": FULL,
        "user_id": FULL,
        "kind": FULL,
        "favorite_count": FULL,  # sorted on
        "retweet_count": FULL,
        "media_count": FULL,
        "in_reply_to_id": PARTIAL,
        "in_reply_to_screen_name": PARTIAL,
        "in_reply_to_user_id": PARTIAL,
        "retweeted_screen_name": PARTIAL,
        "quoted_id": PARTIAL,
        "lang": PARTIAL,
        "source": PARTIAL,
        "place_country": PARTIAL,
        "latitude": PARTIAL,
        "edit_initial_id": PARTIAL,
    },
    "users": {"screen_name": FULL},
    "mentions": {"user_id": FULL},
    "hashtags": {"tag": FULL},
    "urls": {"domain": PARTIAL},
    "media": {"type": FULL},
}
# Tables whose primary key is all there is to look a row up by: stored in key order without a
# rowid, they need no second copy of every row in an index of the key.
WITHOUT_ROWID = ("mentions", "hashtags", "urls", "media", "tweet_sources")


def create_tables(db: sqlite_utils.Database) -> None:
    for name, (columns, options) in TABLES.items():
        sql = db.create_table_sql(name, columns, **options)
        if name in WITHOUT_ROWID:
            sql = sql.rstrip().rstrip(";") + " without rowid"
        db.execute(sql)


def create_indexes(db: sqlite_utils.Database) -> None:
    """The indexes of INDEXES; one on a column that is null in every row (a Markdown archive
    has no like counts, languages or clients) is made partial, so it is empty but still
    answers `favorite_count > 0` at once."""
    for table, columns in INDEXES.items():
        found = db.execute(
            "select " + ", ".join(f"max([{c}] is not null)" for c in columns) + f" from [{table}]"
        ).fetchone()
        for (column, extent), anything in zip(columns.items(), found, strict=True):
            partial = extent == PARTIAL or not anything
            where = f" where [{column}] is not null" if partial else ""
            db.execute(f"create index [idx_{table}_{column}] on [{table}] ([{column}]){where}")
    # The tweets a publish leaves out unless asked to keep them (etl/redact.py): none unless
    # the build was asked for them, and found without reading every tweet.
    db.execute(
        "create index idx_tweets_private on tweets (id) where is_deleted = 1 or is_circle = 1"
    )
    # The owners, in the order home lists them: found among an export's 140,000 mentioned
    # accounts without reading them all (`where is_owner = 1`, as every query spells it).
    db.execute("create index idx_users_owners on users (screen_name) where is_owner = 1")


# A tweet's date as readers write it ('2 May 2020'), for text the site shows as it is.
HUMAN_DATE = """cast(strftime('%d', {0}) as integer)
              || ' '
              || substr('JanFebMarAprMayJunJulAugSepOctNovDec', 3 * strftime('%m', {0}) - 2, 3)
              || ' '
              || strftime('%Y', {0})"""
POPUP_TEXT = 280  # characters of a tweet shown in a map popup

# SQL that several canned queries (and pages) share, made once at build time. Views hold only
# the tables' own columns and SQLite's functions (no plugin's), so they work in any client.
VIEWS = {
    # Every tweet's latest version (an edited tweet's earlier versions left out), with its
    # author's handle: what lists of tweets show.
    "latest_tweets": """
        select
          tweets.id as tweet_id,
          tweets.created_at,
          tweets.kind,
          users.screen_name,
          tweets.text,
          tweets.media_count,
          tweets.favorite_count as likes,
          tweets.retweet_count as retweets,
          tweets.in_reply_to_id,
          tweets.quoted_id
        from tweets
        left join users on users.id = tweets.user_id
        where tweets.is_latest_version
    """,
    # Located tweets for datasette-cluster-map: its `popup` column is the JSON the map shows
    # for a marker (cluster-map escapes every value; the link is relative, so it works
    # under any database name and base_url).
    "located_tweets": f"""
        select
          tweets.id,
          tweets.created_at,
          tweets.latitude,
          tweets.longitude,
          tweets.place_name,
          tweets.text,
          json_object(
            'title',
            coalesce('@' || users.screen_name || ' · ', '')
              || {HUMAN_DATE.format("tweets.created_at")},
            'description',
            case
              when length(tweets.text) > {POPUP_TEXT}
                then rtrim(substr(tweets.text, 1, {POPUP_TEXT - 1})) || '…'
              else tweets.text
            end,
            'link', 'tweets/' || tweets.id,
            'image', '../-/media/' || photo.tweet_id || '/' || photo.position,
            'alt', photo.alt_text
          ) as popup
        from tweets
        left join users on users.id = tweets.user_id
        left join media as photo
          on photo.tweet_id = tweets.id
          and photo.position = (
            select min(position)
            from media
            where media.tweet_id = tweets.id
              and media.type = 'photo'
              and media.path is not null
          )
        where tweets.latitude is not null
          and tweets.longitude is not null
          and tweets.is_latest_version
    """,
}


def create_views(db: sqlite_utils.Database) -> None:
    for name, sql in VIEWS.items():
        db.execute(f"drop view if exists [{name}]")
        db.execute(f"create view [{name}] as\n{textwrap.dedent(sql).strip()}")
