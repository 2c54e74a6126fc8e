"""Most liked: the owner's tweets by their likes, as counted when the archive was exported
(official exports only), most first (/most-liked)."""

from tweet_site.lists import Query, period, where
from tweet_site.pages import decode_count_cursor, encode_count_cursor

COLUMNS = ("tweet_id", "created_at", "likes", "retweets", "text", "media_count")
# Read through the index on the like count, most first; the unary + keeps a period from
# sending SQLite through the date index instead (and sorting a year of tweets).
SQL = """select
  latest_tweets.tweet_id,
  latest_tweets.created_at,
  latest_tweets.likes,
  latest_tweets.retweets,
  latest_tweets.text,
  latest_tweets.media_count
from latest_tweets
{where}
order by latest_tweets.likes desc, latest_tweets.tweet_id desc
limit :size"""


def query(args, before) -> Query:
    """?since= and ?until= (dates or their beginnings, both inclusive), after `before`."""
    dates, params = period("+latest_tweets.created_at", args)
    after = decode_count_cursor(before)
    keyset = None
    if after:
        keyset = "(latest_tweets.likes, latest_tweets.tweet_id) < (:after_likes, :after_id)"
        params.update(after_likes=after[0], after_id=after[1])
    clauses = ["latest_tweets.likes > 0", "latest_tweets.kind != 'retweet'", *dates, keyset]
    return Query(SQL.format(where=where(*clauses)), params)


def cursor(row) -> str:
    return encode_count_cursor(row["likes"], row["tweet_id"])
