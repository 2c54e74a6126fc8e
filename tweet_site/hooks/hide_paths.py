import sqlite3
import threading

from datasette import hookimpl
from datasette.views.special import JsonDataView

# Where the site's files live on the machine serving it is nobody's business: these
# introspection pages keep their shape without the paths (a plugin's routes come before
# Datasette's own, so these replace them).
PATH_KEYS = {"media_root"}
# pragma_database_list() names the database file; its `file` column reads as NULL. The
# authorizer runs when a statement is prepared, not for every row.
HIDDEN_COLUMNS = {("pragma_database_list", "file")}


def without_paths(value):
    if isinstance(value, dict):
        return {k: without_paths(v) for k, v in value.items() if k not in PATH_KEYS}
    if isinstance(value, list):
        return [without_paths(v) for v in value]
    return value


def databases(datasette):
    return [
        {
            "name": db.name,
            "route": db.route,
            "size": db.size,
            "is_mutable": db.is_mutable,
            "is_memory": db.is_memory,
            "hash": db.hash,
        }
        for name, db in datasette.databases.items()
        if name != "_internal"
    ]


def threads():
    # Datasette's list of tasks shows each coroutine with its source file.
    return {"num_threads": threading.active_count()}


def hide_columns(action, table, column, database, trigger):
    if action == sqlite3.SQLITE_READ and (table, column) in HIDDEN_COLUMNS:
        return sqlite3.SQLITE_IGNORE
    return sqlite3.SQLITE_OK


@hookimpl
def prepare_connection(conn):
    conn.set_authorizer(hide_columns)


@hookimpl
def register_routes(datasette):
    def view(filename, data):
        return JsonDataView.as_view(datasette, filename, data)

    return [
        (
            r"^/-/metadata(\.(?P<format>json))?$",
            view("metadata.json", lambda: without_paths(datasette.metadata())),
        ),
        (
            r"^/-/databases(\.(?P<format>json))?$",
            view("databases.json", lambda: databases(datasette)),
        ),
        (r"^/-/threads(\.(?P<format>json))?$", view("threads.json", threads)),
    ]
