import re
import sqlite3
import threading
import weakref

from datasette import hookimpl
from datasette.handle_exception import handle_exception as datasette_error_page
from datasette.views.base import DatasetteError

from tweet_site.config import archive_database, config

# The SQL time limit can't stop one function call: randomblob(1000000000) allocated a
# gigabyte before the next time check (Datasette checks every 1,000 SQLite instructions, so
# the cap also bounds how far a query can overrun: ~3 s for 1,000 calls making 1 MB). So the
# size of any single value is capped (the longest tweet is 25,000 characters, at most
# 100 KB), raised to the longest value stored in the database (up to 64 MB, refused by the
# build long before that) so that every stored row stays readable, ...
MAX_VALUE_BYTES = 1_000_000
MAX_STORED_BYTES = 64_000_000
LONGEST_STORED = weakref.WeakKeyDictionary()
# Each SQL thread opens its connection at once on a fresh server: one of them scans.
SCANNING = threading.Lock()
# ... SQLite's own memory is capped process-wide (an aggregate growing within the time limit,
# a row of many big values: the query fails with "out of memory", the server stays), ...
SQLITE_HEAP_BYTES = 256 * 1024 * 1024
# ... and so is what one query hands to Python (1,000 rows of 1 MB values would still be a
# gigabyte, three times over once rendered as JSON). A page of 1,000 long tweets is ~2 MB.
MAX_RESULT_CHARS = 32 * 1024 * 1024
# SQLite's printf repeats %c in a loop that runs to the end even once the length limit has
# failed it: printf('%.*c', 2147483647, 'x') takes 8 s of CPU, past the time limit.
PRINTF_SPEC = re.compile(r"%[-+ #0!,]*(\d+|\*)?(?:\.(\d+|\*))?l{0,2}(.)", re.S)


class ResultTooLarge(sqlite3.DataError):
    pass


def budgeted_rows(limit):
    """A row factory making Datasette's sqlite3.Row, failing once a query's text and blobs
    pass `limit` characters (or bytes)."""
    used = weakref.WeakKeyDictionary()

    def row_factory(cursor, values):
        size = used.get(cursor, 0)
        for value in values:
            if isinstance(value, (str, bytes)):
                size += len(value)
        if size > limit:
            raise ResultTooLarge(
                f"The answer is over {limit // 1_000_000} MB: ask for fewer rows or shorter values"
            )
        used[cursor] = size
        return sqlite3.Row(cursor, values)

    return row_factory


def as_count(value):
    try:
        return abs(int(float(value)))
    except (TypeError, ValueError, OverflowError):
        return 0


def printf_sizes(fmt, args):
    """Every width and precision a printf() format asks for, '*' taken from the arguments."""
    sizes, rest = [], list(args)
    for width, precision, kind in PRINTF_SPEC.findall(fmt if isinstance(fmt, str) else ""):
        for number in (width, precision):
            if number == "*":
                sizes.append(as_count(rest.pop(0) if rest else 0))
            elif number:
                sizes.append(int(number))
        if kind != "%" and rest:
            rest.pop(0)
    return sizes


def bounded_printf(helper, limit):
    def printf(fmt=None, *args):
        if any(size > limit for size in printf_sizes(fmt, args)):
            raise ValueError("printf width or precision too large")
        marks = ", ".join("?" for _ in range(len(args) + 1))
        return helper.execute(f"select printf({marks})", [fmt, *args]).fetchone()[0]

    return printf


def longest_stored(conn, database, datasette):
    """The largest record (so the largest value) in the database. `tweets-etl publish`
    measures it once and puts it in the plugin's configuration; otherwise it comes from
    SQLite's page statistics: one pass over the file (1.3 s at a million tweets), once per
    database per process."""
    if database == archive_database(datasette):
        measured = config(datasette).get("longest_record")
        if isinstance(measured, int) and measured >= 0:
            return measured
    try:
        return conn.execute("select max(mx_payload) from dbstat").fetchone()[0] or 0
    except sqlite3.Error:  # an SQLite without the dbstat table
        return 0


def value_limit(conn, database, datasette):
    if database in ("_memory", "_internal"):
        return MAX_VALUE_BYTES
    with SCANNING:
        known = LONGEST_STORED.setdefault(datasette, {})
        if database not in known:
            known[database] = longest_stored(conn, database, datasette)
    return min(max(MAX_VALUE_BYTES, known[database] + 1024), MAX_STORED_BYTES)


@hookimpl
def prepare_connection(conn, database, datasette):
    conn.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, value_limit(conn, database, datasette))
    conn.execute(f"pragma hard_heap_limit = {SQLITE_HEAP_BYTES}")
    conn.row_factory = budgeted_rows(MAX_RESULT_CHARS)
    # The real printf, on a private connection with the same length limit.
    helper = sqlite3.connect(":memory:", check_same_thread=False)
    helper.setlimit(sqlite3.SQLITE_LIMIT_LENGTH, MAX_VALUE_BYTES)
    for name in ("printf", "format"):
        conn.create_function(name, -1, bounded_printf(helper, MAX_VALUE_BYTES), deterministic=True)


@hookimpl
def handle_exception(datasette, request, exception):
    # SQLite's "out of memory" (the heap limit above) reaches Datasette as a MemoryError:
    # answer it like any other failed query (400, in the page's own format).
    if isinstance(exception, MemoryError):
        error = DatasetteError(
            "The query needs more memory than this site allows: ask for fewer rows or "
            "shorter values.",
            status=400,
        )
        return datasette_error_page(datasette, request, error)
