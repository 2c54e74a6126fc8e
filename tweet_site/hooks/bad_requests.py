"""Datasette 0.65 answers some malformed arguments of its own with a server error (500): a
?_sort= naming no column, ?_timelimit=abc, ?_ttl= or ?_facet_size= past the 4,300 digits
int() reads, a ?_next= on a view that is no offset, a NUL in ?_where= or ?_facet=, the
database page as CSV without a query, a static file name longer than the file system
allows. They are the request's fault: answered as such (400, or 404 for the file), in the
page's own format, like Datasette's other argument errors. An error the request's arguments
don't explain stays a 500."""

import errno
import re
import sqlite3
import urllib.parse

from datasette import hookimpl
from datasette.handle_exception import handle_exception as datasette_error_page
from datasette.views.base import DatasetteError

# Datasette's arguments it reads as numbers, and what it accepts in them.
SIZES = re.compile(r"max|[0-9]{1,9}")
NUMBERS = {
    "_size": SIZES,
    "_facet_size": SIZES,
    "_timelimit": re.compile(r"[0-9]{1,9}"),
    "_ttl": re.compile(r"[0-9]{1,9}"),
    # On a view or a query, an offset (on a table, the keys it gave, which fail no int()).
    "_next": re.compile(r"[0-9]{1,18}"),
}
# Datasette's own messages, with status 500, for a ?_sort= it can't follow.
SORT_ERRORS = ("Cannot sort table by ", "Cannot use _sort and _sort_desc at the same time")
INPUT_ERRORS = (ValueError, OverflowError, KeyError, sqlite3.Error)


def bad_argument(request) -> str | None:
    """What is wrong with the request's Datasette arguments, or None."""
    for name, value in urllib.parse.parse_qsl(request.query_string, keep_blank_values=True):
        if (name.startswith("_") or name == "sql") and "\x00" in name + value:
            return f"?{name.strip(chr(0))}= holds a NUL character."
        if name in NUMBERS and value and not NUMBERS[name].fullmatch(value):
            return f"?{name}= must be a whole number."
    url_vars = request.url_vars
    if url_vars.get("format") == "csv" and "table" not in url_vars and not request.args.get("sql"):
        return "A database has no CSV of its own: ask for a query's (?sql=)."
    return None


def answer(datasette, request, message, status):
    error = DatasetteError(message, status=status, title="Bad request" if status == 400 else None)
    return datasette_error_page(datasette, request, error)


@hookimpl
def handle_exception(datasette, request, exception):
    if isinstance(exception, OSError) and exception.errno == errno.ENAMETOOLONG:
        return answer(datasette, request, "No such file.", 404)
    if isinstance(exception, DatasetteError) and exception.status == 500:
        if str(exception.message).startswith(SORT_ERRORS):
            return answer(datasette, request, exception.message, 400)
    if isinstance(exception, INPUT_ERRORS):
        problem = bad_argument(request)
        if problem:
            return answer(datasette, request, problem, 400)
    return None
