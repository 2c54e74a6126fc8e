"""Costly searches against a visitor: hostile clients repeat the costliest searches while a
visitor browses, and the visitor must not notice.

    python bench/load_search.py [--tweets N] [--seconds S] [--clients N]

Alone, it serves the cached published site of N tweets (bench/loadtest.py's
`published_site`, built when missing) like `make loadtest` does; `make loadtest` runs
`phase()` after its normal load, on the site it serves.

For about 30 s, CLIENTS threads (4) each repeat the costliest searches found (the hostile
ones of issue 15: 200 one-letter prefixes, a* OR b* … z*, 300 emoji joined by OR; and those
the limits still let through, each the costliest of its kind at a million tweets: a
substring check of every tweet in Python, the substring index's candidates each checked in
Python, a phrase of ten common words, raw FTS5 syntax on the tweets table, SQL running to
the time limit) on the reader page, the canned queries, the feed and the tweets table. One
visitor thread meanwhile browses home, tweet pages, timeline months and ordinary searches,
one request at a time.

Targets: the visitor's p95 <= 1 s; no answer is a 500 or a failed connection; every hostile
request is answered (200, 400 or 503) within its time budget plus a margin.
"""

from __future__ import annotations

import argparse
import http.client
import random
import sqlite3
import statistics
import subprocess
import threading
import time
import urllib.parse
from pathlib import Path

from timing import percentile, timed_get

from etl.site import SETTINGS
from tweet_site.search_budget import BUDGET_SECONDS, WAIT_SHARE

ROOT = Path(__file__).resolve().parent.parent

SECONDS = 30
CLIENTS = 4
VISITOR_P95_MS = 1000
# Rendering, the GIL shared with the costly search, one uninterruptible step of SQLite.
MARGIN_SECONDS = 1.0
# The reader page fits its wait for a slot into its budget; Datasette's own pages (canned
# queries, the table, SQL) wait for one, then give each statement the SQL time limit.
LIMITS = {
    "reader": BUDGET_SECONDS + MARGIN_SECONDS,
    "datasette": BUDGET_SECONDS * WAIT_SHARE
    + SETTINGS["sql_time_limit_ms"] / 1000
    + MARGIN_SECONDS,
}
ANSWERS = {200, 400, 503}
LETTERS = "abcdefghijklmnopqrstuvwxyz"
COMMON = "the quick brown fox jumps over lazy dog datasette sqlite"


def q(path, **params):
    return path + "?" + urllib.parse.urlencode(params)


def hostile_searches() -> list[str]:
    prefixes = " ".join(LETTERS[i % 26] + "*" for i in range(200))
    alternatives = " OR ".join(c + "*" for c in LETTERS)
    emoji = " OR ".join(chr(0x1F600 + i % 80) for i in range(300))
    return [
        prefixes,
        alternatives,
        emoji,
        "ab 東",  # every tweet with 東 (half of them) checked in Python, none matches
        "ab東京タワー",  # the substring index's candidates, each checked in Python
        f'"{COMMON}"',  # ten lookups, positions compared
        "qu* br* fo*",  # three prefixes the word index doesn't hold
    ]


def hostile_paths() -> list[tuple[str, str]]:
    """(route kind, address) of every hostile request."""
    searches = hostile_searches()
    paths = [("reader", q("/search", q=s)) for s in searches]
    # The costliest searches that don't count as costly (search_query.costly): they never
    # wait for a slot.
    paths.append(("reader", q("/search", q='"lazy dog jumps over"', kind="-reply-retweet")))
    paths.append(("reader", q("/search", q="qui* bro* laz* dog", kind="retweet")))
    paths += [("reader", q("/search", q=s, sort="newest", kind="-reply")) for s in searches[3:5]]
    for s in searches[2:]:
        paths.append(("datasette", q("/archive/search", q=s)))
        paths.append(("datasette", q("/archive/search_feed.atom", q=s)))
        paths.append(("datasette", q("/archive/tweets", _search=s, _sort_desc="id")))
    for raw in (searches[0], "qu* br* fo*"):
        paths.append(
            ("datasette", q("/archive/tweets", _search=raw, _searchmode="raw", _sort="id"))
        )
    slow_sql = (
        "with recursive n(i) as (select 1 union all select i + 1 from n where i < 100000000)"
        " select count(*) from n"
    )
    paths.append(("datasette", q("/archive.json", sql=slow_sql)))
    return paths


def visitor_paths(site: Path) -> list[str]:
    with sqlite3.connect(site / "archive.db") as conn:
        ids = [r[0] for r in conn.execute("select id from tweets order by random() limit 50")]
        months = [
            r[0]
            for r in conn.execute(
                "select distinct substr(created_at, 1, 7) from tweets order by 1 limit 24"
            )
        ]
    conn.close()
    pages = ["/"]
    pages += [f"/archive/tweets/{i}" for i in ids[:10]]
    pages += [f"/timeline/{m[:4]}/{m[5:]}" for m in months[:5]]
    pages += [q("/search", q=s) for s in ("fox", "quick brown", "lazy dog", "run*", "東京タワー")]
    return pages


def loop(base, paths, deadline, results, lock, seed):
    """Requests `paths` one after another (from a random start) until `deadline`."""
    host, port = base.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=60)
    order = list(paths)
    random.Random(seed).shuffle(order)
    mine, n = [], 0
    while time.monotonic() < deadline:
        kind, path = order[n % len(order)]
        n += 1
        status, ms = timed_get(conn, path)
        mine.append((kind, path, status, ms))
    conn.close()
    with lock:
        results.extend(mine)


def summary(name, done):
    times = sorted(r[3] for r in done)
    if not times:
        return f"{name:<12} no requests"
    counts = {s: sum(1 for r in done if r[2] == s) for s in sorted({r[2] for r in done}, key=str)}
    return (
        f"{name:<12} {len(done):>5} requests  p50 {statistics.median(times):6.0f} ms  "
        f"p95 {percentile(times, 0.95):6.0f} ms  max {times[-1]:6.0f} ms  statuses {counts}"
    )


def rss_mb(process):
    try:
        with open(f"/proc/{process.pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS"):
                    return int(line.split()[1]) // 1024
    except OSError:
        return None


def phase(
    base: str,
    site: Path,
    server: subprocess.Popen,
    seconds: float = SECONDS,
    clients: int = CLIENTS,
) -> list[str]:
    """Run the hostile load against the site served at `base`; the failure lines (none when
    every target is met)."""
    hostile = hostile_paths()
    visitor = [("visitor", path) for path in visitor_paths(site)]
    results, lock = [], threading.Lock()
    # Alone first: what a visitor's pages cost on this machine now, for comparison.
    calm = []
    loop(base, visitor, time.monotonic() + min(10, seconds / 3), calm, lock, 0)
    memory = rss_mb(server)
    deadline = time.monotonic() + seconds
    threads = [
        threading.Thread(target=loop, args=(base, hostile, deadline, results, lock, n + 1))
        for n in range(clients)
    ]
    threads.append(threading.Thread(target=loop, args=(base, visitor, deadline, results, lock, 0)))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 120)
    visits = [r for r in results if r[0] == "visitor"]
    attacks = [r for r in results if r[0] != "visitor"]
    print(f"\nsearch load: {clients} clients repeating costly searches for {seconds:g}s")
    print(f"server memory: {memory} MB before, {rss_mb(server)} MB after")
    print(summary("visitor calm", calm))
    print(summary("visitor", visits))
    for kind in LIMITS:
        print(summary(kind, [r for r in attacks if r[0] == kind]))
    failures = []
    times = sorted(r[3] for r in visits)
    if not times:
        failures.append("search load: the visitor got no answer")
    elif percentile(times, 0.95) > VISITOR_P95_MS:
        failures.append(
            f"search load: visitor p95 {percentile(times, 0.95):.0f} ms > {VISITOR_P95_MS} ms"
        )
    for _, path, status, _ in visits:
        if status != 200:
            failures.append(f"search load: visitor {path} -> {status}")
    for kind, path, status, ms in attacks:
        if status not in ANSWERS:
            failures.append(f"search load: {path[:100]} -> {status}")
        elif ms > LIMITS[kind] * 1000:
            failures.append(
                f"search load: {path[:100]} -> {status} in {ms:.0f} ms > {LIMITS[kind]:g} s"
            )
    if server.poll() is not None:
        failures.append(f"search load: the server stopped ({server.returncode})")
    return failures


def main() -> None:
    from loadtest import published_site, serve

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tweets", type=int, default=1_000_000, help="size of the archive")
    parser.add_argument("--seconds", type=float, default=SECONDS, help="how long the load lasts")
    parser.add_argument("--clients", type=int, default=CLIENTS, help="hostile clients")
    args = parser.parse_args()
    site = published_site(args.tweets)
    process, base = serve(site)
    try:
        failures = phase(base, site, process, args.seconds, args.clients)
    finally:
        process.terminate()
        process.wait(timeout=30)
    for line in failures[:20]:
        print(" ", line)
    print(
        f"\ntarget: visitor p95 <= {VISITOR_P95_MS} ms, no 500, every hostile request "
        f"answered in time: {len(failures)} failures"
    )
    if failures:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
