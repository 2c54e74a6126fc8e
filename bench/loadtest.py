"""Sustained load on the published site: many clients at once, every kind of page.

    python bench/loadtest.py [--tweets N] [--clients N] [--seconds N]

Generates an archive of N tweets (bench/build_speed.py's generator, plus a few hundred tweets
with photos), builds it, publishes it as a deployable folder (`tweets-etl publish --target
dir`: the published copy, its metadata, settings and media) and serves that with the
production command line (etl/site.py) in a real `datasette` on 127.0.0.1. The published
folder is cached under build/loadtest/, so a rerun of the same size starts at once (until
the ETL, metadata.yml or the generators change: then it is made again).

The server runs with a limit of DESCRIPTORS open files, as on many hosts. Each client is a
thread with one keep-alive connection, cycling through the page kinds (home, search, tweet
page, table with facets, canned queries, feeds, media) with varied parameters until the time
is up. Prints requests/s and p50/p95/p99/max per page kind.

Then the hostile phases run against the same server, one after the other (PHASES): each is a
module's `phase(base, site, server) -> list[str]` (the site's base URL, its folder, and the
`datasette` process, whose stderr is in `server.log`) that prints its numbers and returns what
missed its target (nothing when passed). Last, the server gets SIGTERM with CSV streams open
and must stop within STOP_SECONDS. Exits non-zero unless every answer of the normal load was a
success, none took longer than the SQL time limit, and every phase met its targets.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import http.client
import itertools
import os
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

import load_slow_clients
import load_streams
from build_speed import generate_markdown_archive
from timing import percentile, timed_get

from etl.site import SETTINGS, free_port, serve_command

ROOT = Path(__file__).resolve().parent.parent

# The hostile phases, in order (see the docstring).
PHASES = [load_streams.phase, load_slow_clients.phase]
if (Path(__file__).resolve().parent / "load_search.py").exists():
    import load_search  # noqa: E402

    PHASES.append(load_search.phase)

CACHE = ROOT / "build" / "loadtest"
TIME_LIMIT_MS = SETTINGS["sql_time_limit_ms"]
MEDIA_TWEETS = 300
SAMPLE_MEDIA = sorted((ROOT / "sample" / "media").glob("*.[jp][pn]g"))
SEARCHES = ["fox", "the", "quick brown", "run*", "tag7", "東京タワー", "café -dog", "zzqx"]
DAYS = ["01-01", "02-29", "06-05", "12-31"]
# The server's limit on open files (soft and hard): 1,024 is the default of many hosts.
DESCRIPTORS = 1024
STOP_SECONDS = 5


def add_media_tweets(folder: Path, count: int) -> None:
    """Tweets with photos, in 2011 (before the generated ones), each with one sample image."""
    media = folder / "media"
    media.mkdir()
    entries = []
    for n in range(count):
        moment = 1293840000 + n * 3600  # 2011-01-01 onwards, hourly
        tweet_id = ((moment * 1000 - 1288834974657) << 22) + n
        image = SAMPLE_MEDIA[n % len(SAMPLE_MEDIA)]
        name = f"{tweet_id}-LoadTest{n:05d}{image.suffix}"
        shutil.copy(image, media / name)
        stamp = time.strftime("%a %b %d %H:%M:%S +0000 %Y", time.gmtime(moment))
        entries.append(
            f"A photo for the load test ![](media/{name})\n\n"
            f"(Originally on Twitter: [{stamp}](https://twitter.com/bench_owner/status/{tweet_id}))"
        )
    (folder / "tweets_2011-media.md").write_text("\n\n----\n\n".join(entries) + "\n\n----\n\n")


def fingerprint() -> str:
    """What the cached site was made by: the ETL, the metadata and the generators. A site
    published by older code (an index since added, a canned query since rewritten) would
    measure that code, not this one."""
    digest = hashlib.sha256()
    made_by = sorted((ROOT / "etl").rglob("*.py")) + [
        ROOT / "metadata.yml",
        ROOT / "bench" / "build_speed.py",
        Path(__file__).resolve(),
    ]
    for path in made_by:
        digest.update(path.relative_to(ROOT).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def published_site(tweets: int) -> Path:
    """The deployable folder of an archive of `tweets` tweets, built once and cached until the
    code that made it changes."""
    site = CACHE / f"site-{tweets}"
    stamp = CACHE / f"site-{tweets}.fingerprint"
    current = fingerprint()
    if (site / "archive.db").exists() and stamp.exists() and stamp.read_text() == current:
        print(f"using the cached {site}", flush=True)
        return site
    stamp.unlink(missing_ok=True)
    shutil.rmtree(site, ignore_errors=True)
    work = CACHE / f"work-{tweets}"
    shutil.rmtree(work, ignore_errors=True)
    archive = work / "archive-src"
    archive.mkdir(parents=True)
    print(f"generating {tweets:,} tweets…", flush=True)
    generate_markdown_archive(archive, tweets)
    add_media_tweets(archive, MEDIA_TWEETS)
    db = work / "archive.db"
    started = time.perf_counter()
    etl = [sys.executable, "-m", "etl"]
    subprocess.run([*etl, "build", str(db), str(archive), "--quiet"], cwd=ROOT, check=True)
    print(f"built in {time.perf_counter() - started:.0f}s; publishing…", flush=True)
    partial = CACHE / f"publishing-{tweets}"
    shutil.rmtree(partial, ignore_errors=True)
    subprocess.run(
        [*etl, "publish", str(db), "--target", "dir", "--out", str(partial)], cwd=ROOT, check=True
    )
    partial.rename(site)
    shutil.rmtree(work)
    stamp.write_text(current)
    return site


def limit_descriptors():
    import resource

    resource.setrlimit(resource.RLIMIT_NOFILE, (DESCRIPTORS, DESCRIPTORS))


def serve(site: Path) -> tuple[subprocess.Popen, str]:
    """The site's server, its stderr in `process.log` (read by the phases)."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    command = serve_command(site, "127.0.0.1", port)
    # The published metadata names the media folder relative to the site folder; the
    # server's limits are its defaults.
    env = {k: v for k, v in os.environ.items() if not k.startswith("TWEET_ARCHIVE_")}
    log = CACHE / f"server-{site.name}.log"
    with open(log, "wb") as output:
        process = subprocess.Popen(
            command,
            stdout=subprocess.DEVNULL,
            stderr=output,
            cwd=site,
            env=env,
            preexec_fn=limit_descriptors,
        )
    process.log = log
    deadline = time.monotonic() + 120
    while True:
        try:
            with urllib.request.urlopen(f"{base}/-/versions.json", timeout=2):
                return process, base
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise RuntimeError(f"{base} did not start: {log.read_text()[-2000:]}") from None
            time.sleep(0.1)


def stop(process: subprocess.Popen, base: str) -> list[str]:
    """SIGTERM with CSV streams open: the server must stop within STOP_SECONDS."""
    with contextlib.ExitStack() as streams:
        for _ in range(4):
            streams.enter_context(load_streams.open_stream(base))
        started = time.monotonic()
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        stopped = time.monotonic() - started
    print(
        f"\nSIGTERM with 4 CSV streams open: stopped in {stopped:.1f} s (target ≤ {STOP_SECONDS} s)"
    )
    return [f"the server took {stopped:.1f} s to stop"] if stopped > STOP_SECONDS else []


def tweet_count(site: Path) -> int:
    with sqlite3.connect(site / "archive.db") as conn:
        count = conn.execute("select count(*) from tweets").fetchone()[0]
    conn.close()
    return count


def q(path, **params):
    return path + "?" + urllib.parse.urlencode(params)


def page_kinds(site: Path) -> dict[str, list[str]]:
    """Page kind -> the addresses its requests pick from."""
    with sqlite3.connect(site / "archive.db") as conn:
        ids = [r[0] for r in conn.execute("select id from tweets order by random() limit 500")]
        media = conn.execute("select tweet_id, position from media limit 200").fetchall()
        users = [r[0] for r in conn.execute("select id from users order by random() limit 50")]
        years = [r[0] for r in conn.execute("select distinct substr(created_at, 1, 4) from tweets")]
    conn.close()
    kinds = {
        "home": ["/"],
        "search": [q("/archive/search", q=term) for term in SEARCHES],
        "tweet page": [f"/archive/tweets/{i}" for i in ids],
        "user page": [f"/archive/users/{i}" for i in users],
        "table + facets": [
            "/archive/tweets",
            q("/archive/tweets", kind="retweet"),
            # A year as the page's own year facet links to it.
            *(
                q("/archive/tweets", created_at__gte=year, created_at__lt=f"{int(year) + 1}")
                for year in years[:5]
            ),
        ],
        "canned queries": [
            *(q("/on-this-day.json", date=day) for day in DAYS),
            "/archive/top_hashtags",
            "/archive/top_mentions",
            "/timeline.json",
            "/media.json",
            q("/archive/search.json", q="fox", _shape="array"),
        ],
        "feeds": ["/archive/latest.atom", q("/archive/search_feed.atom", q="fox")],
        "media": [f"/-/media/{tweet_id}/{position}" for tweet_id, position in media],
    }
    return {kind: urls for kind, urls in kinds.items() if urls}


def client(number, base, kinds, deadline, results, lock):
    rng = random.Random(number)
    host, port = base.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=30)
    names = list(kinds)
    order = itertools.islice(itertools.cycle(names), number % len(names), None)
    mine = []
    for kind in order:
        if time.monotonic() >= deadline:
            break
        path = rng.choice(kinds[kind])
        status, ms = timed_get(conn, path)
        mine.append((kind, path, status, ms))
    conn.close()
    with lock:
        results.extend(mine)


def report(results, seconds, kinds):
    print(
        f"\n{'page kind':<16} {'requests':>8} {'req/s':>7} {'p50 ms':>8} {'p95 ms':>8} "
        f"{'p99 ms':>8} {'max ms':>8} {'errors':>6}"
    )
    rows = [(kind, [r for r in results if r[0] == kind]) for kind in kinds]
    rows.append(("all", results))
    for kind, done in rows:
        if not done:
            print(f"{kind:<16} {0:>8}")
            continue
        times = sorted(r[3] for r in done)
        errors = sum(1 for r in done if r[2] not in (200, 206))
        print(
            f"{kind:<16} {len(done):>8} {len(done) / seconds:>7.1f} "
            f"{statistics.median(times):>8.0f} {percentile(times, 0.95):>8.0f} "
            f"{percentile(times, 0.99):>8.0f} {times[-1]:>8.0f} {errors:>6}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tweets", type=int, default=1_000_000, help="size of the archive")
    parser.add_argument("--clients", type=int, default=20, help="simultaneous clients")
    parser.add_argument("--seconds", type=float, default=60, help="how long the load lasts")
    args = parser.parse_args()
    site = published_site(args.tweets)
    kinds = page_kinds(site)
    process, base = serve(site)
    results, lock = [], threading.Lock()
    missed = []
    try:
        for urls in kinds.values():  # one warm-up request per kind
            with urllib.request.urlopen(base + urls[0], timeout=60) as response:
                response.read()
        print(f"{tweet_count(site):,} tweets; {args.clients} clients for {args.seconds:g}s")
        deadline = time.monotonic() + args.seconds
        threads = [
            threading.Thread(target=client, args=(n, base, kinds, deadline, results, lock))
            for n in range(args.clients)
        ]
        started = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=args.seconds + 120)
        elapsed = time.monotonic() - started
        report(results, elapsed, kinds)
        failures = [r for r in results if r[2] not in (200, 206)]
        slow = [r for r in results if r[3] > TIME_LIMIT_MS]
        for kind, path, status, ms in (failures + slow)[:10]:
            print(f"  {kind}: {path} -> {status} in {ms:.0f} ms")
        print(
            f"\ntarget: 0 errors (got {len(failures)}), no request over the {TIME_LIMIT_MS} ms "
            f"SQL time limit (got {len(slow)})"
        )
        if failures or slow or not results:
            missed.append("normal load")
        for phase in PHASES:
            missed += phase(base, site, process)
        missed += stop(process, base)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    if missed:
        print("\nmissed: " + "; ".join(missed))
        raise SystemExit(1)


if __name__ == "__main__":
    main()
