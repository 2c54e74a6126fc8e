"""What must not be published: the private rows of a build and the owner's redactions.

`redact.yml` (all keys optional):

    tweets: [1136365946841513984]    # these tweets (all versions, retweets), replies and quotes
    accounts: [some_account]         # every tweet to, from, mentioning, retweeting or quoting them
    words: ["phone number", secret]  # every tweet containing one (any case, spacing or spelling)

Redacted and private rows are deleted from the copy of the database that gets published,
along with the users nothing left refers to and the problem rows about them, so no route (SQL
included) and no byte of the file can reach them. Only what the deletions touched is made
again: each search index that lost a tweet is merged (FTS5 keeps a deleted tweet's terms,
marked deleted, until then), the summaries if what they count lost rows, the statistics of the
tables that lost rows; then the file is written afresh (`vacuum into`: no free page, no index
page, holds what went). A publish with nothing to remove is a copy of the file, with local
paths and raw problem entries overwritten in place, unless the build itself took back tweets
it had stored (build_leftovers).
"""

from __future__ import annotations

import functools
import re
import shutil
import sqlite3
import sys
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import sqlite_utils
import yaml

from . import private_wall, search_index, summaries
from .errors import EtlError
from .retweets import RetweetIndex, status_author, status_id


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


@functools.cache
def invisible() -> re.Pattern:
    """Format characters (soft hyphen, zero-width space, joiners): invisible, so "password"
    with one inside still reads "password". Listed on first use, as ranges (a class of each
    character alone is 8 times slower)."""
    ranges: list[list[int]] = []
    for code in range(sys.maxunicode + 1):
        if unicodedata.category(chr(code)) == "Cf":
            if ranges and ranges[-1][1] == code - 1:
                ranges[-1][1] = code
            else:
                ranges.append([code, code])
    spans = "".join(f"{re.escape(chr(a))}-{re.escape(chr(b))}" for a, b in ranges)
    return re.compile(f"[{spans}]")


def normal(text: str) -> str:
    """Text as a phrase is looked for in it: one spelling of each character (NFKC: composed
    accents, full-width and ligature forms), case folded, any run of whitespace one space."""
    if not text.isascii():
        text = invisible().sub("", unicodedata.normalize("NFKC", text).casefold())
        text = unicodedata.normalize("NFKC", text)
    return " ".join(text.lower().split())


def word_pattern(words: list[str]) -> re.Pattern | None:
    """Matches the `normal` form of a text containing one of `words`."""
    phrases = {normal(w).strip() for w in words} - {""}
    if not phrases:
        return None
    return re.compile("|".join(re.escape(p) for p in sorted(phrases)))


@dataclass
class Prepared:
    removed: dict[str, int]  # tweets (and likes) left out, as publish reports them
    remade: list[str]  # the work done on the copy beyond deleting rows, in order


def publishable_copy(
    source: Path,
    target: Path,
    redactions: Redactions,
    privacy: Privacy,
    keep_private: bool = False,
) -> dict[str, int]:
    """Copy the database at `source` to `target` without private or redacted rows (nor the
    private archive's tables, unless `keep_private`: a private archive served locally)."""
    return prepare_copy(source, target, redactions, privacy, keep_private).removed


def prepare_copy(
    source: Path,
    target: Path,
    redactions: Redactions,
    privacy: Privacy,
    keep_private: bool = False,
) -> Prepared:
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp")
    fresh = target.with_name(f".{target.name}.fresh")
    fresh.unlink(missing_ok=True)  # `vacuum into` writes only a file that isn't there
    shutil.copyfile(source, tmp)
    try:
        db = sqlite_utils.Database(tmp)
        # A scratch copy (removed on failure): no journal. Every byte a change frees is
        # zeroed, so values overwritten in place (local paths, raw entries) leave no trace.
        for pragma in ("journal_mode = off", "synchronous = off", "secure_delete = on"):
            db.execute(f"pragma {pragma}")
        leftovers = build_leftovers(db)
        removed, touched = remove_rows(db, redactions, privacy)
        if not keep_private:
            touched.update(drop_private_tables(db))
        remade = remake(db, touched, leftovers)
        db.conn.commit()
        if touched or leftovers:
            db.execute("vacuum into ?", [str(fresh)])
            remade.append("vacuum")
            db.close()
            fresh.replace(target)
            tmp.unlink()
        else:
            db.close()
            tmp.replace(target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        fresh.unlink(missing_ok=True)
        raise
    return Prepared(removed, remade)


def build_leftovers(db: sqlite_utils.Database) -> bool:
    """Whether the file may hold bytes of tweets the build itself left out. A source says
    which of its tweets are deleted or Circle before any tweet, so one source's are never
    stored; with several, a tweet one source stored may be taken back when another is read
    (etl/load.py, remove_withheld): its row is deleted, its terms are only marked deleted
    in the search indexes, its id may stay in an index page."""
    sources, skipped = db.execute(
        "select count(*), coalesce(sum(coalesce(skipped_deleted, 0) "
        "+ coalesce(skipped_circle, 0)), 0) from sources"
    ).fetchone()
    return sources > 1 and skipped > 0


def drop_private_tables(db: sqlite_utils.Database) -> Counter:
    """Drop every table of a private archive (DMs, followers, blocks...: etl/private_wall.py)
    and its mark; returns the rows each held, for those that held any (the file is then
    written afresh: no page of theirs is left)."""
    dropped = Counter()
    for name in private_wall.private_tables(db.table_names()):
        if not db[name].exists():  # a search index's shadow table, gone with its index
            continue
        if db[name].virtual_table_using:
            # A search index (dm_messages_fts): its rows are its content table's, which
            # may be gone already (counting them would read it).
            db.execute(f"drop table [{name}]")
            continue
        rows = db.execute(f"select count(*) from [{name}]").fetchone()[0]
        db.execute(f"drop table [{name}]")
        if rows:
            dropped[name] = rows
    # A view over them would only fail: it goes too.
    for view in db.view_names():
        try:
            db.execute(f"select * from [{view}] limit 0")
        except sqlite3.OperationalError:
            db.execute(f"drop view [{view}]")
    return dropped


# What each summary counts from: a summary is made again only when one of these lost rows.
SUMMARY_INPUTS = {"tweets", "users", "mentions", "hashtags", "urls", "media"}
SHADOW_TABLES = ("data", "idx", "docsize", "config")


def remake(db: sqlite_utils.Database, touched: Counter, leftovers: bool) -> list[str]:
    """Make again what the deletions touched (`touched`: rows deleted or changed, by table),
    and only that."""
    remade = []
    # A search index that lost tweets (or, after a build that took tweets back, both) is
    # merged into one segment: only then are the deleted tweets' terms gone from the file.
    merged = [
        fts
        for fts, lost in (
            (search_index.FTS_TABLE, touched["tweets"]),
            (search_index.TRIGRAM_TABLE, touched[search_index.RUNS_TABLE]),
        )
        if lost or leftovers
    ]
    for fts in merged:
        db.execute(f"insert into [{fts}] ([{fts}]) values ('optimize')")
        remade.append(f"merge {fts}")
    analyze = [table for table in touched if db[table].exists()]
    if SUMMARY_INPUTS & set(touched):
        summaries.create_summaries(db)
        remade.append("summaries")
        analyze += summaries.SUMMARY_TABLES
    shadows = [f"{fts}_{suffix}" for fts in merged for suffix in SHADOW_TABLES]
    analyze += [t for t in shadows if db[t].exists()]
    # The build's statistics count the rows before removal (how many tweets, likes...): those
    # of every table that lost rows are counted again. sqlite_stat4 would hold sampled values
    # of indexed columns; the planner does without.
    for table in analyze:
        db.execute(f"analyze [{table}]")
    if analyze:
        remade.append("statistics")
    db.execute("drop table if exists sqlite_stat4")
    return remade


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


def remove_rows(
    db: sqlite_utils.Database, redactions: Redactions, privacy: Privacy
) -> tuple[dict[str, int], Counter]:
    """Delete what must not be published; returns what publish reports (tweets and likes
    left out) and the rows deleted or changed in each table that lost any."""
    pattern = word_pattern(redactions.words)
    db.conn.create_function(
        "redacted_text",
        1,
        lambda text: int(bool(pattern and text and pattern.search(normal(text)))),
    )
    db.execute("create temp table doomed (id integer primary key)")
    # Every id redact.yml names, also those the archive holds no row of (another account's
    # tweet the owner retweeted): the owner's retweets of it still go.
    db.execute("create temp table named (id integer primary key)")
    db.conn.executemany("insert or ignore into named values (?)", [(t,) for t in redactions.tweets])
    if where := hidden_where(privacy, pattern):
        db.execute(f"insert or ignore into doomed select id from tweets where {where}")
    db.execute("insert or ignore into doomed select id from tweets where id in named")
    doom_retweeted(db)
    accounts = [a.lstrip("@").lower() for a in redactions.accounts]
    if accounts:
        db.conn.create_function("status_author", 1, status_author, deterministic=True)
        db.conn.executemany(
            """
            insert or ignore into doomed
            select t.id from tweets t join users u on u.id = t.user_id
            where lower(u.screen_name) = :name
            union select id from tweets where lower(in_reply_to_screen_name) = :name
            union select id from tweets where lower(retweeted_screen_name) = :name
            union select m.tweet_id from mentions m join users u on u.id = m.user_id
            where lower(u.screen_name) = :name
            union select tweet_id from urls where status_author(url) = :name
            """,
            [{"name": a} for a in accounts],
        )
    doom_related(db)
    removed = {"tweets": db.execute("select count(*) from doomed").fetchone()[0]}
    touched = Counter(etl_problems=remove_problems(db))
    # The tweets' substring runs go with them (the build's trigger): the substring index
    # lost tweets only if these had any.
    touched[search_index.RUNS_TABLE] = db.execute(
        f"select count(*) from [{search_index.RUNS_TABLE}] where id in (select id from doomed)"
    ).fetchone()[0]
    for table in ("mentions", "hashtags", "urls", "media", "tweet_sources"):
        touched[table] = db.execute(
            f"delete from [{table}] where tweet_id in (select id from doomed)"
        ).rowcount
    touched["tweets"] = db.execute(
        "delete from tweets where id in (select id from doomed)"
    ).rowcount
    # Pointers to hidden tweets would tell that they existed, and where to look. (Replies and
    # quotes of a hidden tweet are hidden too: a pointer left is to a tweet never stored.)
    touched["tweets"] += db.execute(
        "update tweets set quoted_id = null where quoted_id in (select id from doomed)"
    ).rowcount
    touched["tweets"] += db.execute(
        "update tweets set in_reply_to_id = null where in_reply_to_id in (select id from doomed)"
    ).rowcount
    if accounts:
        placeholders = ", ".join("?" for _ in accounts)
        touched["users"] = db.execute(
            f"delete from users where lower(screen_name) in ({placeholders})", accounts
        ).rowcount
    touched["users"] += remove_unreferenced_users(db)
    if not privacy.include_likes:
        removed["likes"] = touched["likes"] = db.execute("delete from likes").rowcount
    elif pattern:
        removed["likes"] = touched["likes"] = db.execute(
            "delete from likes where redacted_text(text)"
        ).rowcount
    # Raw problem entries can hold text of tweets that were hidden; sources name local paths.
    # Overwritten in place (secure_delete zeroes what the old values took): no row goes.
    db.execute("update etl_problems set raw = '' where raw is not ''")
    db.execute("update sources set location = name where location is not name")
    db.execute("drop table doomed")
    db.execute("drop table named")
    return removed, +touched


def hidden_where(privacy: Privacy, pattern: re.Pattern | None) -> str | None:
    """What selects the tweets hidden for what they are or say, in one pass over the tweets;
    without words, the build's index of private tweets (idx_tweets_private) answers it at
    once."""
    conditions = []
    if not privacy.include_deleted:
        conditions.append("is_deleted = 1")
    if not privacy.include_circle:
        conditions.append("is_circle = 1")
    if pattern:
        conditions.append("redacted_text(text)")
        # A photo's description and a link are part of what the tweet shows.
        conditions.append("id in (select tweet_id from media where redacted_text(alt_text))")
        conditions.append("id in (select tweet_id from urls where redacted_text(url))")
    return " or ".join(f"({condition})" for condition in conditions) or None


def doom_retweeted(db: sqlite_utils.Database) -> None:
    """The tweets the owner's retweets that redact.yml names are retweets of: the original's
    text is the retweet's, whole."""
    db.execute(
        "insert or ignore into doomed select retweeted_id from tweets "
        "where id in named and retweeted_id in (select id from tweets)"
    )
    named = RetweetIndex(
        db.execute(
            "select id, retweeted_screen_name, text from tweets "
            "where id in named and is_retweet and retweeted_id is null"
        ).fetchall()
    )
    if not named:
        return
    names = sorted(named.names)
    placeholders = ", ".join("?" for _ in names)
    originals = db.execute(
        f"""
        select t.id, u.screen_name, t.text from tweets t join users u on u.id = t.user_id
        where lower(u.screen_name) in ({placeholders}) and not t.is_retweet
          and t.id < (select max(id) from named)
        """,
        names,
    )
    db.conn.executemany(
        "insert or ignore into doomed values (?)",
        [(i,) for i, name, text in originals if named.retweets_of(i, name, text)],
    )


def doom_related(db: sqlite_utils.Database) -> None:
    """A hidden tweet takes along the conversation below it (replies and quotes of it), the
    owner's retweets of it, and every version of it when it was edited."""
    nothing = "select not exists (select 1 from doomed) and not exists (select 1 from named)"
    if db.execute(nothing).fetchone()[0]:
        return  # nothing hidden: nothing to take along
    # Retweets the archive doesn't link to their original (2019+ exports, Markdown): found by
    # their text and by the status links among their URLs.
    retweets = RetweetIndex(
        db.execute(
            "select id, retweeted_screen_name, text from tweets "
            "where is_retweet and retweeted_id is null"
        ).fetchall()
    )
    linked: dict[int, set[int]] = {}
    for tweet_id, url in db.execute(
        "select tweet_id, url from urls where tweet_id in (select id from tweets where is_retweet)"
    ):
        if (target := status_id(url)) is not None:
            linked.setdefault(target, set()).add(tweet_id)
    db.execute("create temp table looked_up (id integer primary key)")
    first = True
    while True:
        added = db.execute(
            """
            insert or ignore into doomed
            select id from tweets
            where (
                in_reply_to_id in (select id from doomed)
                or quoted_id in (select id from doomed)
                or retweeted_id in (select id from doomed)
                or retweeted_id in (select id from named)
                or edit_initial_id in (select id from doomed)
                or edit_initial_id in (
                  select edit_initial_id from tweets where id in (select id from doomed)
                )
                or id in (select edit_initial_id from tweets where id in (select id from doomed))
              )
              and id not in (select id from doomed)
            """
        ).rowcount
        hidden = db.execute(
            """
            select d.id, u.screen_name, t.text
            from doomed d join tweets t on t.id = d.id left join users u on u.id = t.user_id
            where d.id not in (select id from looked_up)
            """
        ).fetchall()
        if first:
            hidden += [(i, None, None) for (i,) in db.execute("select id from named")]
            first = False
        db.conn.executemany(
            "insert or ignore into looked_up values (?)", [(i,) for i, _, _ in hidden]
        )
        found = {r for i, _, _ in hidden for r in linked.get(i, ())}
        if retweets:
            found.update(r for row in hidden for r in retweets.retweets_of(*row))
        added += db.conn.executemany(
            "insert or ignore into doomed select id from tweets where id = ?",
            [(i,) for i in found],
        ).rowcount
        if not added:
            break
    db.execute("drop table looked_up")


def remove_problems(db: sqlite_utils.Database) -> int:
    """Delete the problem rows about hidden tweets: at the file and line one was read from, or
    naming its id (a refused media file's name, an unreadable field's value). Returns how many
    went."""
    # The places hidden tweets were read from are listed once, not looked for again for
    # every problem row.
    deleted = db.execute(
        """
        delete from etl_problems
        where (source_id, file, line) in (
          select source_id, input_file, input_line from tweet_sources
          where tweet_id in (select id from doomed)
        )
        """
    ).rowcount
    hidden = {i for (i,) in db.execute("select id from doomed union select id from named")}
    if not hidden:
        return deleted
    numbers = re.compile(r"(?<![0-9])[0-9]{1,19}(?![0-9])")
    naming = [
        (problem_id,)
        for problem_id, reason, raw in db.execute("select id, reason, raw from etl_problems")
        if any(int(n) in hidden for n in numbers.findall(f"{reason or ''} {raw or ''}"))
    ]
    return deleted + db.conn.executemany("delete from etl_problems where id = ?", naming).rowcount
