"""Load-test phase (issue 15, item 8): slow clients.

SLOW connections each send the start of a request and then one more header byte a second, never
finishing their headers (slowloris), more than the server's descriptor limit allows at once.
Meanwhile VISITORS clients keep asking for ordinary pages, each on a new connection. Before the
fix the slow connections were held for ever, filled the server's descriptors (normal requests
failed) and the server logged "Too many open files" without end. Targets: every slow
connection is cut within the header timeout (plus SLACK seconds) of opening; the visitors get
no error and a p95 of at most TARGET_P95_MS; the server's log grows by at most LOG_LINES lines.
"""

from __future__ import annotations

import http.client
import random
import re
import selectors
import socket
import sqlite3
import subprocess
import threading
import time
from pathlib import Path

SLOW = 2000
VISITORS = 4
SLACK = 2.0
TARGET_P95_MS = 1000
LOG_LINES = 50
# What the served site says of its limits when it starts (plugins/server_limits.py).
LIMITS_LINE = re.compile(r"Limits: (\d+) connections, requests within ([\d.]+) s")
DEFAULT_TIMEOUT = 10.0


def raise_own_descriptor_limit(wanted: int) -> int:
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < wanted:
        soft = min(wanted, hard) if hard != resource.RLIM_INFINITY else wanted
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
    return soft


def visitor_pages(site: Path) -> list[str]:
    with sqlite3.connect(site / "archive.db") as conn:
        ids = [r[0] for r in conn.execute("select id from tweets order by random() limit 50")]
    conn.close()
    return ["/", "/timeline", *(f"/archive/tweets/{i}" for i in ids)]


def visit(host, port, pages, deadline, results, number):
    rng = random.Random(number)
    while time.monotonic() < deadline:
        path = rng.choice(pages)
        started = time.perf_counter()
        conn = http.client.HTTPConnection(host, port, timeout=30)
        try:
            conn.request("GET", path, headers={"Connection": "close"})
            response = conn.getresponse()
            response.read()
            status = response.status
        except (OSError, http.client.HTTPException) as error:
            status = type(error).__name__
        finally:
            conn.close()
        results.append((path, status, (time.perf_counter() - started) * 1000))


class SlowClients:
    """SLOW connections trickling header bytes; records when each opened and was cut."""

    def __init__(self, host, port):
        self.host, self.port = host, port
        self.selector = selectors.DefaultSelector()
        self.opened, self.cut = {}, {}
        self.refused = 0

    def open_all(self, count):
        for n in range(count):
            if n % 8 == 0:
                time.sleep(0.005)  # as fast as the server accepts them, not faster
                self.watch(0)
            try:
                sock = socket.create_connection((self.host, self.port), timeout=10)
                sock.sendall(f"GET / HTTP/1.1\r\nHost: {self.host}\r\nX-Slow: ".encode())
            except OSError:
                self.refused += 1
                continue
            sock.setblocking(False)
            self.opened[sock] = time.monotonic()
            self.selector.register(sock, selectors.EVENT_READ)

    def watch(self, seconds):
        for key, _ in self.selector.select(seconds):
            try:
                closed = not key.fileobj.recv(65536)
            except BlockingIOError:
                closed = False
            except OSError:
                closed = True
            if closed:
                self.close(key.fileobj)

    def close(self, sock):
        self.cut[sock] = time.monotonic()
        self.selector.unregister(sock)
        sock.close()

    def trickle(self):
        for sock in [s for s in self.opened if s not in self.cut]:
            try:
                sock.send(b"a")
            except BlockingIOError:
                pass
            except OSError:
                self.close(sock)

    def run_until(self, deadline):
        while time.monotonic() < deadline and len(self.cut) < len(self.opened):
            next_byte = time.monotonic() + 1
            while time.monotonic() < min(next_byte, deadline):
                self.watch(0.1)
            self.trickle()

    def held(self, now):
        """Seconds each connection stayed open (to `now` for those still open)."""
        return sorted(self.cut.get(s, now) - opened for s, opened in self.opened.items())

    def close_all(self):
        for sock in [s for s in self.opened if s not in self.cut]:
            self.selector.unregister(sock)
            sock.close()
        self.selector.close()


def served_limits(log: Path) -> tuple[int | None, float]:
    """The server's connection cap and header timeout, as it said when it started (a server
    that did not say is held to the default timeout)."""
    found = LIMITS_LINE.search(log.read_text(errors="replace"))
    return (int(found[1]), float(found[2])) if found else (None, DEFAULT_TIMEOUT)


def phase(base: str, site: Path, server: subprocess.Popen) -> list[str]:
    host, port = base.removeprefix("http://").split(":")
    port = int(port)
    cap, timeout = served_limits(server.log)
    count = min(SLOW, raise_own_descriptor_limit(SLOW + 200) - 200)
    log_before = len(server.log.read_text(errors="replace").splitlines())
    pages = visitor_pages(site)
    results = []
    started = time.monotonic()
    deadline = started + timeout + SLACK + 5
    visitors = [
        threading.Thread(target=visit, args=(host, port, pages, deadline, results, n))
        for n in range(VISITORS)
    ]
    for thread in visitors:
        thread.start()
    slow = SlowClients(host, port)
    try:
        slow.open_all(count)
        opening = time.monotonic() - started
        slow.run_until(deadline)
        held = slow.held(time.monotonic())
    finally:
        slow.close_all()
    for thread in visitors:
        thread.join()
    time.sleep(1)
    log_lines = server.log.read_text(errors="replace").splitlines()[log_before:]
    times = sorted(ms for _, _, ms in results)
    errors = [r for r in results if r[1] != 200]
    p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))] if times else float("inf")
    early = sum(1 for h in held if h < timeout - 1)
    print(
        f"\nslow clients: {len(slow.opened):,} connections trickling headers "
        f"({slow.refused} refused), opened in {opening:.1f} s; the server holds "
        f"{cap or 'an unknown number of'} connections and gives headers {timeout:g} s\n"
        f"  cut: {len(slow.cut):,}, {early:,} of them early to make room; held median "
        f"{held[len(held) // 2]:.1f} s, max {held[-1]:.1f} s (target ≤ {timeout + SLACK:g} s)\n"
        f"  visitors meanwhile: {len(results)} requests, {len(errors)} errors, p50 "
        f"{times[len(times) // 2] if times else 0:.0f} ms, p95 {p95:.0f} ms, max "
        f"{times[-1] if times else 0:.0f} ms (target: no error, p95 ≤ {TARGET_P95_MS} ms)\n"
        f"  server log: {len(log_lines)} lines (target ≤ {LOG_LINES})"
    )
    failures = []
    if not held or held[-1] > timeout + SLACK:
        failures.append(f"a slow connection was held {held[-1] if held else 0:.1f} s")
    if errors or not results or p95 > TARGET_P95_MS:
        failures.append(f"visitors: {len(errors)} errors, p95 {p95:.0f} ms during slow clients")
        for path, status, ms in errors[:5]:
            print(f"  {path} -> {status} in {ms:.0f} ms")
    if len(log_lines) > LOG_LINES:
        failures.append(f"the server logged {len(log_lines)} lines during slow clients")
    return failures
