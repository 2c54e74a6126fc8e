"""Load-test phase (issue 15, item 5): abandoned CSV streams.

STREAMS clients each ask for the whole tweets table as a CSV stream (`?_stream=on`) and hang
up after 1 KB, as a browser does when its user cancels a download. Before the fix, each went on
paging through the table for nobody (ten cost the server 85 CPU-seconds). Target: together they
cost the server under TARGET_CPU CPU-seconds from the moment their clients left.
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

STREAMS = 10
WINDOW = 10.0
TARGET_CPU = 1.0
STREAM = "/archive/tweets.csv?_stream=on"


def cpu_seconds(pid: int) -> float:
    """User and system CPU time of a process so far (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def address(base: str) -> tuple[str, int]:
    host, port = base.removeprefix("http://").split(":")
    return host, int(port)


def open_stream(base: str, read: int = 1024) -> socket.socket:
    """A connection that has asked for the CSV stream and read `read` bytes of it."""
    sock = socket.create_connection(address(base), timeout=60)
    sock.sendall(f"GET {STREAM} HTTP/1.1\r\nHost: {address(base)[0]}\r\n\r\n".encode())
    received = 0
    while received < read:
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError(f"{STREAM} ended after {received} bytes")
        received += len(chunk)
    return sock


def seconds_to_get(url: str) -> float:
    started = time.perf_counter()
    with urllib.request.urlopen(url, timeout=60) as response:
        response.read()
    return time.perf_counter() - started


def phase(base: str, site: Path, server: subprocess.Popen) -> list[str]:
    stats_before = seconds_to_get(base + "/stats")
    for _ in range(STREAMS):
        open_stream(base).close()
    left = cpu_seconds(server.pid)
    time.sleep(WINDOW)
    spent = cpu_seconds(server.pid) - left
    stats_after = seconds_to_get(base + "/stats")
    print(
        f"\nabandoned streams: {STREAMS} CSV streams closed after 1 KB; the server's CPU in the "
        f"{WINDOW:g} s after: {spent:.2f} s (target < {TARGET_CPU:g} s); /stats before "
        f"{stats_before * 1000:.0f} ms, after {stats_after * 1000:.0f} ms"
    )
    if spent >= TARGET_CPU:
        return [f"abandoned streams cost {spent:.2f} CPU-seconds after their clients left"]
    return []
