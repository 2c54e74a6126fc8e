"""On this day: the tweets posted on one day of the year in every year of the archive,
newest first (/on-this-day). The day is the owner's local one when the archive names a time
zone: tweets_per_day holds each day's UTC range (starts_at, ends_at), UTC days in a UTC
archive, so one query serves both."""

import json

from tweet_site.listing import kind_clause
from tweet_site.lists import Query, where
from tweet_site.pages import LATEST_ONLY, decode_cursor, encode_cursor

COLUMNS = ("tweet_id", "created_at", "kind", "text", "media_count")
# One index range per year (the days), newest first; the page's ids are found and sorted
# before their columns are read (sorting the days' whole rows took 30 times as long). The
# unary + keeps the cursor from becoming the range each day's tweets are looked for in.
SQL = """with days(starts_at, ends_at) as (
  select tweets_per_day.starts_at, tweets_per_day.ends_at
  from json_each(:days)
  join tweets_per_day on tweets_per_day.day = json_each.value
),
page as (
  select tweets.id, tweets.created_at
  from days
  join tweets
    on tweets.created_at >= days.starts_at
    and tweets.created_at < days.ends_at
  {where}
  order by tweets.created_at desc, tweets.id desc
  limit :size
)
select
  latest_tweets.tweet_id,
  latest_tweets.created_at,
  latest_tweets.kind,
  latest_tweets.text,
  latest_tweets.media_count
from page
join latest_tweets on latest_tweets.tweet_id = page.id
order by page.created_at desc, page.id desc"""


def query(years, month_day: str, kinds, before) -> Query:
    """The tweets of `month_day` (MM-DD) in each of `years` (those whose month has tweets),
    of `kinds` (all when empty), after the cursor `before`."""
    kinds_only, params = kind_clause(kinds) if kinds else (None, {})
    params["days"] = json.dumps([f"{year}-{month_day}" for year in years])
    after = decode_cursor(before)
    keyset = None
    if after:
        keyset = "(+tweets.created_at, tweets.id) < (:after_at, :after_id)"
        params.update(after_at=after[0], after_id=after[1])
    clauses = where(LATEST_ONLY, kinds_only, keyset).replace("\n", "\n  ")
    return Query(SQL.format(where=clauses), params)


def cursor(row) -> str:
    return encode_cursor(row["created_at"], row["tweet_id"])
