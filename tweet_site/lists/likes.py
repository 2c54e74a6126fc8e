"""The tweets the owner liked, on a private archive (/likes). Likes carry no date of their
own: newest tweet first, by tweet id (a tweet's id grows with its time)."""

import re

from tweet_site.ids import parse_id
from tweet_site.lists import Query, where
from tweet_site.text import URL, render_text

COLUMNS = ("tweet_id", "tweeted_at", "text", "tweet_url")
# The addresses written in a liked tweet's text (its t.co links, mostly): the export gives
# no entities for a like. Punctuation ending a sentence is not the address's.
LINK = re.compile(r"https?://[^\s<>\"'“”‘’]{1,500}", re.I)
TRAILING = ".,;:!?)]}…"
# What a page shows of a liked tweet's text at most (a hostile archive's may be any length).
MAX_TEXT = 20_000
MAX_LINKS = 50
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


def text_html(text: str | None):
    """A liked tweet's text escaped, line breaks kept, the http(s) addresses in it linked
    (rel nofollow), as a DM's are."""
    text = (text or "")[:MAX_TEXT]
    entities = []
    for match in LINK.finditer(text):
        address = match[0].rstrip(TRAILING)
        if "(" in address and match[0].endswith(")") and address.count("(") > address.count(")"):
            address += ")"  # (a Wikipedia-style address ending in its own parenthesis)
        entities.append((match.start(), match.start() + len(address), URL, address))
        if len(entities) == MAX_LINKS:
            break
    return render_text(text, entities)
