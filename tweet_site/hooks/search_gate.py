import re
import time
import urllib.parse

from datasette import hookimpl
from datasette.handle_exception import handle_exception as datasette_error_page
from datasette.utils.asgi import Request
from datasette.views.base import DatasetteError

from tweet_site.config import archive_database
from tweet_site.search_budget import RETRY_AFTER_SECONDS, STARTED, Busy, costly_slot
from tweet_site.search_query import costly, raw_problem

# The tables whose search box goes through the parser (escape_fts): the tweets, and a
# private archive's direct messages (dm_messages_fts, the same engine).
SEARCHED_TABLES = ("tweets", "dm_messages")
# The reader page (/search) takes its slot itself, to answer with its own form.
BUSY = (
    "The site is busy with other long searches or SQL queries. Try again in a few seconds, or "
    "narrow the search: whole words rather than single characters or short beginnings of "
    "words, fewer alternatives joined by OR."
)


def with_format(path):
    """A page's address with any format after it (.json, .csv, .atom)."""
    return re.compile(re.escape(path) + r"(\.\w+)?")


def classify(datasette, scope):
    """(costly, problem): whether this request runs a costly search (search_query.costly)
    through Datasette's own pages, raw FTS5 syntax on a searched table, or SQL of its own;
    and why a raw search asks too much (the parser's limits can't apply to it), or None."""
    if scope.get("type") != "http":
        return False, None
    path = scope.get("path", "")
    args = dict(urllib.parse.parse_qsl(scope.get("query_string", b"").decode("latin-1")))
    if args.get("sql") and any(
        with_format(datasette.urls.database(name)).fullmatch(path) for name in datasette.databases
    ):
        return True, None
    database = archive_database(datasette)
    if database not in datasette.databases:
        return False, None
    for query in ("search", "search_feed"):
        if with_format(datasette.urls.query(database, query)).fullmatch(path):
            return costly(args.get("q", "")), None
    if any(
        with_format(datasette.urls.table(database, table)).fullmatch(path)
        for table in SEARCHED_TABLES
    ):
        searches = [
            value
            for key, value in args.items()
            if key.startswith("_search") and key != "_searchmode"
        ]
        if args.get("_searchmode") == "raw":
            problems = [raw_problem(value) for value in searches]
            return bool(searches), next(filter(None, problems), None)
        return any(costly(value) for value in searches if value), None
    return False, None


async def error_page(datasette, scope, receive, send, error, headers=None):
    response = await datasette_error_page(datasette, Request(scope, receive), error)()
    response.headers.update(headers or {})
    await response.asgi_send(send)


@hookimpl
def asgi_wrapper(datasette):
    def wrap(app):
        async def gate(scope, receive, send):
            started = time.monotonic()
            expensive, problem = classify(datasette, scope)
            if problem:
                error = DatasetteError(problem, status=400, title="Search too large")
                await error_page(datasette, scope, receive, send, error)
                return
            if not expensive:
                await app(dict(scope, **{STARTED: started}), receive, send)
                return
            try:
                async with costly_slot(datasette, started):
                    await app(scope, receive, send)
            except Busy:
                error = DatasetteError(BUSY, status=503, title="Busy")
                retry = {"Retry-After": str(RETRY_AFTER_SECONDS)}
                await error_page(datasette, scope, receive, send, error, retry)

        return gate

    return wrap
