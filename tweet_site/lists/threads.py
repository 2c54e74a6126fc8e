"""Threads: the owner's self-threads (replies to their own tweets), from the build's
self_threads, newest first or longest first (/threads)."""

from tweet_site.lists import Query, where
from tweet_site.pages import decode_count_cursor, decode_cursor, encode_count_cursor, encode_cursor

COLUMNS = ("tweet_id", "tweets", "first_at", "last_at", "text", "media_count")
SORTS = {"newest": "Newest first", "longest": "Longest first"}
ORDER = {
    "newest": "self_threads.first_at desc, self_threads.root_id desc",
    "longest": "self_threads.tweets desc, self_threads.root_id desc",
}
# self_threads holds latest versions only: its first tweet is read by id, row by row.
SQL = """select
  self_threads.root_id as tweet_id,
  self_threads.tweets,
  self_threads.first_at,
  self_threads.last_at,
  tweets.text,
  tweets.media_count
from self_threads
join tweets on tweets.id = self_threads.root_id
{where}
order by {order}
limit :size"""


def sort_of(args) -> str:
    return args.get("sort") if args.get("sort") in SORTS else "newest"


def min_tweets(args) -> int:
    """?min_tweets=: threads of at least that many tweets (2, every thread, by default)."""
    value = (args.get("min_tweets") or "").strip()
    return int(value) if value.isascii() and value.isdigit() and len(value) < 10 else 2


def query(args, before) -> Query:
    sort = sort_of(args)
    params = {"min_tweets": min_tweets(args)}
    keyset = None
    if sort == "longest":
        after = decode_count_cursor(before)
        if after:
            keyset = "(self_threads.tweets, self_threads.root_id) < (:after_tweets, :after_id)"
            params.update(after_tweets=after[0], after_id=after[1])
    else:
        after = decode_cursor(before)
        if after:
            keyset = "(self_threads.first_at, self_threads.root_id) < (:after_at, :after_id)"
            params.update(after_at=after[0], after_id=after[1])
    clauses = ["self_threads.tweets >= :min_tweets", keyset]
    return Query(SQL.format(where=where(*clauses), order=ORDER[sort]), params)


def cursor_for(args):
    """The cursor of a row of the order ?sort= asks for."""
    if sort_of(args) == "longest":
        return lambda row: encode_count_cursor(row["tweets"], row["tweet_id"])
    return lambda row: encode_cursor(row["first_at"], row["tweet_id"])
