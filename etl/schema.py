"""The public tables: declared once, created empty, indexed and searchable after the bulk load.

Table and column names are the project's API (people write SQL against them): change them
only with a migration note in the README.
"""

from __future__ import annotations

import sqlite_utils

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
        {
            "id": int,
            "id_str": str,
            "created_at": str,
            "kind": str,
            "text": str,
            "user_id": int,
            "in_reply_to_id": int,
            "in_reply_to_screen_name": str,
            "in_reply_to_user_id": int,
            "is_retweet": int,
            "retweeted_screen_name": str,
            "quoted_id": int,
            "lang": str,
            "source": str,
            "favorite_count": int,
            "retweet_count": int,
            "latitude": float,
            "longitude": float,
            "media_count": int,
            "place_name": str,
            "place_country": str,
            "retweeted_id": int,
            "possibly_sensitive": int,
            "is_deleted": int,
            "deleted_at": str,
            "is_circle": int,
            "community_id": int,
            "edit_initial_id": int,
            "is_latest_version": int,
            "note_tweet_id": int,
            "missing_from_newest_export": int,
            "url": str,
            "input_file": str,
            "input_line": int,
        },
        {
            "pk": "id",
            "not_null": {"created_at", "text", "user_id", "is_retweet", "kind"},
            "foreign_keys": [("user_id", "users", "id"), ("in_reply_to_user_id", "users", "id")],
        },
    ),
    "mentions": (
        {"tweet_id": int, "user_id": int, "position": int},
        {
            "pk": ("tweet_id", "user_id"),
            "foreign_keys": [("tweet_id", "tweets", "id"), ("user_id", "users", "id")],
        },
    ),
    "hashtags": (
        {"tweet_id": int, "tag": str, "position": int},
        {"pk": ("tweet_id", "tag"), "foreign_keys": [("tweet_id", "tweets", "id")]},
    ),
    "urls": (
        {"tweet_id": int, "position": int, "url": str, "domain": str},
        {"pk": ("tweet_id", "position"), "foreign_keys": [("tweet_id", "tweets", "id")]},
    ),
    "media": (
        {
            "tweet_id": int,
            "position": int,
            "type": str,
            "path": str,
            "filename": str,
            "url": str,
            "mime_type": str,
            "bytes": int,
            "width": int,
            "height": int,
            "source_id": int,
        },
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
    "etl_problems": (
        {"id": int, "source_id": int, "file": str, "line": int, "reason": str, "raw": str},
        {"pk": "id", "foreign_keys": [("source_id", "sources", "id")]},
    ),
}

# Every column a page filters, sorts or facets on.
INDEXES = {
    "tweets": [
        ["created_at"],
        ["user_id"],
        ["kind"],
        ["in_reply_to_id"],
        ["in_reply_to_screen_name"],
        ["in_reply_to_user_id"],
        ["retweeted_screen_name"],
        ["quoted_id"],
        ["lang"],
        ["source"],
        ["favorite_count"],
        ["retweet_count"],
        ["media_count"],
        ["place_country"],
        ["latitude"],
        ["edit_initial_id"],
        ["is_deleted"],
    ],
    "users": [["screen_name"]],
    "mentions": [["user_id"]],
    "hashtags": [["tag"]],
    "urls": [["domain"]],
    "media": [["type"]],
    "tweet_sources": [["source_id"]],
}

# English words with stemming ("running" finds "run"), accents folded, Cyrillic split on spaces.
FTS_TOKENIZER = "porter unicode61 remove_diacritics 2"
# unicode61 keeps a run of kana/kanji as one token; trigrams find any 3+ character substring.
TRIGRAM_TABLE = "tweets_trigram"


def create_tables(db: sqlite_utils.Database) -> None:
    for name, (columns, options) in TABLES.items():
        db[name].create(columns, **options)


def create_indexes(db: sqlite_utils.Database) -> None:
    for table, indexes in INDEXES.items():
        for columns in indexes:
            db[table].create_index(columns)


def create_search(db: sqlite_utils.Database) -> None:
    # Written out rather than enable_fts(): prefix indexes make `run*` searches an index
    # lookup instead of a scan of every term (sqlite-utils has no option for them).
    db.execute(
        "create virtual table [tweets_fts] using fts5 (text, content='tweets', "
        f"content_rowid='id', tokenize='{FTS_TOKENIZER}', prefix='2 3 4')"
    )
    db.execute("insert into [tweets_fts] (rowid, text) select id, text from tweets")
    db.execute(
        f"create virtual table [{TRIGRAM_TABLE}] using fts5 "
        "(text, tokenize='trigram', content='tweets', content_rowid='id')"
    )
    db.execute(f"insert into [{TRIGRAM_TABLE}] (rowid, text) select id, text from tweets")
