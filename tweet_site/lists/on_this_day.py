"""On this day: the tweets posted on one day of the year (UTC) in every year of the
archive, newest first (/on-this-day)."""

import json

from tweet_site.listing import kind_clause
from tweet_site.lists import Query, where
from tweet_site.pages import decode_cursor, encode_cursor

COLUMNS = ("tweet_id", "created_at", "kind", "text", "media_count")
# One index range per year (the days), newest first. The unary + keeps the cursor from
# becoming the range each day's tweets are looked for in (every tweet before it).
SQL = """with days(day) as (
  select value from json_each(:days)
)
select
  latest_tweets.tweet_id,
  latest_tweets.created_at,
  latest_tweets.kind,
  latest_tweets.text,
  latest_tweets.media_count
from days
join latest_tweets
  on latest_tweets.created_at >= days.day
  and latest_tweets.created_at < days.day || 'T99'
{where}
order by latest_tweets.created_at desc, latest_tweets.tweet_id desc
limit :size"""


def query(years, month_day: str, kinds, before) -> Query:
    """The tweets of `month_day` (MM-DD) in each of `years` (those whose month has tweets),
    of `kinds` (all when empty), after the cursor `before`."""
    kinds_only, params = kind_clause(kinds, "latest_tweets.kind") if kinds else (None, {})
    params["days"] = json.dumps([f"{year}-{month_day}" for year in years])
    after = decode_cursor(before)
    keyset = None
    if after:
        keyset = "(+latest_tweets.created_at, latest_tweets.tweet_id) < (:after_at, :after_id)"
        params.update(after_at=after[0], after_id=after[1])
    return Query(SQL.format(where=where(kinds_only, keyset)), params)


def cursor(row) -> str:
    return encode_cursor(row["created_at"], row["tweet_id"])
