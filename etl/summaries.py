"""Summary tables built once at the end of a build, so the site never scans every tweet to
draw a chart, count the archive or show the facets of the unfiltered tweets table.

- tweets_per_month: the activity chart, the timeline's months and the `activity` query.
- tweets_per_hour: the hour-of-day x weekday heatmap.
  Months, days and hours are the owner's local ones when the export names a time zone
  (account-timezone.js), else UTC; archive_totals.time_zone says which. tweets_per_day
  holds each day's UTC range (starts_at, ends_at) for finding its tweets.
- archive_totals: one row of whole-archive counts and the date range, for the home page.
- facet_counts: the tweets table's default facets when no filter is applied.
- facet_cube: tweets per (month, kind, source, lang, has_media), so a tweets page filtered
  by facet values (a year, a kind...) counts its facets from a few thousand rows instead of
  reading every matching tweet.
- self_threads: chains of the owner replying to their own tweets, for the `threads` query.
- mention_counts, hashtag_counts, domain_counts: the `top_*` queries over the whole archive
  (with a date range they count live), and the stats page.
- tweets_per_day, reply_counts, retweet_counts, emoji_counts: the stats page's busiest days
  (and on this day's days), most replied-to and most retweeted accounts and top emoji.

An edited tweet is counted once, as its latest version (`is_latest_version = 1`), like the
reader pages list it; only facet_counts and facet_cube count every row, because they are the
facets of the tweets table, which shows every version.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import sqlite_utils

# The value each facet shows, read from the cube's columns (hooks/facets.py reads them so).
from tweet_site.core import CUBE_EXPRESSIONS
from tweet_site.zones import day_bounds, zone

from .emoji import count_emoji
from .profile import site_zone

SUMMARY_TABLES = (
    "tweets_per_month",
    "tweets_per_hour",
    "tweets_per_day",
    "archive_totals",
    "facet_counts",
    "facet_cube",
    "self_threads",
    "mention_counts",
    "hashtag_counts",
    "domain_counts",
    "reply_counts",
    "retweet_counts",
    "emoji_counts",
)
LATEST = "tweets.is_latest_version = 1"
# The owner's tweets, not another account's kept in the archive (a reply to the owner); an
# archive that names no owner counts every tweet.
BY_OWNER = (
    "(tweets.user_id in (select id from users where is_owner = 1) "
    "or not exists (select 1 from users where is_owner = 1))"
)
# Any emoji is written with one of these UTF-8 byte sequences (U+1Fxxx, U+FE0F, U+2xxx): the
# tweets without any, read by SQLite at C speed, are never handed to Python.
EMOJI_BYTES = (
    "length(tweets.text) != length(cast(tweets.text as blob)) and ("
    "instr(cast(tweets.text as blob), x'f09f') "
    "or instr(cast(tweets.text as blob), x'efb88f') "
    "or instr(cast(tweets.text as blob), x'e2'))"
)


def create_summaries(db: sqlite_utils.Database) -> None:
    for name in SUMMARY_TABLES:
        db.execute(f"drop table if exists [{name}]")
    # One scan of the tweets for the cube; the monthly counts and the facets are its sums.
    db.execute("drop table if exists temp.cube")
    db.execute(
        """
        create temp table cube as
        select
          substr(created_at, 1, 7) as month,
          kind,
          source,
          lang,
          media_count > 0 as has_media,
          is_latest_version = 1 as latest,
          count(*) as tweets
        from tweets
        group by month, kind, source, lang, has_media, latest
        """
    )
    # One scan for the months, days and hours: tweets per (UTC day, hour, quarter of an
    # hour) are a few thousand rows, each converted to the owner's zone by zoneinfo (summer
    # time included). Quarters, because a zone's offset can be 5:30 or 5:45 hours.
    db.execute("drop table if exists temp.day_hours")
    db.execute(
        f"""
        create temp table day_hours as
        select
          substr(created_at, 1, 10) as day,
          cast(substr(created_at, 12, 2) as integer) as hour,
          cast(substr(created_at, 15, 2) as integer) / 15 as quarter,
          count(*) as tweets,
          sum(kind = 'reply') as replies,
          sum(kind = 'retweet') as retweets,
          sum(kind = 'quote') as quotes,
          sum(media_count > 0) as with_media
        from tweets
        where {LATEST}
        group by day, hour, quarter
        """
    )
    zone = site_zone(db)
    if zone is None:
        create_utc_summaries(db)
    else:
        create_zoned_summaries(db, zone)
    db.execute("create index tweets_per_day_tweets on tweets_per_day (tweets)")
    db.execute("drop table temp.day_hours")
    # Superseded versions of edited tweets: few, found by the index of edit_initial_id.
    db.execute("drop table if exists temp.superseded")
    db.execute(
        "create temp table superseded as select id from tweets "
        "where edit_initial_id is not null and is_latest_version = 0"
    )
    db.execute(
        f"""
        create table archive_totals as
        select
          (select group_concat(screen_name, ', ') from users where is_owner = 1)
            as owner_screen_names,
          (select name from users where is_owner = 1 and name is not null limit 1) as owner_name,
          (select created_at from tweets where {LATEST} order by created_at limit 1)
            as first_tweet_at,
          (select created_at from tweets where {LATEST} order by created_at desc limit 1)
            as last_tweet_at,
          (select coalesce(sum(tweets), 0) from temp.cube where latest) as tweets,
          (select coalesce(sum(tweets), 0) from temp.cube where latest and kind = 'tweet')
            as original_tweets,
          (select coalesce(sum(tweets), 0) from temp.cube where latest and kind = 'reply')
            as replies,
          (select coalesce(sum(tweets), 0) from temp.cube where latest and kind = 'retweet')
            as retweets,
          (select coalesce(sum(tweets), 0) from temp.cube where latest and kind = 'quote')
            as quotes,
          (select coalesce(sum(tweets), 0) from temp.cube where latest and has_media)
            as tweets_with_media,
          (select count(*) from media
             where tweet_id not in (select id from temp.superseded)) as media,
          (select count(*) from media
             where path is not null and tweet_id not in (select id from temp.superseded))
            as media_files,
          (select count(*) from tweets where latitude is not null and {LATEST}) as geotagged,
          (select count(distinct round(latitude, 3) || ',' || round(longitude, 3))
             from tweets where latitude is not null and {LATEST}) as places,
          (select count(*) from users where is_owner = 0) as accounts,
          (select count(distinct lower(tag)) from hashtags
             where tweet_id not in (select id from temp.superseded)) as hashtags,
          (select count(*) from urls where tweet_id not in (select id from temp.superseded))
            as links,
          (select count(*) from tweets_per_month) as months,
          :zone as time_zone
        """,
        {"zone": zone},
    )
    db.execute("drop table temp.superseded")
    # The tweets table shows every version of an edited tweet: its facets count them all.
    db.execute("create table facet_counts (facet text, value text, tweets integer)")
    for facet, expression in CUBE_EXPRESSIONS.items():
        db.execute(
            f"""
            insert into facet_counts
            select ?, {expression} as value, sum(tweets)
            from temp.cube
            where {expression} is not null
            group by value
            """,
            [facet],
        )
    db.execute("create index facet_counts_facet on facet_counts (facet, tweets)")
    db.execute(
        """
        create table facet_cube as
        select month, kind, source, lang, has_media, sum(tweets) as tweets
        from temp.cube
        group by month, kind, source, lang, has_media
        """
    )
    db.execute("drop table temp.cube")
    create_thread_summary(db)
    create_top_lists(db)
    create_emoji_counts(db)


WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


# The local days and months of a zoned archive: (UTC day, hour, quarter) rows summed.
MONTH_COLUMNS = ("tweets", "replies", "retweets", "quotes", "with_media")
DAY_COLUMNS = ("tweets", "replies", "retweets")


def create_summary_tables(db: sqlite_utils.Database) -> None:
    db.execute(
        """
        create table tweets_per_month (
          month text primary key,
          tweets integer,
          replies integer,
          retweets integer,
          quotes integer,
          with_media integer
        )
        """
    )
    db.execute(
        "create table tweets_per_hour (weekday integer, day text, hour integer, tweets integer)"
    )
    # starts_at and ends_at: the day's UTC range, compared with tweets.created_at.
    db.execute(
        """
        create table tweets_per_day (
          day text primary key,
          tweets integer,
          replies integer,
          retweets integer,
          starts_at text,
          ends_at text
        )
        """
    )


def create_utc_summaries(db: sqlite_utils.Database) -> None:
    """tweets_per_month, tweets_per_day and tweets_per_hour from temp.day_hours in SQL."""
    create_summary_tables(db)
    db.execute(
        """
        insert into tweets_per_month
        select
          substr(day, 1, 7) as month,
          sum(tweets),
          sum(replies),
          sum(retweets),
          sum(quotes),
          sum(with_media)
        from temp.day_hours
        group by month
        order by month
        """
    )
    db.execute(
        """
        insert into tweets_per_day
        select
          day,
          sum(tweets),
          sum(replies),
          sum(retweets),
          day || 'T00:00:00+00:00',
          date(day, '+1 day') || 'T00:00:00+00:00'
        from temp.day_hours
        group by day
        order by day
        """
    )
    db.execute(
        """
        insert into tweets_per_hour
        select
          (cast(strftime('%w', day) as integer) + 6) % 7 + 1 as weekday,
          substr('MonTueWedThuFriSatSun',
                 ((cast(strftime('%w', day) as integer) + 6) % 7) * 3 + 1, 3) as day,
          hour,
          sum(tweets) as tweets
        from temp.day_hours
        group by weekday, hour
        order by weekday, hour
        """
    )


def create_zoned_summaries(db: sqlite_utils.Database, key: str) -> None:
    """tweets_per_month, tweets_per_day and tweets_per_hour in the owner's zone `key`: each
    UTC quarter of an hour of temp.day_hours moved by the zone's offset then (zoneinfo: summer
    time included). A UTC day is looked up twice, at its start and end: when the offset is the
    same (every day but a change of clocks) its quarters move by that offset in arithmetic,
    a million tweets' half-million quarters in well under a second."""
    tz = zone(key) or UTC
    # Per local day (its proleptic ordinal): tweets, replies, retweets, quotes, with_media.
    days: dict[int, list[int]] = {}
    hours = [0] * (7 * 24)  # (ISO weekday - 1) * 24 + hour
    rows = db.execute(
        "select day, hour, quarter, tweets, replies, retweets, quotes, with_media "
        "from temp.day_hours order by day"
    )
    utc_day, midnight, offset, base = None, None, None, 0
    for day, hour, quarter, *counts in rows:
        if day != utc_day:
            utc_day = day
            try:
                midnight = datetime.fromisoformat(day).replace(tzinfo=UTC)
                starts = midnight.astimezone(tz).utcoffset()
                ends = (midnight + timedelta(days=1)).astimezone(tz).utcoffset()
            except (TypeError, ValueError, OverflowError):
                midnight = None
                continue
            offset = int(starts.total_seconds()) // 60 if starts == ends else None
            base = midnight.toordinal()
        if midnight is None:
            continue
        minutes = 60 * hour + 15 * quarter
        if offset is not None:
            shift, minute = divmod(minutes + offset, 1440)
            ordinal, local_hour = base + shift, minute // 60
        else:
            moment = (midnight + timedelta(minutes=minutes)).astimezone(tz)
            ordinal, local_hour = moment.toordinal(), moment.hour
        totals = days.get(ordinal)
        if totals is None:
            totals = days[ordinal] = [0] * 5
        for i, count in enumerate(counts):
            totals[i] += count
        # date.fromordinal(1) is a Monday.
        hours[((ordinal - 1) % 7) * 24 + local_hour] += counts[0]
    months: dict[str, list[int]] = {}
    day_rows = []
    for ordinal in sorted(days):
        when = date.fromordinal(ordinal)
        month = months.setdefault(f"{when.year:04d}-{when.month:02d}", [0] * 5)
        for i, count in enumerate(days[ordinal]):
            month[i] += count
        day_rows.append((when.isoformat(), *days[ordinal][:3], *day_bounds(when, key)))
    create_summary_tables(db)
    db.conn.executemany(
        "insert into tweets_per_month values (?, ?, ?, ?, ?, ?)",
        [(month, *months[month]) for month in sorted(months)],
    )
    db.conn.executemany("insert into tweets_per_day values (?, ?, ?, ?, ?, ?)", day_rows)
    db.conn.executemany(
        "insert into tweets_per_hour values (?, ?, ?, ?)",
        [
            (slot // 24 + 1, WEEKDAYS[slot // 24], slot % 24, tweets)
            for slot, tweets in enumerate(hours)
            if tweets
        ],
    )


def create_thread_summary(db: sqlite_utils.Database) -> None:
    # A reply to a superseded version of an edited tweet continues the thread of its latest
    # version; superseded versions are not counted.
    db.execute(
        f"""
        create table self_threads as
        with recursive edges(parent, child) as (
          select coalesce(newest.id, parent.id), child.id
          from tweets child
          join tweets parent on parent.id = child.in_reply_to_id
          left join tweets newest on parent.is_latest_version = 0
            and newest.edit_initial_id = parent.edit_initial_id
            and newest.is_latest_version = 1
          where child.user_id = parent.user_id and child.is_latest_version = 1
        ),
        roots(id) as (
          select distinct parent from edges
          where parent not in (select child from edges)
        ),
        walk(root_id, id) as (
          select id, id from roots
          union
          select walk.root_id, edges.child from walk join edges on edges.parent = walk.id
        )
        select
          walk.root_id,
          count(*) as tweets,
          min(tweets.created_at) as first_at,
          max(tweets.created_at) as last_at
        from walk join tweets on tweets.id = walk.id
        where {LATEST}
        group by walk.root_id
        order by tweets desc, first_at desc
        """
    )
    # /threads lists them newest first, a page at a time.
    db.execute("create index self_threads_first_at on self_threads (first_at, root_id)")


def create_top_lists(db: sqlite_utils.Database) -> None:
    db.execute(
        f"""
        create table mention_counts as
        select
          users.id as user_id,
          users.screen_name,
          users.name,
          count(*) as tweets,
          min(tweets.created_at) as first,
          max(tweets.created_at) as last
        from mentions
        join users on users.id = mentions.user_id
        join tweets on tweets.id = mentions.tweet_id
        where users.is_owner = 0 and {LATEST}
        group by mentions.user_id
        order by tweets desc, users.screen_name
        """
    )
    db.execute(
        f"""
        create table hashtag_counts as
        select
          hashtags.tag,
          count(*) as tweets,
          min(tweets.created_at) as first,
          max(tweets.created_at) as last
        from hashtags
        join tweets on tweets.id = hashtags.tweet_id
        where {LATEST}
        group by hashtags.tag
        order by tweets desc, hashtags.tag
        """
    )
    db.execute(
        f"""
        create table domain_counts as
        select
          urls.domain,
          count(*) as links,
          min(tweets.created_at) as first,
          max(tweets.created_at) as last
        from urls
        join tweets on tweets.id = urls.tweet_id
        where {LATEST}
        group by urls.domain
        order by links desc, urls.domain
        """
    )
    # Replies to other accounts (a reply to oneself continues a thread); the name as the
    # reply was addressed, the account's id when the archive knows it.
    db.execute(
        f"""
        create table reply_counts as
        select
          max(tweets.in_reply_to_screen_name) as screen_name,
          max(tweets.in_reply_to_user_id) as user_id,
          count(*) as replies,
          min(tweets.created_at) as first,
          max(tweets.created_at) as last
        from tweets
        where tweets.in_reply_to_screen_name is not null and {LATEST} and {BY_OWNER}
          and lower(tweets.in_reply_to_screen_name) not in
            (select lower(screen_name) from users where is_owner = 1)
        group by lower(tweets.in_reply_to_screen_name)
        order by replies desc, screen_name
        """
    )
    db.execute(
        f"""
        create table retweet_counts as
        select
          max(tweets.retweeted_screen_name) as screen_name,
          count(*) as retweets,
          min(tweets.created_at) as first,
          max(tweets.created_at) as last
        from tweets
        where tweets.retweeted_screen_name is not null and {LATEST} and {BY_OWNER}
        group by lower(tweets.retweeted_screen_name)
        order by retweets desc, screen_name
        """
    )
    for table, column in (
        ("mention_counts", "tweets"),
        ("hashtag_counts", "tweets"),
        ("domain_counts", "links"),
        ("reply_counts", "replies"),
        ("retweet_counts", "retweets"),
    ):
        db.execute(f"create index [{table}_{column}] on [{table}] ([{column}])")


def create_emoji_counts(db: sqlite_utils.Database) -> None:
    # The owner's own words: not the text of a retweet.
    texts = db.execute(
        "select tweets.text from tweets "
        f"where {LATEST} and tweets.kind != 'retweet' and {BY_OWNER} and {EMOJI_BYTES}"
    )
    uses, tweets = count_emoji(text for (text,) in texts)
    db.execute("create table emoji_counts (emoji text primary key, tweets integer, uses integer)")
    db.conn.executemany(
        "insert into emoji_counts values (?, ?, ?)",
        [(emoji, tweets[emoji], uses[emoji]) for emoji in uses],
    )
    db.execute("create index emoji_counts_tweets on emoji_counts (tweets)")
