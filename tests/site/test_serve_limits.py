"""The served site's defences against clients that hold on to it (issue 15, items 5 and 8):
an abandoned CSV stream stops, SIGTERM stops the server with streams open, slow and idle
connections are timed out, and slow connections beyond the cap can't lock visitors out.
Real `datasette` processes on 127.0.0.1, started with the production command line."""

import asyncio
import contextlib
import csv
import http.client
import importlib.metadata
import inspect
import io
import os
import select
import shutil
import socket
import sqlite3
import subprocess
import time
import urllib.request
from pathlib import Path

import h11
import pytest
import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

from etl.site import SITE_REQUIREMENTS, free_port, serve_command
from tests.helpers.site import make_datasette, site_folder

STREAM = b"GET /archive/tweets.csv?_stream=on HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
# Enough rows that streaming them all takes many seconds of the server's CPU.
EXTRA_ROWS = 100_000
PROC = Path("/proc/self/stat")


@pytest.fixture(scope="module")
def big_db(fixture_db, tmp_path_factory):
    """The fixture archive with EXTRA_ROWS more tweets (copies of its own)."""
    path = tmp_path_factory.mktemp("big") / "archive.db"
    shutil.copy(fixture_db, path)
    conn = sqlite3.connect(path)
    columns = [row[1] for row in conn.execute("pragma table_info(tweets)") if row[1] != "id"]
    names = ", ".join(f'"{c}"' for c in columns)
    originals = conn.execute("select count(*) from tweets").fetchone()[0]
    conn.execute(
        f"""
        insert into tweets (id, {names})
        with recursive copies(n) as (select 1 union all select n + 1 from copies where n < ?)
        select 4000000000000000000 + n * ? + row_number() over (order by id), {names}
        from copies, tweets
        """,
        [EXTRA_ROWS // originals + 1, originals],
    )
    conn.commit()
    conn.close()
    return path


@contextlib.contextmanager
def server(db_path, tmp_path, env=None, preexec_fn=None):
    """A site served like the real one; yields (process, port, log path)."""
    port = free_port()
    log = tmp_path / f"server-{port}.log"
    environment = {k: v for k, v in os.environ.items() if not k.startswith("TWEET_ARCHIVE_")}
    environment.update(env or {})
    command = serve_command(site_folder(db_path), "127.0.0.1", port)
    with open(log, "wb") as output:
        process = subprocess.Popen(
            command,
            stdout=subprocess.DEVNULL,
            stderr=output,
            env=environment,
            preexec_fn=preexec_fn,
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/-/versions.json", timeout=5):
                    break
            except OSError:
                assert process.poll() is None, log.read_text()[-2000:]
                assert time.monotonic() < deadline, log.read_text()[-2000:]
                time.sleep(0.1)
        yield process, port, log
    finally:
        process.kill()
        process.wait(10)


def cpu_seconds(pid):
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def open_stream(port, read=1024):
    sock = socket.create_connection(("127.0.0.1", port), timeout=30)
    sock.sendall(STREAM)
    received = b""
    while len(received) < read:
        chunk = sock.recv(65536)
        assert chunk, received
        received += chunk
    assert received.startswith(b"HTTP/1.1 200"), received[:200]
    return sock


def seconds_until_closed(sock, limit, trickle=b"", every=0.2):
    """How long until the server closes `sock` (None: still open after `limit` seconds),
    sending `trickle` every `every` seconds meanwhile."""
    started = time.monotonic()
    while (elapsed := time.monotonic() - started) < limit:
        readable, _, _ = select.select([sock], [], [], every)
        try:
            if readable and not sock.recv(65536):
                return elapsed
            if trickle:
                sock.send(trickle)
        except (ConnectionResetError, BrokenPipeError):
            return elapsed
    return None


@pytest.mark.slow
@pytest.mark.skipif(not PROC.exists(), reason="reads a process's CPU time from /proc")
def test_an_abandoned_csv_stream_stops(big_db, tmp_path):
    with server(big_db, tmp_path) as (process, port, log):
        for _ in range(5):
            open_stream(port).close()
        time.sleep(1)  # the page each stream was on when its client left
        before = cpu_seconds(process.pid)
        time.sleep(3)
        spent = cpu_seconds(process.pid) - before
        # An idle server ticks for a few milliseconds a second; five live streams would take
        # the whole of a core.
        assert spent < 0.5, (spent, log.read_text()[-2000:])
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/archive/tweets.json") as answer:
            assert answer.status == 200


@pytest.mark.slow
def test_sigterm_stops_the_server_within_5_seconds_with_streams_open(big_db, tmp_path):
    with server(big_db, tmp_path) as (process, port, log):
        # Clients that stay and read nothing more: their streams wait on them for ever.
        streams = [open_stream(port) for _ in range(4)]
        started = time.monotonic()
        process.terminate()
        try:
            process.wait(5)
        except subprocess.TimeoutExpired:
            pytest.fail(f"still running 5 s after SIGTERM: {log.read_text()[-2000:]}")
        assert time.monotonic() - started < 5
        for stream in streams:
            stream.close()


# Short enough for a test; the keep-alive shorter, so that it alone can close an idle
# connection that soon.
SHORT = {"TWEET_ARCHIVE_HEADER_TIMEOUT": "2", "TWEET_ARCHIVE_KEEP_ALIVE_TIMEOUT": "0.5"}


@pytest.mark.slow
def test_slow_and_idle_connections_are_closed_after_their_timeouts(fixture_db, tmp_path):
    # A slow request: its headers, or its body, trickled a byte at a time.
    with server(fixture_db, tmp_path, env=SHORT) as (_, port, log):
        trickling = socket.create_connection(("127.0.0.1", port))
        trickling.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
        silent = socket.create_connection(("127.0.0.1", port))
        cut = seconds_until_closed(trickling, limit=6, trickle=b"a")
        assert cut is not None and 1.7 < cut < 5, log.read_text()[-2000:]
        assert seconds_until_closed(silent, limit=1) is not None
        # A body trickled after the headers, even once the page has answered without it.
        body = socket.create_connection(("127.0.0.1", port))
        body.sendall(
            b"GET /-/versions.json HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 999\r\n\r\n"
        )
        cut = seconds_until_closed(body, limit=6, trickle=b"a")
        assert cut is not None and 1.7 < cut < 5, log.read_text()[-2000:]

        idle = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        idle.request("GET", "/-/versions.json")
        assert idle.getresponse().read()
        closed = seconds_until_closed(idle.sock, limit=4)
        # uvicorn's own default is 5 s: the configured half second applies.
        assert closed is not None and 0.3 < closed < 1.6, closed

        # A request whose headers take less than the timeout is answered, and so is the
        # next one on the same connection (its time counts from the previous response).
        slow = socket.create_connection(("127.0.0.1", port), timeout=10)
        request = b"GET /-/versions.json HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
        for _ in range(2):
            for part in (request[:10], request[10:30], request[30:]):
                slow.sendall(part)
                time.sleep(0.25)
            answer = slow.recv(65536)
            assert answer.startswith(b"HTTP/1.1 200"), answer[:100]
        slow.close()


def lower_descriptor_limit():
    import resource

    resource.setrlimit(resource.RLIMIT_NOFILE, (256, 256))


@pytest.mark.slow
def test_slow_connections_beyond_the_cap_do_not_lock_visitors_out(fixture_db, tmp_path):
    # A long header timeout, so that only the connection cap stands between the slow
    # connections and the 256 descriptors the server may have.
    env = {"TWEET_ARCHIVE_HEADER_TIMEOUT": "120"}
    with server(fixture_db, tmp_path, env=env, preexec_fn=lower_descriptor_limit) as running:
        _, port, log = running
        slow = []
        try:
            for n in range(400):
                if n % 8 == 0:
                    time.sleep(0.005)  # as fast as the server accepts, not faster
                sock = socket.create_connection(("127.0.0.1", port), timeout=10)
                sock.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: a")
                slow.append(sock)
            for path in ("/", "/-/versions.json", "/archive/tweets"):
                started = time.monotonic()
                with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10) as page:
                    assert page.status == 200
                assert time.monotonic() - started < 5
            still_open = [s for s in slow if seconds_until_closed(s, limit=0.01) is None]
            assert len(still_open) <= 128
        finally:
            for sock in slow:
                sock.close()
        time.sleep(1)
        lines = log.read_text().splitlines()
        assert not [line for line in lines if "Too many open files" in line]
        assert len(lines) < 30, lines


def test_uvicorn_is_what_the_limits_were_written_for():
    """tweet_site/hooks/server_limits.py extends uvicorn's HTTP/1.1 protocol: an upgrade of
    uvicorn or h11 must fail here first, where what the plugin relies on is listed."""
    pinned = dict(r.split("==") for r in SITE_REQUIREMENTS)
    for package in ("uvicorn", "h11"):
        assert pinned[package] == importlib.metadata.version(package)
    run = inspect.signature(uvicorn.run).parameters
    for option in ("http", "timeout_keep_alive", "timeout_graceful_shutdown", "backlog", "ws"):
        assert option in run
    for method in ("connection_made", "data_received", "on_response_complete", "connection_lost"):
        assert callable(getattr(H11Protocol, method))
    source = inspect.getsource(H11Protocol)
    for attribute in ("self.conn = h11.Connection(", "self.loop = ", "self.transport: "):
        assert attribute in source
    assert h11.IDLE in h11.Connection(h11.SERVER).states.values()


def test_the_limits_are_settable_and_checked(monkeypatch):
    from tweet_site.hooks import server_limits

    assert server_limits.limits({}) == server_limits.LIMITS
    assert server_limits.limits({"header_timeout": 2})["header_timeout"] == 2
    monkeypatch.setenv("TWEET_ARCHIVE_HEADER_TIMEOUT", "0.5")
    assert server_limits.limits({"header_timeout": 2})["header_timeout"] == 0.5
    monkeypatch.setenv("TWEET_ARCHIVE_MAX_CONNECTIONS", "-3")
    with pytest.raises(ValueError, match="max_connections"):
        server_limits.limits({})
    # The cap leaves room for the databases, logs, a file per request and the connections
    # being accepted.
    cap, backlog = server_limits.capacity(1000, 1024)
    assert 2 * cap + 4 * backlog < 1024 - 50
    assert server_limits.capacity(1000, 1_048_576) == (1000, 128)


def test_a_repeated_log_line_is_let_through_once_in_a_while(monkeypatch):
    from tweet_site.hooks import server_limits

    clock = [100.0]
    monkeypatch.setattr(server_limits.time, "monotonic", lambda: clock[0])
    repeats = server_limits.RepeatFilter(interval=5)

    def record(message, level=40):
        return server_limits.logging.LogRecord("asyncio", level, __file__, 1, message, (), None)

    passed = [repeats.filter(record("socket.accept() out of system resource")) for _ in range(1000)]
    assert passed.count(True) == 1
    assert repeats.filter(record("something else"))
    assert repeats.filter(record("an info line", level=20))
    clock[0] += 5
    again = record("socket.accept() out of system resource")
    assert repeats.filter(again)
    assert again.getMessage().endswith("(999 more like this held back)")


def run_wrapped(app, scope, messages, delay=0.05):
    """Calls the disconnect watcher around `app` with a receive() giving `messages`, the
    last one after `delay` seconds; returns what the app sent."""
    from tweet_site.hooks import stop_on_disconnect

    sent = []

    async def receive():
        if len(messages) == 1:
            await asyncio.sleep(delay)
        return messages.pop(0)

    async def send(message):
        sent.append(message)

    asyncio.run(stop_on_disconnect.asgi_wrapper()(app)(scope, receive, send))
    return sent


def test_a_page_stops_when_its_client_leaves():
    async def endless(scope, receive, send):
        await send({"type": "http.response.start", "status": 200, "headers": []})
        while True:
            await send({"type": "http.response.body", "body": b"x", "more_body": True})
            await asyncio.sleep(0.001)

    messages = [{"type": "http.request", "body": b""}, {"type": "http.disconnect"}]
    sent = run_wrapped(endless, {"type": "http", "method": "GET"}, messages)
    assert 3 < len(sent) < 1000


def test_a_finished_page_and_a_posted_form_are_left_alone():
    async def form(scope, receive, send):
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": body})

    posted = [
        {"type": "http.request", "body": b"a=1&", "more_body": True},
        {"type": "http.request", "body": b"b=2"},
    ]
    sent = run_wrapped(form, {"type": "http", "method": "POST"}, posted, delay=0)
    assert sent[-1]["body"] == b"a=1&b=2"
    got = [{"type": "http.request", "body": b""}, {"type": "http.disconnect"}]
    sent = run_wrapped(form, {"type": "http", "method": "GET"}, got, delay=0)
    assert [m["type"] for m in sent] == ["http.response.start", "http.response.body"]


@pytest.mark.asyncio
async def test_the_in_process_client_still_gets_whole_csv_streams(fixture_db, metadata):
    ds = make_datasette(fixture_db, metadata)
    rows = (await ds.client.get("/archive/tweets.json?_shape=array&_size=max")).json()
    response = await ds.client.get("/archive/tweets.csv?_stream=on")
    assert response.status_code == 200
    assert len(list(csv.reader(io.StringIO(response.text)))) == len(rows) + 1
