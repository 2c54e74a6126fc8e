import urllib.parse

from datasette import hookimpl

from tweet_site.config import archive_database, archive_db
from tweet_site.hooks.private_banner import is_private
from tweet_site.hooks.private_people import private_counts
from tweet_site.pages import archive_features

# What the site's bar can search: (path, what its label and placeholder say).
TWEETS = ("/search", "tweets")
MESSAGES = ("/messages/search", "messages")


async def message_search(datasette) -> bool:
    """A private archive with messages to search (hooks/private_search.py's /messages/search)."""
    if not await is_private(datasette):
        return False
    if not (await private_counts(datasette))["messages"]:
        return False
    return await archive_db(datasette).table_exists("dm_messages_fts")


async def search_target(datasette):
    """(path, what) the site's search box searches: the tweets, or on a private archive
    without any its messages; None when there is nothing to search. A public site's is
    always /search."""
    target = TWEETS
    if await is_private(datasette) and not (await archive_features(datasette)).get("search"):
        target = MESSAGES if await message_search(datasette) else None
    return target


async def bar_search(datasette) -> dict | None:
    """What the bar's search box searches (search_target), as the bar shows it."""
    target = await search_target(datasette)
    if target is None:
        return None
    path, what = target
    return {
        "path": datasette.urls.path(path),
        "label": f"Search the {what}",
        "placeholder": f"Search {what}",
        "what": what,
    }


def search_redirect(datasette, scope):
    """Where a plain search from the tweets table's search box should go, or None.

    The table page orders every match by date and counts them all (seconds for a common word
    in a million tweets), and unicode61 can't find a word inside Japanese text; the reader
    search page (/search) ranks and pages through the matches, highlights them and handles
    every script. Searches combined with filters, facets or a sort stay on the table page,
    as do JSON and CSV."""
    if scope.get("type") != "http" or scope.get("method") != "GET":
        return None
    database = archive_database(datasette)
    if database not in datasette.databases:
        return None
    if scope.get("path") != datasette.urls.table(database, "tweets"):
        return None
    pairs = urllib.parse.parse_qsl(scope.get("query_string", b"").decode("latin-1"))
    args = dict(pairs)
    if not args.get("_search", "").strip():
        return None
    if len(pairs) == 1:
        query = urllib.parse.urlencode({"q": args["_search"]})
        return datasette.urls.path("/search?" + query)
    return filtered_search(scope, pairs)


def filtered_search(scope, pairs):
    """The tweets table searched with filters (?_search=the&kind=tweet), or None.

    Two costs made it take 2 s at a million tweets: ordering every match by created_at (a
    sort of 490,000 rows before the first 50 show) and counting every match. In id order
    (tweet ids grow with time: the same order) SQLite walks the table from the newest tweet
    and stops at the 51st match; the count is left out (Datasette's ?_nocount=1). A sort or
    ?_nocount the address already names is kept, as is JSON and CSV."""
    keys = {key for key, _ in pairs}
    if keys & {"_sort", "_sort_desc", "_nocount"}:
        return None
    query = urllib.parse.urlencode([*pairs, ("_sort_desc", "id"), ("_nocount", "1")])
    return scope["path"] + "?" + query


@hookimpl
def asgi_wrapper(datasette):
    def wrap(app):
        async def redirect_searches(scope, receive, send):
            location = search_redirect(datasette, scope)
            if location is None:
                await app(scope, receive, send)
                return
            await send(
                {
                    "type": "http.response.start",
                    "status": 302,
                    "headers": [
                        (b"location", location.encode("utf-8")),
                        (b"content-type", b"text/plain"),
                    ],
                }
            )
            await send({"type": "http.response.body", "body": b""})

        return redirect_searches

    return wrap


@hookimpl
def prepare_jinja2_environment(env, datasette):
    # Datasette 0.65 renders error pages without extra_template_vars: the not-found page
    # (templates/404.html) and its bar ask for the search box here.
    async def error_page_search():
        if archive_database(datasette) not in datasette.databases:
            return None
        return await bar_search(datasette)

    env.globals["error_page_search"] = error_page_search


@hookimpl
def extra_template_vars(datasette):
    async def search_vars():
        if archive_database(datasette) not in datasette.databases:
            return {"site_search": None}
        return {"site_search": await bar_search(datasette)}

    return search_vars
