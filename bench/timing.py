"""What the load phases share: one timed request on a keep-alive connection, and percentiles."""

from __future__ import annotations

import http.client
import time


def timed_get(conn: http.client.HTTPConnection, path: str) -> tuple[int | str, float]:
    """(status, milliseconds) of GET `path`, the body read; a failure's status is the name of
    its exception. The connection is closed when the server or a failure ends it, and opens
    again by itself on the next request."""
    started = time.perf_counter()
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        response.read()
        status = response.status
        if response.getheader("connection", "").lower() == "close":
            conn.close()
    except (OSError, http.client.HTTPException) as error:
        status = type(error).__name__
        conn.close()
    return status, (time.perf_counter() - started) * 1000


def percentile(ordered: list[float], fraction: float) -> float:
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]
