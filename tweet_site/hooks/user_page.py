"""An account's page: who they are and everything the archive has with them."""

import re
import urllib.parse

from datasette import NotFound, Response, hookimpl

from tweet_site.config import archive_database, archive_or_404
from tweet_site.ids import parse_id
from tweet_site.listing import position
from tweet_site.lists.explore import exchanges
from tweet_site.pages import (
    decode_cursor,
    keyset_before,
    keyset_ids,
    render_reader_page,
    with_query,
)
from tweet_site.tweets import load_tweets

# Counts stop at this: an account the archive holds 10,000+ tweets of reads as "10,000+", and
# the page never counts a million index entries to say so.
COUNT_LIMIT = 10_000
# Every tweet that involves an account: by them, replying to them, mentioning them or
# retweeting them, as the with_user query lists them. (A union of index lookups: few, next to
# the archive, for anyone but the owner.)
EXCHANGES = "tweets.id in (\n" + exchanges("(:id)", "(:screen_name)") + "\n)"
# The owner wrote (nearly) every tweet of their archive: walk the date index and keep theirs
# (the unary + keeps SQLite from fetching all of them through user_id and sorting them).
OWNER_TWEETS = "+tweets.user_id = :id"
# Latest versions only: an edited tweet counts once, as on home and the timeline.
COUNTS = {
    "tweets_by": "select 1 from tweets where user_id = :id and is_latest_version = 1",
    "replies_to": "select 1 from tweets where in_reply_to_user_id = :id and is_latest_version = 1",
    "mentions_of": "select 1 from mentions join tweets on tweets.id = mentions.tweet_id "
    "where mentions.user_id = :id and tweets.is_latest_version = 1",
    "retweets_of": "select 1 from tweets where retweeted_screen_name = :screen_name "
    "and is_latest_version = 1",
}


async def bounded_counts(db, user, params):
    """How many tweets are by, reply to, mention and retweet the account: exact up to
    COUNT_LIMIT, then COUNT_LIMIT + 1 (shown as "10,000+")."""
    parts = ",\n".join(
        f"(select count(*) from ({sql} limit {COUNT_LIMIT + 1})) as {name}"
        for name, sql in COUNTS.items()
    )
    counted = dict((await db.execute(f"select {parts}", params)).rows[0])
    counts = {
        name: {"value": min(value, COUNT_LIMIT), "more": value > COUNT_LIMIT}
        for name, value in counted.items()
    }
    if (
        user.get("is_owner")
        and counts["tweets_by"]["more"]
        and await db.table_exists("archive_totals")
    ):
        # The sole owner's tweets are the archive's: the build counted them.
        rows = (
            await db.execute(
                "select (select count(*) from users where is_owner = 1) as owners, "
                "(select tweets from archive_totals) as tweets"
            )
        ).rows
        if rows and rows[0]["owners"] == 1 and rows[0]["tweets"]:
            counts["tweets_by"] = {"value": rows[0]["tweets"], "more": False}
    return counts


def exchange_where(user, many):
    """The account's list as keyset_ids takes it: (where, few)."""
    where = OWNER_TWEETS if user.get("is_owner") else EXCHANGES
    # Few tweets: fetch them through the indexes and sort them. Many (or the owner's): walk
    # the date index and keep the ones in the set.
    return where, not (many or user.get("is_owner"))


async def exchange_ids(db, user, params, cursor, many):
    """One page of the account's tweets and exchanges, newest first, after `cursor`."""
    where, few = exchange_where(user, many)
    return await keyset_ids(db, where, params, cursor, few=few)


async def user_page(datasette, request, database, pk):
    db = datasette.get_database(database)
    rows = (await db.execute("select * from users where id = ?", [pk])).rows
    if not rows:
        return {}
    user = dict(rows[0])
    params = {"id": pk, "screen_name": user["screen_name"]}
    counts = await bounded_counts(db, user, params)
    many = sum(c["value"] for c in counts.values()) > COUNT_LIMIT
    cursor = request.args.get("before")
    ids, next_cursor = await exchange_ids(db, user, params, cursor, many)
    where, few = exchange_where(user, many)
    previous, before = await keyset_before(db, where, params, cursor, few=few)
    # The owner's list is their tweets, counted above; another account's, counted as parts.
    total = counts["tweets_by"] if user.get("is_owner") else {"more": True}
    return {
        "user": user,
        "counts": counts,
        "timeline": await load_tweets(db, ids),
        "first_page": decode_cursor(cursor) is None,
        "newest_url": with_query(request, before=None),
        "older_url": with_query(request, before=next_cursor) if next_cursor else None,
        "newer_url": with_query(request, before=previous or None) if previous is not None else None,
        "position": position(before, len(ids), None if total["more"] else total["value"])
        if next_cursor or previous is not None
        else None,
        "with_user_url": datasette.urls.query(database, "with_user")
        + "?"
        + urllib.parse.urlencode({"screen_name": user["screen_name"]}),
    }


async def account_page(datasette, request):
    # The account's own route, ahead of Datasette's row page: that page would count every
    # row that links to the account (a million index entries for the owner) for a box of
    # links no reader needs.
    database = archive_database(datasette)
    db = datasette.databases.get(database)
    pk = parse_id(request.url_vars["pk"])
    if db is None or pk is None or not await db.table_exists("users"):
        raise NotFound("No such account")
    await datasette.ensure_permissions(
        request.actor,
        [("view-table", (database, "users")), ("view-database", database), "view-instance"],
    )
    page = await user_page(datasette, request, database, pk)
    if not page:
        raise NotFound("No such account")
    context = {
        "user_page": page,
        "database": database,
        "table": "users",
        "row_json": datasette.urls.row(database, "users", str(pk)) + ".json",
    }
    return await render_reader_page(datasette, request, "row-archive-users.html", context)


async def user_redirect(datasette, request):
    database = archive_database(datasette)
    name = request.url_vars["screen_name"].lstrip("@")
    db = archive_or_404(datasette)
    rows = (
        await db.execute(
            "select id from users where screen_name = ? collate nocase "
            "order by is_owner desc, id > 0 desc limit 1",
            [name],
        )
    ).rows
    if rows:
        return Response.redirect(datasette.urls.row(database, "users", str(rows[0]["id"])))
    with_user = datasette.urls.query(database, "with_user")
    query = {"screen_name": name}
    # A reader page, not the explorers' query: the name may be mistyped, or only in text.
    return await render_reader_page(
        datasette,
        request,
        "reader_user_missing.html",
        {
            "page_title": f"@{name} is not in the archive",
            "heading": f"@{name} is not in the archive",
            "screen_name": name,
            "search_url": datasette.urls.path("/search")
            + "?"
            + urllib.parse.urlencode({"q": name}),
            "explore": {
                "json": with_user + ".json?" + urllib.parse.urlencode({**query, "_shape": "array"}),
                "csv": with_user + ".csv?" + urllib.parse.urlencode({**query, "_dl": "1"}),
                "html": with_user + "?" + urllib.parse.urlencode(query),
            },
            "body_class": "reader-user-missing",
        },
        status=404,
    )


@hookimpl
def register_routes(datasette):
    routes = [(r"^/-/user/(?P<screen_name>@?[A-Za-z0-9_]{1,50})$", user_redirect)]
    database = archive_database(datasette)
    if database in datasette.databases:
        users = datasette.urls.table(database, "users", format=None)
        users = users[len(datasette.urls.path("/")) - 1 :]  # routes match without base_url
        routes.append((rf"^{re.escape(users)}/(?P<pk>-?\d{{1,19}})$", account_page))
    return routes
