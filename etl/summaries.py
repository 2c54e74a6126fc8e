"""Summary tables built once at the end of a build, so the site never scans every tweet to
draw a chart, count the archive or show the facets of the unfiltered tweets table.

- tweets_per_month: the activity chart and the `activity` query.
- tweets_per_hour: the hour-of-day x weekday heatmap (UTC: archives don't record the
  owner's time zone).
- archive_totals: one row of whole-archive counts and the date range, for the home page.
- facet_counts: the tweets table's default facets when no filter is applied.
- facet_cube: tweets per (month, kind, source, lang, has_media), so a tweets page filtered
  by facet values (a year, a kind...) counts its facets from a few thousand rows instead of
  reading every matching tweet.
- self_threads: chains of the owner replying to their own tweets, for the `threads` query.
- mention_counts, hashtag_counts, domain_counts: the `top_*` queries over the whole archive
  (with a date range they count live).
"""

from __future__ import annotations

import sqlite_utils

SUMMARY_TABLES = (
    "tweets_per_month",
    "tweets_per_hour",
    "archive_totals",
    "facet_counts",
    "facet_cube",
    "self_threads",
    "mention_counts",
    "hashtag_counts",
    "domain_counts",
)

# The value each facet shows, read from the cube's columns (plugins/facets.py has a copy; a
# test holds the two together).
CUBE_EXPRESSIONS = {
    "year": "substr(month, 1, 4)",
    "month": "month",
    "kind": "kind",
    "source": "source",
    "lang": "lang",
    "has_media": "has_media",
}


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
          count(*) as tweets
        from tweets
        group by month, kind, source, lang, has_media
        """
    )
    db.execute(
        """
        create table tweets_per_month as
        select
          month,
          sum(tweets) as tweets,
          sum(case when kind = 'reply' then tweets else 0 end) as replies,
          sum(case when kind = 'retweet' then tweets else 0 end) as retweets,
          sum(case when kind = 'quote' then tweets else 0 end) as quotes,
          sum(case when has_media then tweets else 0 end) as with_media
        from temp.cube
        group by month
        order by month
        """
    )
    db.execute(
        """
        create table tweets_per_hour as
        select
          (cast(strftime('%w', created_at) as integer) + 6) % 7 + 1 as weekday,
          substr('MonTueWedThuFriSatSun',
                 ((cast(strftime('%w', created_at) as integer) + 6) % 7) * 3 + 1, 3) as day,
          cast(strftime('%H', created_at) as integer) as hour,
          count(*) as tweets
        from tweets
        group by weekday, hour
        order by weekday, hour
        """
    )
    db.execute(
        """
        create table archive_totals as
        select
          (select group_concat(screen_name, ', ') from users where is_owner = 1)
            as owner_screen_names,
          (select name from users where is_owner = 1 and name is not null limit 1) as owner_name,
          (select min(created_at) from tweets) as first_tweet_at,
          (select max(created_at) from tweets) as last_tweet_at,
          (select coalesce(sum(tweets), 0) from temp.cube) as tweets,
          (select coalesce(sum(tweets), 0) from temp.cube where kind = 'tweet')
            as original_tweets,
          (select coalesce(sum(tweets), 0) from temp.cube where kind = 'reply') as replies,
          (select coalesce(sum(tweets), 0) from temp.cube where kind = 'retweet') as retweets,
          (select coalesce(sum(tweets), 0) from temp.cube where kind = 'quote') as quotes,
          (select coalesce(sum(tweets), 0) from temp.cube where has_media)
            as tweets_with_media,
          (select count(*) from media) as media,
          (select count(*) from media where path is not null) as media_files,
          (select count(*) from tweets where latitude is not null) as geotagged,
          (select count(distinct round(latitude, 3) || ',' || round(longitude, 3))
             from tweets where latitude is not null) as places,
          (select count(*) from users where is_owner = 0) as accounts,
          (select count(distinct lower(tag)) from hashtags) as hashtags,
          (select count(*) from urls) as links,
          (select count(*) from tweets_per_month) as months
        """
    )
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
    db.execute("create table facet_cube as select * from temp.cube")
    db.execute("drop table temp.cube")
    db.execute(
        """
        create table self_threads as
        with recursive edges(parent, child) as (
          select parent.id, child.id
          from tweets child
          join tweets parent on parent.id = child.in_reply_to_id
          where child.user_id = parent.user_id
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
        group by walk.root_id
        order by tweets desc, first_at desc
        """
    )
    db.execute(
        """
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
        where users.is_owner = 0
        group by mentions.user_id
        order by tweets desc, users.screen_name
        """
    )
    db.execute(
        """
        create table hashtag_counts as
        select
          hashtags.tag,
          count(*) as tweets,
          min(tweets.created_at) as first,
          max(tweets.created_at) as last
        from hashtags
        join tweets on tweets.id = hashtags.tweet_id
        group by hashtags.tag
        order by tweets desc, hashtags.tag
        """
    )
    db.execute(
        """
        create table domain_counts as
        select
          urls.domain,
          count(*) as links,
          min(tweets.created_at) as first,
          max(tweets.created_at) as last
        from urls
        join tweets on tweets.id = urls.tweet_id
        group by urls.domain
        order by links desc, urls.domain
        """
    )
