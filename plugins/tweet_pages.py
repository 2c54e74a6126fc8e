import os
import sys
import urllib.parse

from datasette import NotFound, Response, hookimpl
from datasette.utils import tilde_decode, urlsafe_components

# The helpers plugin files share sit beside them, in archive_site/ (see its __init__.py).
if (_folder := os.path.dirname(os.path.abspath(__file__))) not in sys.path:
    sys.path.insert(0, _folder)
from archive_site.config import archive_database, config
from archive_site.tweets import chart_json, load_tweets, readable_time

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
USER_IDS_SQL = """
select id from tweets where user_id = :id
union select id from tweets where in_reply_to_user_id = :id
union select tweet_id from mentions where user_id = :id
union select id from tweets where retweeted_screen_name = :screen_name
"""
USER_COUNTS_SQL = """
select
  (select count(*) from tweets where user_id = :id) as tweets_by,
  (select count(*) from tweets where in_reply_to_user_id = :id) as replies_to,
  (select count(*) from mentions where user_id = :id) as mentions_of,
  (select count(*) from tweets where retweeted_screen_name = :screen_name) as retweets_of
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


async def user_page(datasette, database, pk):
    db = datasette.get_database(database)
    rows = (await db.execute("select * from users where id = ?", [pk])).rows
    if not rows:
        return {}
    user = dict(rows[0])
    params = {"id": pk, "screen_name": user["screen_name"]}
    counts = dict((await db.execute(USER_COUNTS_SQL, params)).rows[0])
    if user.get("is_owner"):
        sql = "select id from tweets where user_id = :id order by created_at desc limit 100"
    else:
        sql = (
            f"select id from tweets where id in ({USER_IDS_SQL}) order by created_at desc limit 100"
        )
    ids = [row["id"] for row in (await db.execute(sql, params)).rows]
    return {
        "user": user,
        "counts": counts,
        "timeline": await load_tweets(db, ids),
        "with_user_url": datasette.urls.query(database, "with_user")
        + "?"
        + urllib.parse.urlencode({"screen_name": user["screen_name"]}),
    }


async def home_page(datasette, database):
    try:
        db = datasette.get_database(database)
    except KeyError:
        return {}
    if not await db.table_exists("archive_totals"):
        return {}
    totals = dict((await db.execute("select * from archive_totals")).rows[0])
    months = await db.execute("select month, tweets, replies, retweets from tweets_per_month")
    hours = await db.execute("select weekday, day, hour, tweets from tweets_per_hour")
    owners = await db.execute(
        "select id, screen_name, name from users where is_owner = 1 order by screen_name"
    )
    queries = await datasette.get_canned_queries(database, None)
    names = config(datasette).get("home_queries") or list(queries)
    return {
        "totals": totals,
        "first": readable_time(totals["first_tweet_at"]),
        "last": readable_time(totals["last_tweet_at"]),
        "owners": [dict(row) for row in owners.rows],
        "months_json": chart_json([dict(r) for r in months.rows]),
        "hours_json": chart_json([dict(r) for r in hours.rows]),
        "queries": [
            {
                "name": name,
                "title": queries[name].get("title") or name,
                "description": queries[name].get("description"),
            }
            for name in names
            if name in queries
        ],
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
def extra_template_vars(template, database, table, view_name, request, datasette):
    archive = archive_database(datasette)

    async def page_vars():
        if template == "index.html":
            return {"archive": await home_page(datasette, archive), "archive_database": archive}
        if view_name == "row" and database == archive and request is not None:
            pk = row_pk(request)
            if pk is None:
                return {}
            if table == "tweets":
                return {
                    "tweet_page": await tweet_page(datasette, database, pk),
                    "archive_database": archive,
                    **tile_layer(datasette, database),
                }
            if table == "users":
                return {
                    "user_page": await user_page(datasette, database, pk),
                    "archive_database": archive,
                }
        return {}

    return page_vars


async def user_redirect(datasette, request):
    database = archive_database(datasette)
    name = request.url_vars["screen_name"].lstrip("@")
    try:
        db = datasette.get_database(database)
    except KeyError:
        raise NotFound("No archive database") from None
    rows = (
        await db.execute(
            "select id from users where screen_name = ? collate nocase "
            "order by is_owner desc, id > 0 desc limit 1",
            [name],
        )
    ).rows
    if rows:
        return Response.redirect(datasette.urls.row(database, "users", str(rows[0]["id"])))
    query = urllib.parse.urlencode({"screen_name": name})
    return Response.redirect(datasette.urls.query(database, "with_user") + "?" + query)


@hookimpl
def menu_links(datasette):
    database = archive_database(datasette)
    if database not in datasette.databases:
        return []
    return [
        {"href": datasette.urls.query(database, "search"), "label": "Search tweets"},
        {"href": datasette.urls.table(database, "tweets"), "label": "All tweets"},
        {"href": datasette.urls.query(database, "on_this_day"), "label": "On this day"},
        {"href": datasette.urls.query(database, "geotagged"), "label": "Map"},
    ]


@hookimpl
def register_routes():
    return [(r"^/-/user/(?P<screen_name>@?[A-Za-z0-9_]{1,50})$", user_redirect)]
