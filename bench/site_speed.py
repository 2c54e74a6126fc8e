"""Latency of the site's pages on a large archive: p50 and p95 over repeated requests.

    python bench/site_speed.py [--tweets N | --db PATH] [--repeat N]

Without --db it generates an archive of N tweets (bench/build_speed.py's generator),
builds it, and serves it the way `make publish` does: immutable, with precomputed counts,
the project's metadata, plugins, templates and settings, in a real `datasette` process.
Each page is requested sequentially --repeat times after one warm-up request.
"""

from __future__ import annotations

import argparse
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
from build_speed import generate_markdown_archive

from etl import site
from etl.site import free_port, start

ROOT = Path(__file__).resolve().parent.parent


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


def build(tweets: int, folder: Path) -> Path:
    archive = folder / "archive-src"
    archive.mkdir()
    print(f"generating {tweets:,} tweets…", flush=True)
    generate_markdown_archive(archive, tweets)
    db = folder / "archive.db"
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "etl", "build", str(db), str(archive), "--quiet"],
        cwd=ROOT,
        check=True,
    )
    print(f"built {db} in {time.perf_counter() - started:.0f}s", flush=True)
    return db


def serve(db: Path, folder: Path) -> tuple[subprocess.Popen, str]:
    """The site exactly as `make publish` serves it (etl/site.py): `folder`, which holds the
    database, made the site's configuration directory (precomputed counts included)."""
    assert db.parent == folder
    site.write_config(folder, yaml.safe_load(site.METADATA.read_text()))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    return start(site.serve_command(folder, "127.0.0.1", port), base, seconds=60), base


def fetch(url: str) -> tuple[float, int]:
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            response.read()
            status = response.status
    except urllib.error.HTTPError as e:
        status = e.code
    return (time.perf_counter() - started) * 1000, status


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


# p95 targets (ms) at a million tweets on two cores (issue 10): home 200, every reader page
# 300, search 100 whatever the sort and filters, a table search with filters 500.
TARGETS_MS = {
    "home page": 200,
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
        with urllib.request.urlopen(base + path, timeout=60) as response:
            html = response.read().decode()
        link = NEXT_LINK.search(html)
        href = HREF.search(link.group(0)) if link else None
        if href is None:
            return "/-/no-next-link-after/" + urllib.parse.quote(path, safe="")
        path = href.group(1).replace("&amp;", "&")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--tweets", type=int, default=1_000_000, help="size of the generated archive"
    )
    parser.add_argument("--db", type=Path, help="an already built database (named archive.db)")
    parser.add_argument("--repeat", type=int, default=20, help="requests per page")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        if args.db:
            db = folder / "archive.db"
            os.symlink(args.db.resolve(), db)
        else:
            db = build(args.tweets, folder)
        with sqlite3.connect(db) as conn:
            count = conn.execute("select count(*) from tweets").fetchone()[0]
        with sqlite3.connect(db) as conn:
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
            pages += [(name, deep_page(base, path, hops)) for name, path, hops in DEEP_PAGES]
            print(f"{int(count):,} tweets; {args.repeat} requests per page, after one warm-up\n")
            print(f"{'page':<42} {'status':>6} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} target")
            for name, path in pages:
                fetch(base + path)
                timings, statuses = [], set()
                for _ in range(args.repeat):
                    ms, status = fetch(base + path)
                    timings.append(ms)
                    statuses.add(status)
                row = {
                    "page": name,
                    "path": path,
                    "status": ",".join(map(str, sorted(statuses))),
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
        if args.json:
            print(json.dumps(results, indent=2))
        missed = [row["page"] for row in results if not row["met"]]
        if missed:
            raise SystemExit(f"missed targets: {', '.join(missed)}")


if __name__ == "__main__":
    main()
