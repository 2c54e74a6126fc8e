"""Latency of the site's pages on large archives of both formats: p50 and p95 of repeated requests.

    python bench/site_speed.py [--tweets N] [--format Markdown|official] [--repeat N]
    python bench/site_speed.py --db PATH [--db PATH] # already built databases, as they are

Without --db it measures two generated archives of N tweets (default 1,000,000), each built
once and cached under build/ until the build's code or the generators change: the Markdown
one (bench/build_speed.py's generator, publish_speed's cached database) and an official
export whose tweets mention 140,000 accounts, as a real export's do (its users table is that
big: what the Markdown one, with a thousand accounts, never shows). Each is served the way
`make publish` does: immutable, with precomputed counts, the project's metadata, plugins,
templates and settings, in a real `datasette` process. Each page is requested sequentially
--repeat times after one warm-up request.

The home page is also timed against the floor, in the same run: the simplest server of the
same page (http.server and sqlite3 in a child process: the build's one-row totals, the month
and hour summaries and the owners, escaped into a bare page), so the ratio says what the site
adds on whatever machine runs it. Target: home p95 <= 50 ms at a million tweets, both formats.
"""

from __future__ import annotations

import argparse
import html
import http.server
import json
import os
import re
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import yaml
from publish_speed import cached_database, fingerprint

from etl import site
from etl.site import free_port, start

ROOT = Path(__file__).resolve().parent.parent
BENCH = Path(__file__).resolve().parent
CACHE = ROOT / "build" / "site_speed"
FORMATS = ("Markdown", "official")
# Accounts an official export's mentions name at a million tweets (142,316 in the one that
# showed home scanning users).
ACCOUNTS = 140_000


def q(path, **params):
    return path + "?" + urllib.parse.urlencode(params)


PAGES = [
    ("home page", "/"),
    ("search 'the' (in ~45% of tweets)", q("/archive/search", q="the")),
    ("search 'the', JSON", q("/archive/search.json", q="the", _shape="array")),
    ("search 'fox' (common)", q("/archive/search", q="fox")),
    ("search 'tag7' (rare)", q("/archive/search", q="tag7")),
    ('search "quick brown" (phrase)', q("/archive/search", q='"quick brown"')),
    ("search run* (prefix)", q("/archive/search", q="run*")),
    ("search 'the -fox' (exclusion)", q("/archive/search", q="the -fox")),
    ("search タワー (trigram)", q("/archive/search", q="タワー")),
    ("search 東京 (2 chars: substring scan)", q("/archive/search", q="東京")),
    ("search 'zzqx' (no match)", q("/archive/search", q="zzqx")),
    ("search feed 'fox' (atom)", q("/archive/search_feed.atom", q="fox")),
    ("tweets table (facets from summary)", "/archive/tweets"),
    ("tweets table, one year", q("/archive/tweets", created_at__gte="2016", created_at__lt="2017")),
    ("tweets table ?_search=the&kind=tweet", q("/archive/tweets", _search="the", kind="tweet")),
    ("plain Datasette ?_search=the (JSON)", q("/archive/tweets.json", _search="the")),
    ("latest tweets feed (atom)", "/archive/latest.atom"),
    ("on_this_day 06-05 (JSON)", q("/on-this-day.json", date="06-05")),
    ("top_hashtags", "/archive/top_hashtags"),
    ("top_mentions", "/archive/top_mentions"),
    ("top_mentions in 2016", q("/archive/top_mentions", since="2016", until="2016")),
    ("activity (JSON)", "/timeline.json"),
    ("activity dashboard", "/-/dashboards/activity"),
    # Reader pages (issue 10): what a visitor reaches from the home page.
    ("reader: timeline", "/timeline"),
    ("reader: timeline year 2016", "/timeline/2016"),
    ("reader: timeline month 2016-06", "/timeline/2016/06"),
    ("reader: on this day 06-05", q("/on-this-day", date="06-05")),
    ("reader: most liked", "/most-liked"),
    ("reader: quotes", "/quotes"),
    ("reader: threads", "/threads"),
    ("reader: media", "/media"),
    ("reader: stats", "/stats"),
    ("reader search 'the'", q("/search", q="the")),
    ("reader search 'the', newest first", q("/search", q="the", sort="newest")),
    (
        "reader search 'the', tweets only, 2016",
        q("/search", q="the", kind="tweet", since="2016-01-01", until="2016-12-31"),
    ),
    ("reader search 'fox', oldest first", q("/search", q="fox", sort="oldest")),
    ("reader search 東京", q("/search", q="東京")),
]
# Pages reached by following "next" links this many times: as fast as the first page.
DEEP_PAGES = [
    ("reader: timeline year 2016, page 50", "/timeline/2016", 49),
    ("reader search 'the', page 50", q("/search", q="the"), 49),
    ("reader search 'the' newest first, page 50", q("/search", q="the", sort="newest"), 49),
]
NEXT_LINK = re.compile(r'<a\b[^>]*\brel="next"[^>]*>|<link\b[^>]*\brel="next"[^>]*>')
HREF = re.compile(r'\bhref="([^"]*)"')


def cached_official(tweets: int) -> Path:
    """The official export of `tweets` generated tweets mentioning ACCOUNTS accounts, built
    once and kept in CACHE until the build's code or the generator changes (as
    publish_speed.py keeps the Markdown one)."""
    db = CACHE / f"official-{tweets}.db"
    stamp = CACHE / f"official-{tweets}.fingerprint"
    current = fingerprint()
    if db.exists() and stamp.exists() and stamp.read_text() == current:
        print(f"using the cached {db.relative_to(ROOT)}", flush=True)
        return db
    stamp.unlink(missing_ok=True)
    CACHE.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=CACHE) as tmp:
        source = Path(tmp) / "export"
        print(f"generating {tweets:,} tweets mentioning {ACCOUNTS:,} accounts…", flush=True)
        # In a child process, run in bench/ (first on its path): the generator's memory is its.
        code = (
            "import sys; from pathlib import Path; import build_speed; "
            "build_speed.generate_official_export(Path(sys.argv[1]), int(sys.argv[2]), "
            "int(sys.argv[3]))"
        )
        arguments = [str(source.absolute()), str(tweets), str(ACCOUNTS)]
        subprocess.run([sys.executable, "-c", code, *arguments], check=True, cwd=BENCH)
        started = time.perf_counter()
        etl = [sys.executable, "-m", "etl", "build", str(db), str(source), "--quiet"]
        subprocess.run(etl, cwd=ROOT, check=True)
        print(f"built {db.relative_to(ROOT)} in {time.perf_counter() - started:.0f}s", flush=True)
    stamp.write_text(current)
    return db


def serve(db: Path, folder: Path) -> tuple[subprocess.Popen, str]:
    """The site exactly as `make publish` serves it (etl/site.py): `folder`, which holds the
    database, made the site's configuration directory (precomputed counts included)."""
    assert db.parent == folder
    site.write_config(folder, yaml.safe_load(site.METADATA.read_text()))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    return start(site.serve_command(folder, "127.0.0.1", port), base, seconds=60), base


def fetch(url: str) -> tuple[float, int | str]:
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            response.read()
            status = response.status
    except urllib.error.HTTPError as e:
        status = e.code
    except TimeoutError:  # a miss like any other: the run goes on to the next page
        status = "timeout"
    return (time.perf_counter() - started) * 1000, status


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


# p95 targets (ms) at a million tweets on two cores (issue 10): home 50 (issue 18), every
# reader page 300, search 100 whatever the sort and filters, a table search with filters 500.
TARGETS_MS = {
    # Issue 18: home at a million tweets, whatever the users table holds (both formats).
    "home page": 50,
    "search 'the' (in ~45% of tweets)": 100,
    "search 'the', JSON": 100,
    "search 'fox' (common)": 100,
    "search 'tag7' (rare)": 100,
    "search タワー (trigram)": 100,
    "tweets table (facets from summary)": 300,
    "tweets table ?_search=the&kind=tweet": 500,
    "tweet page": 300,
    "user page of the owner": 300,
    "user page of the most mentioned account": 300,
    "reader: hashtag tag7": 300,
    **{name: 300 for name, _ in PAGES if name.startswith("reader:")},
    **{name: 100 for name, _ in PAGES if name.startswith("reader search")},
    **{name: 300 for name, _, _ in DEEP_PAGES if name.startswith("reader:")},
    **{name: 100 for name, _, _ in DEEP_PAGES if name.startswith("reader search")},
}


def deep_page(base: str, path: str, hops: int) -> str:
    """The path `hops` "next" links after `path`; a page without one leads to a path that
    answers 404, so the result shows a miss: the bench's archive has that many pages."""
    for _ in range(hops):
        try:
            with urllib.request.urlopen(base + path, timeout=60) as response:
                page = response.read().decode()
        except urllib.error.HTTPError:  # a smaller archive than the bench's: no such year
            page = ""
        link = NEXT_LINK.search(page)
        href = HREF.search(link.group(0)) if link else None
        if href is None:
            return "/-/no-next-link-after/" + urllib.parse.quote(path, safe="")
        path = href.group(1).replace("&amp;", "&")
    return path


def floor_page(conn: sqlite3.Connection) -> bytes:
    """The floor's home page: what the site's home says, from the same tables, in a bare page."""
    totals = conn.execute("select tweets, first_tweet_at, last_tweet_at from archive_totals")
    tweets, first, last = totals.fetchone()
    months = conn.execute("select month, tweets, replies, retweets from tweets_per_month")
    hours = conn.execute("select weekday, day, hour, tweets from tweets_per_hour")
    owners = conn.execute(
        "select id, screen_name, name from users where is_owner = 1 order by screen_name"
    )
    lines = [f"<h1>{tweets:,} tweets from {html.escape(first)} to {html.escape(last)}</h1>"]
    lines += [f"<p>@{html.escape(name)} {html.escape(full or '')}</p>" for _, name, full in owners]
    lines += [f"<li>{html.escape(m)}: {n} ({r} replies, {t} retweets)" for m, n, r, t in months]
    lines += [f"<li>{d} {h}: {n}" for _, d, h, n in hours]
    return ("<!DOCTYPE html>\n" + "\n".join(lines)).encode()


def serve_floor(db: str, port: str) -> None:
    """The floor's server (run in a child process): one thread, one read-only connection."""
    conn = sqlite3.connect(f"file:{db}?mode=ro&immutable=1", uri=True)

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            body = floor_page(conn)
            self.send_response(200)
            self.send_header("content-type", "text/html; charset=utf-8")
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    http.server.HTTPServer(("127.0.0.1", int(port)), Handler).serve_forever()


def timings_of(url: str, repeat: int) -> tuple[list[float], set[int]]:
    fetch(url)
    timings, statuses = [], set()
    for _ in range(repeat):
        ms, status = fetch(url)
        timings.append(ms)
        statuses.add(status)
    return timings, statuses


def home_floor(db: Path, repeat: int) -> list[float]:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    process = start([sys.executable, __file__, "--serve-floor", str(db), str(port)], base)
    try:
        return timings_of(base + "/", repeat)[0]
    finally:
        process.terminate()
        process.wait()


def measure(label: str, db_path: Path, repeat: int, only: list[str]) -> list[dict]:
    """Every page of the site serving `db_path`, then the floor's home page."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        db = folder / "archive.db"
        os.symlink(db_path.resolve(), db)
        with sqlite3.connect(db) as conn:
            count = conn.execute("select count(*) from tweets").fetchone()[0]
            users = conn.execute("select count(*) from users").fetchone()[0]
            tweet = conn.execute("select max(id) from tweets").fetchone()[0]
            owner = conn.execute("select id from users where is_owner = 1").fetchone()[0]
            friend = conn.execute("select user_id from mention_counts limit 1").fetchone()[0]
        pages = [
            *PAGES,
            ("tweet page", f"/archive/tweets/{tweet}"),
            ("user page of the owner", f"/archive/users/{owner}"),
            ("user page of the most mentioned account", f"/archive/users/{friend}"),
            ("reader: hashtag tag7", "/hashtag/tag7"),
        ]
        process, base = serve(db, folder)
        results = []
        try:
            pages += [
                (name, deep_page(base, path, hops))
                for name, path, hops in DEEP_PAGES
                if not only or any(word in name for word in only)
            ]
            print(
                f"\n{label}: {int(count):,} tweets, {int(users):,} accounts; {repeat} requests "
                "per page, after one warm-up\n"
            )
            print(f"{'page':<42} {'status':>6} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} target")
            for name, path in pages:
                if only and not any(word in name for word in only):
                    continue
                timings, statuses = timings_of(base + path, repeat)
                row = {
                    "format": label,
                    "page": name,
                    "path": path,
                    "status": ",".join(sorted(map(str, statuses))),
                    "p50_ms": round(statistics.median(timings), 1),
                    "p95_ms": round(percentile(timings, 0.95), 1),
                    "max_ms": round(max(timings), 1),
                }
                target = TARGETS_MS.get(name)
                row["target_ms"] = target
                row["met"] = target is None or (row["p95_ms"] <= target and row["status"] == "200")
                results.append(row)
                verdict = (
                    "" if target is None else f"  <= {target} {'ok' if row['met'] else 'MISSED'}"
                )
                print(
                    f"{name:<42} {row['status']:>6} {row['p50_ms']:>8.1f} {row['p95_ms']:>8.1f} "
                    f"{row['max_ms']:>8.1f}{verdict}",
                    flush=True,
                )
        finally:
            process.terminate()
            process.wait()
        home = next((row for row in results if row["page"] == "home page"), None)
        if home is None:
            return results
        floor = home_floor(db, repeat)
        home["floor_p50_ms"] = round(statistics.median(floor), 1)
        home["floor_p95_ms"] = round(percentile(floor, 0.95), 1)
        home["ratio_p95"] = round(home["p95_ms"] / home["floor_p95_ms"], 1)
        print(
            f"{'home page: the floor (http.server, sqlite3)':<42} {'200':>6} "
            f"{home['floor_p50_ms']:>8.1f} {home['floor_p95_ms']:>8.1f} {max(floor):>8.1f}  "
            f"site/floor p95: {home['ratio_p95']:.1f}x",
            flush=True,
        )
        return results


def main() -> None:
    if sys.argv[1:2] == ["--serve-floor"]:
        serve_floor(*sys.argv[2:4])
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--tweets", type=int, default=1_000_000, help="size of the generated archives"
    )
    parser.add_argument("--format", choices=FORMATS, help="one generated archive, not both")
    parser.add_argument(
        "--db",
        type=Path,
        action="append",
        help="an already built database, measured as it is (repeatable)",
    )
    parser.add_argument("--repeat", type=int, default=20, help="requests per page")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument(
        "--page", action="append", default=[], help="only the pages whose name has this"
    )
    args = parser.parse_args()
    if args.db:
        databases = [(db.name, db) for db in args.db]
    else:
        makers = {"Markdown": cached_database, "official": cached_official}
        formats = [args.format] if args.format else FORMATS
        databases = [(fmt, makers[fmt](args.tweets)) for fmt in formats]
    results = []
    for label, db in databases:
        results += measure(label, db, args.repeat, args.page)
    print("\nhome page, p95 target <= 50 ms:")
    for row in results:
        if row["page"] == "home page":
            print(
                f"  {row['format']:<10} p50 {row['p50_ms']:.1f} ms, p95 {row['p95_ms']:.1f} ms "
                f"({'ok' if row['met'] else 'MISSED'}); the floor's p95 {row['floor_p95_ms']:.1f}"
                f" ms: {row['ratio_p95']:.1f}x"
            )
    if args.json:
        print(json.dumps(results, indent=2))
    missed = [f"{row['page']} ({row['format']})" for row in results if not row["met"]]
    if missed:
        raise SystemExit(f"missed targets: {', '.join(missed)}")


if __name__ == "__main__":
    main()
