"""The tweet page: a tweet with the thread around it, its quotes and its place."""

import urllib.parse
from datetime import datetime

from datasette import hookimpl
from datasette.utils import tilde_decode, urlsafe_components

from tweet_site.chars import DIRECTION_MARKS
from tweet_site.config import (
    DEFAULT_TILE_ATTRIBUTION,
    DEFAULT_TILES,
    archive_database,
    config,
    static_site,
)
from tweet_site.hooks.media_files import safe_relative
from tweet_site.hooks.render_tweets import retweet_body
from tweet_site.ids import parse_id
from tweet_site.links import media_url
from tweet_site.pages import LATEST_ONLY
from tweet_site.tweets import load_tweets, readable_time

ANCESTORS_SQL = """
with recursive up(id, depth) as (
  select in_reply_to_id, 1 from tweets where id = :id
  union all
  select tweets.in_reply_to_id, up.depth + 1
  from up join tweets on tweets.id = up.id
  where up.depth < 50
)
select id, depth from up where id in (select id from tweets) order by depth desc
"""
# The replies below a tweet, depth first (a parent before its replies), latest versions only.
REPLIES_SQL = f"""
with recursive down(id, parent, depth, path) as (
  select id, in_reply_to_id, 1, printf('%020d', id) from tweets
  where in_reply_to_id = :id and {LATEST_ONLY}
  union
  select tweets.id, tweets.in_reply_to_id, down.depth + 1,
    down.path || printf('%020d', tweets.id)
  from down join tweets on tweets.in_reply_to_id = down.id
  where down.depth < 50 and {LATEST_ONLY}
)
select id, parent from down order by path limit 200
"""
VERSIONS_SQL = """
select id, created_at, is_latest_version from tweets
where edit_initial_id = :initial
order by created_at, id
limit 50
"""
# Ancestors shown above the opened tweet; earlier ones fold away, so that the opened tweet
# sits in the first screenful even under a long thread.
NEAREST_ANCESTORS = 2
# A share preview's description: link previews show two or three lines of it.
SHARE_TEXT_LENGTH = 200
# Control characters (newlines, tabs, NUL) become spaces and direction controls go: a meta
# tag's text is one plain line, and a preview can't be made to read backwards.
ONE_LINE = {**dict.fromkeys(range(0x20), " "), 0x7F: " ", **DIRECTION_MARKS}


def thread_order(root, replies, author):
    """The replies below `root` as a thread reader shows them: [(id, parent, branch)].

    A self-thread (each tweet the author's reply to their previous one) reads flat and in
    order; only real branches, replies by others or a second reply to the same tweet, are set
    apart (`branch` true), one level deep however deep they go. Branches follow the thread."""
    children, parent_of = {}, {}
    for tweet_id, parent in replies:
        children.setdefault(parent, []).append(tweet_id)
        parent_of[tweet_id] = parent
    out, stack = [], [(root, False)]
    while stack and len(out) < len(replies):
        node, branch = stack.pop()
        if node != root:
            out.append((node, parent_of[node], branch))
        kids = sorted(children.get(node, []))
        follow = next((k for k in kids if author.get(k) == author.get(node)), None)
        # Depth first, the thread's continuation before the branches: pushed last.
        stack.extend((kid, True) for kid in reversed(kids) if kid != follow)
        if follow is not None:
            stack.append((follow, branch))
    return out


async def edit_versions(db, tweet):
    """Every version of an edited tweet, oldest first, each with its page and time."""
    if tweet.get("edit_initial_id") is None:
        return []
    rows = (await db.execute(VERSIONS_SQL, {"initial": tweet["edit_initial_id"]})).rows
    return [
        {
            "id": row["id"],
            "when": readable_time(row["created_at"]),
            "created_at": row["created_at"],
            "latest": bool(row["is_latest_version"]),
        }
        for row in rows
    ]


def page_heading(tweet, ancestors, replies):
    name = tweet.get("screen_name") or "someone"
    if tweet.get("kind") == "retweet" and tweet.get("retweeted_screen_name"):
        return f"@{name} retweeted @{tweet['retweeted_screen_name']}"
    own = [t for t in ancestors if t.get("user_id") == tweet.get("user_id")]
    own += [t for t in replies if not t["branch"] and t.get("user_id") == tweet.get("user_id")]
    if own:
        return f"Thread by @{name}"
    if tweet.get("kind") == "reply":
        return f"@{name}'s reply"
    return f"@{name}'s tweet"


def plain_line(text, limit=None):
    """`text` as one plain line for a meta tag, cut at a word and ended with "…" when it is
    longer than `limit` characters."""
    text = " ".join((text or "").translate(ONE_LINE).split())
    if limit is None or len(text) <= limit:
        return text
    cut = text[: limit - 1]
    # At the last space, unless that drops most of it (a language written without spaces).
    if cut.rfind(" ") > limit // 2:
        cut = cut[: cut.rfind(" ")]
    return cut.rstrip(" ,;:-") + "…"


def share_date(value):
    """'2019-06-05T20:15:29+00:00' -> '5 Jun 2019'."""
    try:
        moment = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return plain_line(value)
    return f"{moment.day} {moment:%b %Y}"


def share_title(tweet):
    """'Jane Doe (@jane) on 5 Jun 2019', or '… retweeted @bob on …' for a retweet."""
    name, screen_name = plain_line(tweet.get("name")), plain_line(tweet.get("screen_name"))
    who = f"{name} (@{screen_name})" if name and screen_name else name or f"@{screen_name}"
    if not (name or screen_name):
        who = "A tweet"
    if tweet.get("kind") == "retweet" and tweet.get("retweeted_screen_name"):
        who = f"{who} retweeted @{plain_line(tweet['retweeted_screen_name'])}"
    return f"{who} on {share_date(tweet.get('created_at'))}"


def absolute(base, path):
    """`path` (from "/") under the http(s) address `base`, or None without one: previews
    need absolute addresses. `base` is escaped where it must be ("my repo"), what is escaped
    already left as it is."""
    if not (base or "").startswith(("https://", "http://")):
        return None
    return urllib.parse.quote(base.rstrip("/"), safe=":/%@!$&'()*+,;=~") + path


def site_address(datasette, path):
    """A path of this site (urls.path's, base_url included) at the address configured as
    `site_url` (where the feeds' links point too), or None when none is."""
    return absolute(config(datasette).get("site_url"), path)


def share_image(datasette, tweet):
    """The absolute address of the tweet's first photo, or None when it has none or no
    address of it can be absolute. Media kept at `media_url` are linked there, where the
    media route would redirect; a static export's are in its folder's media/ (the export
    writes /-/media/<id>/<position> there)."""
    photo = next(
        (m for m in tweet["media"] if (m.get("type") or "photo") == "photo" and m.get("path")),
        None,
    )
    parts = safe_relative(photo["path"]) if photo else None
    if not parts:
        return None
    quoted = "/" + "/".join(urllib.parse.quote(part) for part in parts)
    url = absolute(config(datasette).get("media_url"), quoted)
    if url is None and static_site(datasette):
        url = site_address(datasette, datasette.urls.path("/media" + quoted))
    elif url is None:
        url = site_address(datasette, media_url(datasette, tweet["id"], photo["position"]))
    if url is None:
        return None
    size = {}
    if photo.get("width") and photo.get("height"):
        size = {"width": int(photo["width"]), "height": int(photo["height"])}
    return {"url": url, "alt": plain_line(photo.get("alt_text"), 420), **size}


def share_preview(datasette, database, tweet):
    """What link previews (Open Graph, Twitter cards) and search results show of a tweet
    page: plain text, which the template's autoescaping makes safe in an attribute."""
    text = tweet.get("text") or ""
    if tweet.get("kind") == "retweet" and tweet.get("retweeted_screen_name"):
        text = retweet_body(text)
    title = share_title(tweet)
    path = datasette.urls.row(database, "tweets", str(int(tweet["id"])))
    # A static export writes the page as archive/tweets/<id>/index.html.
    url = site_address(datasette, path + "/" if static_site(datasette) else path)
    image = share_image(datasette, tweet)
    return {
        "title": title,
        "description": plain_line(text, SHARE_TEXT_LENGTH) or title,
        "url": url,
        "image": image,
        "card": "summary_large_image" if image else "summary",
        "site_name": plain_line(datasette.metadata("title")),
        "published": tweet.get("created_at"),
    }


async def tweet_page(datasette, database, pk):
    db = datasette.get_database(database)
    found = await load_tweets(db, [pk])
    if not found:
        return {}
    tweet = found[0]
    ancestors = (await db.execute(ANCESTORS_SQL, {"id": pk})).rows
    parents = await load_tweets(db, [row["id"] for row in ancestors])
    rows = (await db.execute(REPLIES_SQL, {"id": pk})).rows
    replies = [(row["id"], row["parent"]) for row in rows]
    children = {child["id"]: child for child in await load_tweets(db, [i for i, _ in replies])}
    author = {i: child["user_id"] for i, child in children.items()}
    author[tweet["id"]] = tweet["user_id"]
    thread = []
    for tweet_id, parent, branch in thread_order(tweet["id"], replies, author):
        if tweet_id in children:
            thread.append({**children[tweet_id], "branch": branch, "parent": parent})
    known = {t["id"]: t for t in [tweet, *parents, *children.values()]}
    for child in thread:
        parent = known.get(child["parent"]) or {}
        child["parent_screen_name"] = parent.get("screen_name")
        child["parent_when"] = parent.get("when")
    nearest = NEAREST_ANCESTORS
    if any(p["media"] for p in parents[-nearest:]):
        nearest = 1
    top = parents[0] if parents else tweet
    missing_parent = None
    if top.get("in_reply_to_id"):
        name = top.get("in_reply_to_screen_name") or "i"
        missing_parent = {
            "screen_name": top.get("in_reply_to_screen_name"),
            "url": f"https://twitter.com/{urllib.parse.quote(name)}/status/"
            f"{int(top['in_reply_to_id'])}",
        }
    quoted_by = await db.execute(
        # likelihood(): quoted_id is mostly NULL, which sqlite_stat1 can't tell the planner.
        "select id from tweets where likelihood(quoted_id = ?, 0.000001) "
        f"and {LATEST_ONLY} order by created_at limit 20",
        [pk],
    )
    versions = await edit_versions(db, tweet)
    latest = next((v for v in versions if v["latest"]), None)
    return {
        "tweet": tweet,
        "heading": page_heading(tweet, parents, thread),
        "earlier": parents[:-nearest],
        "ancestors": parents[-nearest:],
        "missing_parent": missing_parent,
        "replies": thread,
        "continues": bool(thread) and not thread[0]["branch"],
        "versions": versions if len(versions) > 1 else [],
        "latest_version": latest if latest and latest["id"] != tweet["id"] else None,
        "quoted_by": await load_tweets(db, [row["id"] for row in quoted_by.rows]),
        "share": share_preview(datasette, database, tweet),
    }


def tile_layer(datasette, database):
    """The map tiles datasette-cluster-map is configured with, for the tweet page's map."""
    settings = datasette.plugin_config("datasette-cluster-map", database=database) or {}
    options = settings.get("tile_layer_options") or {}
    return {
        "tile_layer": settings.get("tile_layer") or DEFAULT_TILES,
        "tile_attribution": options.get("attribution") or DEFAULT_TILE_ATTRIBUTION,
    }


def row_pk(request):
    values = urlsafe_components(request.url_vars.get("pks", ""))
    return parse_id(tilde_decode(values[0])) if len(values) == 1 else None


@hookimpl
def extra_template_vars(view_name, database, table, request, datasette):
    archive = archive_database(datasette)
    if (view_name, database, table) != ("row", archive, "tweets") or request is None:
        return {}

    async def page_vars():
        pk = row_pk(request)
        if pk is None:
            return {}
        return {
            "tweet_page": await tweet_page(datasette, database, pk),
            "archive_database": archive,
            **tile_layer(datasette, database),
        }

    return page_vars
