"""An account's page: who they are and everything the archive has with them."""

import os
import sys
import urllib.parse

from datasette import NotFound, Response, hookimpl
from datasette.utils import tilde_decode, urlsafe_components

# The helpers plugin files share sit beside them, in archive_site/ (see its __init__.py).
if (_folder := os.path.dirname(os.path.abspath(__file__))) not in sys.path:
    sys.path.insert(0, _folder)
from archive_site.config import archive_database
from archive_site.tweets import load_tweets

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


def row_pk(request):
    values = urlsafe_components(request.url_vars.get("pks", ""))
    try:
        return int(tilde_decode(values[0])) if len(values) == 1 else None
    except ValueError:
        return None


@hookimpl
def extra_template_vars(view_name, database, table, request, datasette):
    archive = archive_database(datasette)
    if (view_name, database, table) != ("row", archive, "users") or request is None:
        return {}

    async def page_vars():
        pk = row_pk(request)
        if pk is None:
            return {}
        return {"user_page": await user_page(datasette, database, pk), "archive_database": archive}

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
def register_routes():
    return [(r"^/-/user/(?P<screen_name>@?[A-Za-z0-9_]{1,50})$", user_redirect)]
