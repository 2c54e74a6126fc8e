"""Quote tweets: tweets quoting another tweet, newest first, with the quoted tweet when the
archive has it (/quotes)."""

from tweet_site.lists import Query, period, where
from tweet_site.pages import decode_cursor, encode_cursor, few_matches

COLUMNS = (
    "tweet_id",
    "created_at",
    "text",
    "quoted_id",
    "quoted_screen_name",
    "quoted_text",
)
SQL = """select
  latest_tweets.tweet_id,
  latest_tweets.created_at,
  latest_tweets.text,
  latest_tweets.quoted_id,
  quoted_author.screen_name as quoted_screen_name,
  quoted.text as quoted_text
from latest_tweets
left join tweets as quoted on quoted.id = latest_tweets.quoted_id
left join users as quoted_author on quoted_author.id = quoted.user_id
{where}
order by {at} desc, latest_tweets.tweet_id desc
limit :size"""


def query(args, before, quotes: int, tweets: int) -> Query:
    """?since= and ?until= (dates or their beginnings, both inclusive), after `before`.
    `quotes` and `tweets`, the archive's counts, decide the plan: few quotes are found
    through the kind index and sorted, many by walking the date index (the unary +
    keeps SQLite off the index it should not take)."""
    few = few_matches(quotes, tweets)
    kind = "latest_tweets.kind = 'quote'" if few else "+latest_tweets.kind = 'quote'"
    at = "+latest_tweets.created_at" if few else "latest_tweets.created_at"
    dates, params = period("latest_tweets.created_at", args)
    after = decode_cursor(before)
    keyset = None
    if after:
        keyset = f"({at}, latest_tweets.tweet_id) < (:after_at, :after_id)"
        params.update(after_at=after[0], after_id=after[1])
    return Query(SQL.format(where=where(kind, *dates, keyset), at=at), params)


def cursor(row) -> str:
    return encode_cursor(row["created_at"], row["tweet_id"])
