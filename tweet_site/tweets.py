"""Tweets as the site's pages show them: loaded with author, media and entities, dated for
people."""

import contextvars
import json
import re
import urllib.parse
from datetime import UTC, datetime

from tweet_site.core import status_author, status_link
from tweet_site.links import present_ids, status_id
from tweet_site.zones import abbreviation, local

TWEET_SQL = """
select
  tweets.id, tweets.id_str, tweets.created_at, tweets.kind, tweets.text, tweets.user_id,
  tweets.in_reply_to_id, tweets.in_reply_to_screen_name, tweets.retweeted_screen_name,
  tweets.quoted_id, tweets.lang, tweets.source, tweets.favorite_count, tweets.retweet_count,
  tweets.latitude, tweets.longitude, tweets.media_count, tweets.url,
  tweets.retweeted_id, tweets.edit_initial_id, tweets.is_latest_version,
  users.screen_name, users.name
from tweets left join users on users.id = tweets.user_id
"""


# A tweet's mentions, hashtags and links where its text holds them, as tweet_site.text's
# render_text takes them: (start, end, kind, value), the account as the users table names it.
ENTITY_SQL = """
select mentions.tweet_id, mentions.start, mentions.end, 'mention' as kind,
  users.screen_name as value
from mentions left join users on users.id = mentions.user_id
where mentions.tweet_id in ({ids}) and mentions.start is not null
union all
select tweet_id, start, end, 'hashtag', tag from hashtags
where tweet_id in ({ids}) and start is not null
union all
select tweet_id, start, end, 'url', url from urls
where tweet_id in ({ids}) and start is not null
"""


async def load_entities(db, ids):
    """{tweet id: [(start, end, kind, value), ...]} for the tweets `ids`: one query."""
    ids = sorted({int(i) for i in ids if i is not None})
    found = {i: [] for i in ids}
    if not ids:
        return found
    marks = ", ".join("?" for _ in ids)
    rows = await db.execute(ENTITY_SQL.format(ids=marks), ids * 3)
    for tweet_id, *entity in rows.rows:
        found[tweet_id].append(tuple(entity))
    return found


def linked_ids(entities):
    """The ids of the tweets an entity list's links point to."""
    return {i for _, _, kind, value in entities if kind == "url" and (i := status_id(value))}


# The IANA zone of the request's archive (None: UTC), set for each request by
# hooks/owner_profile.py: every page dates its tweets in the owner's time zone.
TIME_ZONE = contextvars.ContextVar("time_zone", default=None)


def readable_time(value):
    """'2019-06-05T20:15:29+00:00' -> 'Wed 5 Jun 2019, 20:15 UTC', or in the archive's zone
    ('Thu 6 Jun 2019, 05:15 JST')."""
    try:
        moment = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return value
    moment = local(moment if moment.tzinfo else moment.replace(tzinfo=UTC), TIME_ZONE.get())
    return f"{moment:%a} {moment.day} {moment:%b %Y, %H:%M} {abbreviation(moment)}"


def twitter_url(tweet):
    url = tweet.get("url") or ""
    if urllib.parse.urlsplit(url).scheme in ("http", "https"):
        return url
    name = tweet.get("screen_name") or "i"
    return f"https://twitter.com/{urllib.parse.quote(name)}/status/{int(tweet['id'])}"


# An @name at the start of a reply's text (and the space after it): whom it answers.
LEADING_MENTION = re.compile(r"[@＠]([A-Za-z0-9_]{1,15})(?![A-Za-z0-9_@＠])\s*")
REPLY_NAMES = 10


def leading_mentions(text):
    """The accounts a reply's text begins by mentioning: '@a @b hi @c' -> ['a', 'b']."""
    names, at = [], 0
    while isinstance(text, str) and (match := LEADING_MENTION.match(text, at)):
        names.append(match[1])
        at = match.end()
    return names


def reply_context(tweet, present):
    """Whom a reply answers, as its card says it: {"names", "parent_id", "parent_local",
    "parent_url"}, or None for a tweet that is not a reply. Markdown archives know no parent
    id for most replies, only the leading @names of their text."""
    if tweet.get("kind") == "retweet":
        return None
    parent_id, to = tweet.get("in_reply_to_id"), tweet.get("in_reply_to_screen_name")
    if not (parent_id or to or tweet.get("kind") == "reply"):
        return None
    names, seen = [], set()
    for name in ([to] if to else []) + leading_mentions(tweet.get("text")):
        if name.lower() not in seen:
            seen.add(name.lower())
            names.append(name)
    if not (names or parent_id):
        return None
    parent_url = None
    if parent_id and parent_id not in present:
        parent_url = f"https://twitter.com/{urllib.parse.quote(to or 'i')}/status/{int(parent_id)}"
    return {
        "names": names[:REPLY_NAMES],
        "more": max(0, len(names) - REPLY_NAMES),
        "parent_id": parent_id,
        "parent_local": bool(parent_id) and parent_id in present,
        "parent_url": parent_url,
    }


def quoted_reference(tweet):
    """A quoted tweet the archive lacks, as its card links it: {"screen_name", "url"}, the
    name from the quote's own link to it when the text has one."""
    name = None
    for _, _, kind, value in tweet["entities"]:
        match = status_link(value) if kind == "url" else None
        if match and status_id(value) == tweet["quoted_id"]:
            name = status_author(match)
            break
    return {
        "screen_name": name,
        "url": f"https://twitter.com/{urllib.parse.quote(name or 'i')}/status/"
        f"{int(tweet['quoted_id'])}",
    }


async def load_tweets(db, ids, quoted=True):
    """Tweets by id (in the order given), each with its author, media, `entities` (as
    load_entities), `highlights` (none: a search's page sets them), `local_ids`: the ids
    of the tweets it links to, retweets, quotes or answers that the archive holds, and
    `reply_to` (reply_context). With `quoted`, a quote's `quoted` tweet (loaded the same way,
    for all the tweets at once, without its own quote) or `quoted_ref` when the archive
    lacks it."""
    ids = [int(i) for i in ids if i is not None]
    if not ids:
        return []
    marks = ", ".join("?" for _ in ids)
    rows = await db.execute(f"{TWEET_SQL} where tweets.id in ({marks})", ids)
    # Every column: alt_text is there in archives built since it was added.
    media = await db.execute(
        f"select * from media where tweet_id in ({marks}) order by tweet_id, position",
        ids,
    )
    by_id = {row["id"]: {**dict(row), "media": []} for row in rows.rows}
    for item in media.rows:
        by_id[item["tweet_id"]]["media"].append(dict(item))
    tweets = [by_id[i] for i in ids if i in by_id]
    entities = await load_entities(db, by_id)
    linked = {}
    for tweet in tweets:
        tweet["when"] = readable_time(tweet["created_at"])
        tweet["twitter_url"] = twitter_url(tweet)
        tweet["entities"] = entities[tweet["id"]]
        tweet["highlights"] = []
        also = {tweet["retweeted_id"], tweet["quoted_id"], tweet["in_reply_to_id"]} - {None}
        linked[tweet["id"]] = linked_ids(tweet["entities"]) | also
    present = await present_ids(db, set().union(*linked.values()))
    for tweet in tweets:
        tweet["local_ids"] = linked[tweet["id"]] & present
        tweet["reply_to"] = reply_context(tweet, present)
        tweet["quoted"] = tweet["quoted_ref"] = None
    wanted = {t["quoted_id"] for t in tweets if t["quoted_id"] in present} if quoted else set()
    found = {q["id"]: q for q in await load_tweets(db, wanted, quoted=False)} if wanted else {}
    for tweet in tweets:
        if quoted and tweet["quoted_id"] and tweet["kind"] != "retweet":
            tweet["quoted"] = found.get(tweet["quoted_id"])
            if tweet["quoted"] is None:
                tweet["quoted_ref"] = quoted_reference(tweet)
    return tweets


def chart_json(rows):
    """JSON safe to put inside <script type="application/json">."""
    text = json.dumps(rows, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
