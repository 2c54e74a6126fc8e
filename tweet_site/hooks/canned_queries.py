"""The archive's canned queries (tweet_site/lists/canned.py), and the addresses of those that
became reader pages: /archive/most_liked.json?since=2020 redirects to
/most-liked.json?since=2020, which gives the same rows."""

import contextvars
import re
import urllib.parse

from datasette import Response, hookimpl

from tweet_site.config import archive_database
from tweet_site.lists.canned import canned_queries as site_queries

# Former canned query: (its reader page, its parameters' names there, arguments added).
MOVED = {
    "on_this_day": ("/on-this-day", {"day": "date"}, {}),
    "most_liked": ("/most-liked", {}, {}),
    "quotes": ("/quotes", {}, {}),
    "threads": ("/threads", {}, {"sort": "longest"}),
    "media_gallery": ("/media", {}, {"missing": "1"}),
    "activity": ("/timeline", {}, {}),
}


# Set while this hook looks up the archive's database name, which reads the metadata.
_LOOKING_UP = contextvars.ContextVar("looking_up", default=False)


@hookimpl
def get_metadata(datasette, key):
    # As metadata, not through the canned_queries hook: datasette-atom reads a feed's title
    # from the metadata's queries. metadata.yml wins over this (Datasette merges it last,
    # into what this returns: so a fresh copy each time).
    if key not in (None, "queries") or _LOOKING_UP.get():
        return None
    token = _LOOKING_UP.set(True)
    try:
        database = archive_database(datasette)
    finally:
        _LOOKING_UP.reset(token)
    return {"databases": {database: {"queries": site_queries()}}}


def moved_to(name, fmt, args):
    """The reader page's address for a former canned query's: its arguments renamed, empty
    ones left out, and every row (the queries returned up to 1,000) as JSON or CSV."""
    path, renamed, added = MOVED[name]
    query = [(renamed.get(key, key), value) for key, value in args if value.strip()]
    query += [(key, value) for key, value in added.items() if key not in dict(query)]
    if fmt and "_size" not in dict(query):
        query.append(("_size", "max"))
    return (
        path + (f".{fmt}" if fmt else "") + ("?" + urllib.parse.urlencode(query) if query else "")
    )


async def moved(datasette, request):
    args = urllib.parse.parse_qsl(request.query_string)
    target = moved_to(request.url_vars["name"], request.url_vars.get("format"), args)
    return Response.redirect(datasette.urls.path(target))


@hookimpl
def register_routes(datasette):
    database = archive_database(datasette)
    if database not in datasette.databases:
        return []
    path = datasette.urls.database(database)
    path = path[len(datasette.urls.path("/")) - 1 :]  # routes match without base_url
    names = "|".join(MOVED)
    return [(rf"^{re.escape(path)}/(?P<name>{names})(\.(?P<format>json|csv))?$", moved)]
