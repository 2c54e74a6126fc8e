"""A reader list's rows for explorers: the page's address with .json or .csv after it gives
the rows the page shows (tweet_site/lists), and the page links them and their SQL."""

import csv
import io
import json
import urllib.parse

from datasette import Response

from tweet_site.config import archive_database
from tweet_site.pages import with_query

# Added to a reader page's route: /most-liked, /most-liked.json, /most-liked.csv.
SUFFIX = r"(\.(?P<format>json|csv))?"
# ?_size=: rows a page of JSON or CSV holds (`max`: this many).
MAX_SIZE = 1000


def fmt(request):
    """'json', 'csv' or None (the page itself)."""
    return request.url_vars.get("format")


def size(request, default: int) -> int:
    """The rows asked for as JSON or CSV: ?_size=N or max (at most MAX_SIZE), else the
    page's `default`, which the page itself always shows."""
    value = (request.args.get("_size") or "").strip() if fmt(request) else ""
    if value == "max":
        return MAX_SIZE
    if value.isascii() and value.isdigit() and len(value) < 6:
        return max(1, min(int(value), MAX_SIZE))
    return default


def rows_response(datasette, request, name, columns, rows, next_cursor, cursor_arg="before"):
    """The rows as JSON ({"columns", "rows", "next", "next_url"}, or the bare list with
    ?_shape=array) or as a CSV file named `name`.csv; the next page's address is in the
    JSON and in a Link header."""
    next_url = None
    headers = {}
    if next_cursor:
        next_url = datasette.absolute_url(request, with_query(request, **{cursor_arg: next_cursor}))
        headers["Link"] = f'<{next_url}>; rel="next"'
    rows = [{column: row.get(column) for column in columns} for row in rows]
    if fmt(request) == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(columns)
        writer.writerows([row[column] for column in columns] for row in rows)
        headers["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        return Response(out.getvalue(), content_type="text/csv; charset=utf-8", headers=headers)
    if request.args.get("_shape") == "array":
        body = rows
    else:
        body = {"columns": list(columns), "rows": rows, "next": next_cursor, "next_url": next_url}
    return Response(
        json.dumps(body, ensure_ascii=False),
        content_type="application/json; charset=utf-8",
        headers=headers,
    )


def explore_links(datasette, request, query, page_size, **changes) -> dict:
    """This page's rows as JSON and CSV (its own address with .json / .csv, its arguments
    with `changes`), and the SQL the page ran (Datasette's SQL page, parameters filled in)."""
    path = request.path
    args = [(k, v) for k, v in urllib.parse.parse_qsl(request.query_string) if k not in changes]
    args += [(k, v) for k, v in changes.items() if v is not None]

    def link(suffix, extra):
        query_string = urllib.parse.urlencode([*args, *extra])
        return path + suffix + ("?" + query_string if query_string else "")

    sql_args = {"sql": query.sql, **query.params}
    if page_size:
        sql_args["size"] = page_size
    return {
        "json": link(".json", [("_shape", "array")]),
        "csv": link(".csv", [("_size", "max")]),
        "html": datasette.urls.database(archive_database(datasette))
        + "?"
        + urllib.parse.urlencode(sql_args),
    }
