import functools
import logging
import math
import os
import sys
import time

import h11
import uvicorn
from datasette import hookimpl
from uvicorn.protocols.http.h11_impl import H11Protocol

from tweet_site.config import config

# `datasette serve` starts its server as uvicorn.run(app, host=…, port=…) with no way to pass
# anything else, and every target runs it with these plugins loaded first (make publish, the
# folder's `datasette serve .`, the cloud images). uvicorn's defaults let a connection take
# forever to send its headers, let slow connections use up the process's descriptors (then
# every visitor is refused and asyncio logs "Too many open files" in a loop), and make
# SIGTERM wait for open streams to end. So the server's limits are set by wrapping
# uvicorn.run, which `datasette serve` looks up when it calls it.
#
# What this relies on in uvicorn (pinned with h11 in etl/site.py; tests/site/test_serve_limits.py
# checks it): uvicorn.run's `http` (a protocol class), `timeout_keep_alive`,
# `timeout_graceful_shutdown`, `backlog` and `ws`; H11Protocol's connection_made, data_received,
# on_response_complete and connection_lost, and its `conn` (the h11 connection), `transport`
# and `loop`.
LIMITS = {
    # Seconds a connection has to send a whole request (its headers, and its body if it has
    # one), counted from when the connection opened or its previous response ended.
    "header_timeout": 10.0,
    # Seconds an idle keep-alive connection stays open.
    "keep_alive_timeout": 5.0,
    # Connections open at once, at most (fewer when the descriptor limit is low).
    "max_connections": 1000,
    # Seconds SIGTERM waits for requests still running (a stream) before cancelling them.
    "shutdown_timeout": 3.0,
}
ENVIRONMENT = "TWEET_ARCHIVE_{}"
# The listening queue. asyncio accepts up to `backlog` connections at a time, and a few such
# batches can be on their way before the first reaches the protocol (and the cap below)
# and the connections it pushes out have closed: they count against the descriptors too.
MAX_BACKLOG = 128
ACCEPT_BATCHES = 4
# Descriptors for everything but connections: databases, logs, the listening socket.
RESERVED_DESCRIPTORS = 64
# A warning or error repeating (one per refused connection, say) is let through once per
# this many seconds, with the count of those held back.
LOG_INTERVAL = 5.0
FILTERED_LOGGERS = ("asyncio", "uvicorn.error")
WAITING = (h11.IDLE, h11.SEND_BODY)

logger = logging.getLogger("uvicorn.error")
served = {"config": {}}


def limits(plugin_config) -> dict:
    """Each limit from its environment variable (TWEET_ARCHIVE_HEADER_TIMEOUT...), else
    metadata.yml's `plugins: tweet-archive:`, else the default."""
    found = {}
    for name, default in LIMITS.items():
        raw = os.environ.get(ENVIRONMENT.format(name.upper())) or plugin_config.get(name, default)
        try:
            value = float(raw)
        except (TypeError, ValueError):
            value = math.nan
        if not (value > 0 and math.isfinite(value)):
            raise ValueError(
                f"{name} must be a positive number, not {raw!r} "
                f"(from {ENVIRONMENT.format(name.upper())} or plugins: tweet-archive: {name})"
            )
        found[name] = int(value) if name == "max_connections" else value
    return found


def raise_descriptor_limit():
    """Raises the soft limit on open files to the hard one; returns the limit now in force
    (None when there is none to know)."""
    try:
        import resource
    except ImportError:  # Windows
        return None
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = hard if hard != resource.RLIM_INFINITY else max(soft, 65536)
    if soft == resource.RLIM_INFINITY or soft >= wanted:
        return None if soft == resource.RLIM_INFINITY else soft
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
    except (ValueError, OSError):
        return soft
    return wanted


def capacity(max_connections, descriptors):
    """(connections open at once, listening backlog) that fit in `descriptors` open files."""
    if descriptors is None:
        return max_connections, MAX_BACKLOG
    backlog = max(16, min(MAX_BACKLOG, descriptors // 16))
    spare = descriptors - RESERVED_DESCRIPTORS - ACCEPT_BATCHES * backlog
    # A request may hold a second descriptor while it runs (a media file, a zip member).
    return max(8, min(max_connections, spare // 2)), backlog


class RepeatFilter(logging.Filter):
    """Lets a warning or error through at most once per `interval` seconds; the next one let
    through says how many like it were held back."""

    def __init__(self, interval=LOG_INTERVAL, remembered=1000):
        super().__init__()
        self.interval, self.remembered = interval, remembered
        self.seen = {}

    def filter(self, record):
        if record.levelno < logging.WARNING:
            return True
        error = record.exc_info[1] if record.exc_info else None
        first_line = record.getMessage().split("\n", 1)[0][:200]
        key = (record.name, record.levelno, first_line, type(error).__name__, str(error)[:200])
        now = time.monotonic()
        last = self.seen.pop(key, None)
        if last is not None and now - last[0] < self.interval:
            self.seen[key] = (last[0], last[1] + 1)
            return False
        self.seen[key] = (now, 0)
        if len(self.seen) > self.remembered:
            del self.seen[next(iter(self.seen))]
        if last is not None and last[1]:
            record.msg = f"{record.getMessage()} ({last[1]} more like this held back)"
            record.args = ()
        return True


class Connections:
    """A server's open connections, and those waiting for (the rest of) a request, longest
    waiting first."""

    def __init__(self, cap):
        self.cap = cap
        self.open = set()
        self.waiting = {}


class LimitedH11Protocol(H11Protocol):
    """uvicorn's HTTP/1.1 protocol, closing a connection whose request has not fully
    arrived `header_timeout` seconds after the connection opened or after its previous
    response, and, with `registry.cap` connections open, the one waiting longest for its
    request."""

    header_timeout = LIMITS["header_timeout"]
    registry = Connections(LIMITS["max_connections"])
    header_timer = None

    def connection_made(self, transport):
        super().connection_made(transport)
        self.registry.open.add(self)
        if len(self.registry.open) > self.registry.cap:
            oldest = next(iter(self.registry.waiting), None)
            if oldest is None:
                logger.warning(
                    "Refused a connection: %d open (the limit), none waiting",
                    self.registry.cap,
                )
                self.drop()
            else:
                logger.warning(
                    "Closed the connection waiting longest for its request: %d open (the limit)",
                    self.registry.cap,
                )
                oldest.drop()
        self.watch_request()

    def data_received(self, data):
        super().data_received(data)
        self.watch_request()

    def on_response_complete(self):
        super().on_response_complete()
        self.watch_request()

    def connection_lost(self, exc):
        super().connection_lost(exc)
        self.forget()

    def watch_request(self):
        # IDLE: no byte of the next request's headers yet, or not all of them; SEND_BODY: a
        # body still to come, even once the page has answered without reading it.
        waiting = not self.transport.is_closing() and self.conn.their_state in WAITING
        if waiting and self.header_timer is None:
            self.header_timer = self.loop.call_later(self.header_timeout, self.request_too_slow)
            self.registry.waiting[self] = None
        elif not waiting and self.header_timer is not None:
            self.header_timer.cancel()
            self.header_timer = None
            self.registry.waiting.pop(self, None)

    def request_too_slow(self):
        self.header_timer = None
        logger.warning(
            "Closed a connection that sent no complete request within %g s",
            self.header_timeout,
        )
        self.drop()

    def drop(self):
        self.forget()
        # Not close(): that waits until the client has read what is still to be sent, and a
        # client that reads nothing would keep its descriptor for ever.
        self.transport.abort()

    def forget(self):
        if self.header_timer is not None:
            self.header_timer.cancel()
            self.header_timer = None
        self.registry.open.discard(self)
        self.registry.waiting.pop(self, None)


def limited_protocol(header_timeout, cap):
    """A protocol class of its own for one server, with its limits and its connections."""
    return type(
        "LimitedH11Protocol",
        (LimitedH11Protocol,),
        {"header_timeout": header_timeout, "registry": Connections(cap)},
    )


def run_with_limits(run):
    # wraps: uvicorn.run's own signature stays what inspection sees (a test checks it).
    @functools.wraps(run)
    def limited_run(app, **options):
        try:
            found = limits(served["config"])
        except ValueError as error:
            raise SystemExit(f"Error: {error}") from None
        cap, backlog = capacity(found["max_connections"], raise_descriptor_limit())
        options.setdefault("http", limited_protocol(found["header_timeout"], cap))
        options.setdefault("timeout_keep_alive", found["keep_alive_timeout"])
        options.setdefault("timeout_graceful_shutdown", found["shutdown_timeout"])
        options.setdefault("backlog", backlog)
        # Datasette has no websockets: an upgrade request is an ordinary request.
        options.setdefault("ws", "none")
        repeats = RepeatFilter()
        for name in FILTERED_LOGGERS:
            logging.getLogger(name).addFilter(repeats)
        # uvicorn configures its logging inside run(): this line is written in its format.
        print(
            f"INFO:     Limits: {cap} connections, requests within "
            f"{found['header_timeout']:g} s, idle connections closed after "
            f"{options['timeout_keep_alive']:g} s, SIGTERM waits "
            f"{options['timeout_graceful_shutdown']:g} s for running requests",
            file=sys.stderr,
            flush=True,
        )
        return run(app, **options)

    limited_run.archive_limits = True
    return limited_run


# Datasette executes this file again for every Datasette instance: wrap uvicorn.run once.
if not getattr(uvicorn.run, "archive_limits", False):
    uvicorn.run = run_with_limits(uvicorn.run)


@hookimpl
def startup(datasette):
    # `datasette serve` runs the startup hooks just before it starts the server.
    served["config"] = config(datasette)
