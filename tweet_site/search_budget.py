"""One time budget for everything a search request runs, and a cap on how many costly
searches run at once.

Datasette's time limit is per statement, and the reader search runs up to six: 3 s each was
18 s for one page. A Budget gives every statement the time left until one deadline, counted
from when the request arrived (its wait for a slot or an SQL thread included).

Datasette answers from 3 SQL threads, and Python SQL functions (search_contains, the ranks)
hold the GIL while they run: four clients repeating a search that checks every tweet in
Python took all of them, and a visitor got 6 answers in 30 s. Costly searches (see
search_query.costly) take a slot first; a request that gets none in time is told the site is
busy (503, Retry-After) rather than queued without end."""

import asyncio
import sqlite3
import time
import weakref
from contextlib import asynccontextmanager

from datasette.database import QueryInterrupted, Results
from datasette.tracer import trace

BUDGET_SECONDS = 3.0
# Below this a statement can't do anything useful: the page says so instead.
MIN_STATEMENT_SECONDS = 0.05
# One costly search at a time leaves two of the three SQL threads to everyone else.
COSTLY_AT_ONCE = 1
# A costly search waits at most this share of its budget for a slot, so that it still has
# time to run when it gets one; and no more than this many wait at once.
WAIT_SHARE = 0.5
MAX_WAITING = 8
RETRY_AFTER_SECONDS = 5
# Where the search gate leaves the time a request arrived, for the page's own budget.
STARTED = "tweet_archive.search_started"


class OutOfTime(Exception):
    """The request's budget ran out before a statement could start."""


class Busy(Exception):
    """No slot for a costly search came free in time."""


def budget_seconds(datasette):
    return min(BUDGET_SECONDS, datasette.setting("sql_time_limit_ms") / 1000)


def started_at(scope):
    return scope.get(STARTED) or time.monotonic()


def interrupt_after(deadline):
    def handler():
        return 1 if time.monotonic() >= deadline else 0

    return handler


class Budget:
    def __init__(self, datasette, started=None):
        self.seconds = budget_seconds(datasette)
        self.deadline = (started or time.monotonic()) + self.seconds

    def left(self):
        return self.deadline - time.monotonic()

    async def execute(self, db, sql, params=None):
        """db.execute(sql, params), interrupted at the deadline. The deadline is checked in
        the SQL thread itself: time spent waiting for one counts too."""
        deadline = self.deadline

        def run(conn):
            if deadline - time.monotonic() < MIN_STATEMENT_SECONDS:
                raise OutOfTime()
            conn.set_progress_handler(interrupt_after(deadline), 1000)
            try:
                cursor = conn.execute(sql, params if params is not None else {})
                return Results(cursor.fetchall(), False, cursor.description)
            except sqlite3.OperationalError as error:
                if error.args == ("interrupted",):
                    raise QueryInterrupted(error, sql, params) from None
                raise
            finally:
                conn.set_progress_handler(None, 1000)

        with trace("sql", database=db.name, sql=sql.strip(), params=params):
            return await db.execute_fn(run)

    def database(self, db):
        """`db` for helpers that call db.execute(sql, params): within this budget."""
        return BudgetedDatabase(self, db)


class BudgetedDatabase:
    def __init__(self, budget, db):
        self.budget, self.db = budget, db

    async def execute(self, sql, params=None):
        return await self.budget.execute(self.db, sql, params)

    def __getattr__(self, name):  # table_exists() and the like: quick lookups of their own
        return getattr(self.db, name)


class Slots:
    def __init__(self):
        self.semaphore = asyncio.Semaphore(COSTLY_AT_ONCE)
        self.waiting = 0


# Per Datasette instance and event loop (an asyncio semaphore belongs to one loop).
_slots = weakref.WeakKeyDictionary()


def slots(datasette):
    loops = _slots.setdefault(datasette, weakref.WeakKeyDictionary())
    loop = asyncio.get_running_loop()
    if loop not in loops:
        loops[loop] = Slots()
    return loops[loop]


@asynccontextmanager
async def costly_slot(datasette, started):
    """Held while a costly search runs; raises Busy when none comes free within its share
    of the budget (counted from `started`, time.monotonic() when the request arrived)."""
    pool = slots(datasette)
    wait = started + budget_seconds(datasette) * WAIT_SHARE - time.monotonic()
    if pool.waiting >= MAX_WAITING or (pool.semaphore.locked() and wait <= 0):
        raise Busy()
    pool.waiting += 1
    try:
        await asyncio.wait_for(pool.semaphore.acquire(), timeout=max(wait, 0.001))
    except TimeoutError:
        raise Busy() from None
    finally:
        pool.waiting -= 1
    try:
        yield
    finally:
        pool.semaphore.release()
