"""The tweet page: a tweet with the thread around it, its quotes and its place."""

import os
import sys
import urllib.parse

from datasette import hookimpl
from datasette.utils import tilde_decode, urlsafe_components

# The helpers plugin files share sit beside them, in archive_site/ (see its __init__.py).
if (_folder := os.path.dirname(os.path.abspath(__file__))) not in sys.path:
    sys.path.insert(0, _folder)
from archive_site.config import archive_database
from archive_site.tweets import load_tweets

TILE_LAYER = "https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png"
TILE_ATTRIBUTION = '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>'
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
REPLIES_SQL = """
with recursive down(id, depth, path) as (
  select id, 1, printf('%020d', id) from tweets where in_reply_to_id = :id
  union
  select tweets.id, down.depth + 1, down.path || printf('%020d', tweets.id)
  from down join tweets on tweets.in_reply_to_id = down.id
  where down.depth < 50
)

select id, depth from down order by path limit 200
"""


async def tweet_page(datasette, database, pk):
    db = datasette.get_database(database)
    found = await load_tweets(db, [pk])
    if not found:
        return {}
    tweet = found[0]
    ancestors = (await db.execute(ANCESTORS_SQL, {"id": pk})).rows
    parents = await load_tweets(db, [row["id"] for row in ancestors])
    replies = (await db.execute(REPLIES_SQL, {"id": pk})).rows
    depth = {row["id"]: row["depth"] for row in replies}
    children = await load_tweets(db, [row["id"] for row in replies])
    for child in children:
        child["depth"] = depth[child["id"]]
    top = parents[0] if parents else tweet
    missing_parent = None
    if top.get("in_reply_to_id"):
        name = top.get("in_reply_to_screen_name") or "i"
        missing_parent = {
            "screen_name": top.get("in_reply_to_screen_name"),
            "url": f"https://twitter.com/{urllib.parse.quote(name)}/status/"
            f"{int(top['in_reply_to_id'])}",
        }
    quoted = await load_tweets(db, [tweet["quoted_id"]]) if tweet["quoted_id"] else []
    quoted_by = await db.execute(
        # likelihood(): quoted_id is mostly NULL, which sqlite_stat1 can't tell the planner.
        "select id from tweets where likelihood(quoted_id = ?, 0.000001) "
        "order by created_at limit 20",
        [pk],
    )
    return {
        "tweet": tweet,
        "ancestors": parents,
        "missing_parent": missing_parent,
        "replies": children,
        "quoted": quoted[0] if quoted else None,
        "quoted_missing_url": (
            f"https://twitter.com/i/status/{int(tweet['quoted_id'])}"
            if tweet["quoted_id"] and not quoted
            else None
        ),
        "quoted_by": await load_tweets(db, [row["id"] for row in quoted_by.rows]),
    }


def tile_layer(datasette, database):
    """The map tiles datasette-cluster-map is configured with, for the tweet page's map."""
    settings = datasette.plugin_config("datasette-cluster-map", database=database) or {}
    options = settings.get("tile_layer_options") or {}
    return {
        "tile_layer": settings.get("tile_layer") or TILE_LAYER,
        "tile_attribution": options.get("attribution") or TILE_ATTRIBUTION,
    }


def row_pk(request):
    values = urlsafe_components(request.url_vars.get("pks", ""))
    try:
        return int(tilde_decode(values[0])) if len(values) == 1 else None
    except ValueError:
        return None


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
