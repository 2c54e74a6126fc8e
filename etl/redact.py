"""What must not be published: the private rows of a build and the owner's redactions.

`redact.yml` (all keys optional):

    tweets: [1136365946841513984]    # these tweets (all versions, retweets), replies and quotes
    accounts: [some_account]         # every tweet to, from, mentioning, retweeting or quoting them
    words: ["phone number", secret]  # every tweet containing one of these (any case)

Redacted and private rows are deleted from the copy of the database that gets published,
along with the users nothing left refers to, with the full-text indexes rebuilt and the file
vacuumed, so no route (SQL included) can reach them.
"""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import sqlite_utils
import yaml

from . import search_index, summaries
from .errors import EtlError


@dataclass
class Redactions:
    tweets: list[int] = field(default_factory=list)
    accounts: list[str] = field(default_factory=list)
    words: list[str] = field(default_factory=list)


class RedactError(EtlError):
    pass


def load_redactions(path: Path | None) -> Redactions:
    if path is None:
        return Redactions()
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as e:
        raise RedactError(f"{path}: cannot read redactions ({e})") from None
    if not isinstance(data, dict) or set(data) - {"tweets", "accounts", "words"}:
        raise RedactError(f"{path}: expected only the keys tweets, accounts and words")
    try:
        return Redactions(
            tweets=[int(t) for t in data.get("tweets") or []],
            accounts=[str(a).lstrip("@") for a in data.get("accounts") or []],
            words=[str(w) for w in data.get("words") or [] if str(w).strip()],
        )
    except (TypeError, ValueError):
        raise RedactError(f"{path}: tweets must be a list of tweet ids") from None


@dataclass
class Privacy:
    include_deleted: bool = False
    include_circle: bool = False
    include_likes: bool = False


def word_pattern(words: list[str]) -> re.Pattern | None:
    if not words:
        return None
    return re.compile("|".join(re.escape(w) for w in words), re.IGNORECASE)


def publishable_copy(
    source: Path, target: Path, redactions: Redactions, privacy: Privacy
) -> dict[str, int]:
    """Copy the database at `source` to `target` without private or redacted rows."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp")
    shutil.copyfile(source, tmp)
    try:
        db = sqlite_utils.Database(tmp)
        removed = remove_rows(db, redactions, privacy)
        db.close()
        db = sqlite_utils.Database(tmp)
        db.execute("vacuum")
        db.close()
        tmp.replace(target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return removed


def remove_unreferenced_users(db: sqlite_utils.Database) -> int:
    """Delete the users only hidden tweets referred to: a user page would tell of them."""
    return db.execute(
        """
        delete from users
        where not coalesce(is_owner, 0)
          and lower(screen_name) not in (
            select lower(owner_screen_name) from sources where owner_screen_name is not null
          )
          and id not in (select user_id from tweets)
          and id not in (
            select in_reply_to_user_id from tweets where in_reply_to_user_id is not null
          )
          and id not in (select user_id from mentions where user_id is not null)
          and lower(screen_name) not in (
            select lower(in_reply_to_screen_name) from tweets
            where in_reply_to_screen_name is not null
            union
            select lower(retweeted_screen_name) from tweets where retweeted_screen_name is not null
          )
        """
    ).rowcount


def remove_rows(db: sqlite_utils.Database, redactions: Redactions, privacy: Privacy) -> dict:
    pattern = word_pattern(redactions.words)
    db.conn.create_function(
        "redacted_text", 1, lambda text: int(bool(pattern and text and pattern.search(text)))
    )
    db.execute("create temp table doomed (id integer primary key)")
    conditions = []
    if not privacy.include_deleted:
        conditions.append("is_deleted = 1")
    if not privacy.include_circle:
        conditions.append("is_circle = 1")
    if pattern:
        conditions.append("redacted_text(text)")
    for condition in conditions:
        db.execute(f"insert or ignore into doomed select id from tweets where {condition}")
    if redactions.tweets:
        db.conn.executemany(
            "insert or ignore into doomed select id from tweets where id = ?",
            [(t,) for t in redactions.tweets],
        )
    accounts = [a.lstrip("@").lower() for a in redactions.accounts]
    if accounts:
        db.conn.executemany(
            """
            insert or ignore into doomed
            select t.id from tweets t join users u on u.id = t.user_id
            where lower(u.screen_name) = :name
            union select id from tweets where lower(in_reply_to_screen_name) = :name
            union select id from tweets where lower(retweeted_screen_name) = :name
            union select m.tweet_id from mentions m join users u on u.id = m.user_id
            where lower(u.screen_name) = :name
            union select tweet_id from urls
            where lower(url) like '%twitter.com/' || :name || '/status/%'
               or lower(url) like '%x.com/' || :name || '/status/%'
            """,
            [{"name": a} for a in accounts],
        )
    # A hidden tweet takes along the conversation below it (replies and quotes of it), the
    # owner's retweets of it, and every version of it when it was edited.
    while True:
        added = db.execute(
            """
            insert or ignore into doomed
            select id from tweets
            where (
                in_reply_to_id in (select id from doomed)
                or quoted_id in (select id from doomed)
                or retweeted_id in (select id from doomed)
                or edit_initial_id in (select id from doomed)
                or edit_initial_id in (
                  select edit_initial_id from tweets where id in (select id from doomed)
                )
                or id in (select edit_initial_id from tweets where id in (select id from doomed))
              )
              and id not in (select id from doomed)
            """
        ).rowcount
        if not added:
            break
    removed = {"tweets": db.execute("select count(*) from doomed").fetchone()[0]}
    for table in ("mentions", "hashtags", "urls", "media", "tweet_sources"):
        db.execute(f"delete from [{table}] where tweet_id in (select id from doomed)")
    db.execute("delete from tweets where id in (select id from doomed)")
    # Pointers to hidden tweets would tell that they existed, and where to look.
    db.execute("update tweets set quoted_id = null where quoted_id in (select id from doomed)")
    db.execute(
        "update tweets set in_reply_to_id = null where in_reply_to_id in (select id from doomed)"
    )
    if accounts:
        placeholders = ", ".join("?" for _ in accounts)
        db.execute(f"delete from users where lower(screen_name) in ({placeholders})", accounts)
    remove_unreferenced_users(db)
    if not privacy.include_likes:
        removed["likes"] = db.execute("delete from likes").rowcount
    elif pattern:
        removed["likes"] = db.execute("delete from likes where redacted_text(text)").rowcount
    # Raw problem entries can hold text of tweets that were hidden; sources name local paths.
    db.execute("update etl_problems set raw = ''")
    db.execute("update sources set location = name")
    db.execute("drop table doomed")
    for fts in (search_index.FTS_TABLE, search_index.TRIGRAM_TABLE):
        db.execute(f"insert into [{fts}] ([{fts}]) values ('rebuild')")
    summaries.create_summaries(db)
    db.conn.commit()
    return removed
