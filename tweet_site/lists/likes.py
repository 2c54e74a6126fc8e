"""The tweets the owner liked, on a private archive (/likes). Likes carry no date of their
own: newest tweet first, by tweet id (a tweet's id grows with its time)."""

from tweet_site.ids import parse_id
from tweet_site.lists import Query, where

COLUMNS = ("tweet_id", "tweeted_at", "text", "tweet_url")
# The tweet's address from its id: the export's expandedUrl is untrusted text.
TWEET_URL = "https://twitter.com/i/web/status/"
SQL = """select
  likes.tweet_id,
  likes.liked_tweet_created_at as tweeted_at,
  likes.text,
  :tweet_url || likes.tweet_id as tweet_url
from likes
{where}
order by likes.tweet_id desc
limit :size"""
COUNT_SQL = """select
  count(*)
from likes
{where}"""
BEFORE_SQL = """select
  likes.tweet_id
from likes
where likes.tweet_id >= :before
order by likes.tweet_id
limit :size"""


def parse_cursor(text) -> int | None:
    """The tweet id a page starts before (?before=), or None for the first page (or
    anything but an id)."""
    return parse_id((text or "").strip())


def query(before) -> Query:
    params = {"tweet_url": TWEET_URL}
    keyset = None
    if before is not None:
        keyset = "likes.tweet_id < :before"
        params["before"] = before
    return Query(SQL.format(where=where(keyset)), params)


def count(since: int | None = None) -> Query:
    """How many likes there are (of tweets from the id `since` on, if given)."""
    if since is None:
        return Query(COUNT_SQL.format(where=""), {})
    return Query(COUNT_SQL.format(where=where("likes.tweet_id >= :since")), {"since": since})


def before(cursor: int, size: int) -> Query:
    """The ids from `cursor` on, oldest first, `size` of them at most."""
    return Query(BEFORE_SQL, {"before": cursor, "size": size})


def cursor(row) -> str:
    return str(row["tweet_id"])
