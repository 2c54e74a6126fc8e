"""`tweets-etl build` against the floor (bench/floor.py), measured in the same run.

    python bench/build_speed.py                      # 100k and 1M tweets, both formats (make bench)
    python bench/build_speed.py --quick              # 10k tweets, one size, a few seconds
    python bench/build_speed.py --sizes 5000000      # once at 5M: informational (make bench-5m)
    python bench/build_speed.py --repeat 3           # shortest of 3 runs each, on a busy machine

The machine is shared and noisy, so every target is a ratio to the simplest possible loader of
the same input, run just before or after the build (the order alternates). Each load runs in a
child process of its own, so its peak RSS (ru_maxrss) is its alone. For each size the inputs are
generated once into a temporary folder (generated Markdown `tweets_YYYY-MM.md`, and an official
export's `data/tweets.js`) and deleted before the next. Prints a Markdown table; exits 1 when a
target is missed, 2 when a load failed, after running and printing everything.

Targets (sizes up to 1M; larger sizes are measured for information only):
- official export: build time <= 1.5x the floor's, database <= 2x the floor's;
- Markdown: build time <= 2x the floor's, database <= 2x;
- peak memory of the build <= 400 MiB;
- time per tweet at the largest size within 1.15x of that at the smallest.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "archives"
WORDS = (
    "the quick brown fox jumps over lazy dog datasette sqlite python search tweet archive "
    "東京タワー Привет мир café naïve running runs ran"
).split()


def generate_markdown_archive(folder: Path, count: int) -> None:
    rng = random.Random(42)
    start = datetime(2012, 1, 1, tzinfo=UTC)
    months: dict[str, list[str]] = {}
    for n in range(count):
        moment = start + timedelta(minutes=7 * n)
        tweet_id = ((int(moment.timestamp() * 1000) - 1288834974657) << 22) + n % 4096
        words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(5, 30)))
        extras = []
        if n % 5 == 0:
            extras.append(f"@user{n % 997}")
        if n % 7 == 0:
            extras.append(f"#tag{n % 131}")
        if n % 11 == 0:
            extras.append(f"https://example{n % 53}.com/page/{n}")
        text = " ".join([words, *extras]).replace("&", "&amp;")
        if n % 13 == 0:
            text = f"RT @someone{n % 89}: {text}"
        stamp = moment.strftime("%a %b %d %H:%M:%S +0000 %Y")
        months.setdefault(moment.strftime("%Y-%m"), []).append(
            f"{text}\n\n(Originally on Twitter: [{stamp}]"
            f"(https://twitter.com/bench_owner/status/{tweet_id}))"
        )
    for month, entries in months.items():
        body = "\n\n----\n\n".join(entries) + "\n\n----\n\n"
        (folder / f"tweets_{month}.md").write_text(body, encoding="utf-8")


def generate_official_export(folder: Path, count: int, accounts: int = 300) -> None:
    """A 2022+ export: data/tweets.js streamed out tweet by tweet (about 2 KB each), each
    tweet mentioning one of `accounts` accounts (a real export's mentions name some 140,000 at
    a million tweets: bench/site_speed.py asks for as many)."""
    rng = random.Random(7)
    start = datetime(2015, 1, 1, tzinfo=UTC)
    data = folder / "data"
    data.mkdir(parents=True)
    (data / "account.js").write_text(
        'window.YTD.account.part0 = [{"account": {"username": "bench_owner", '
        '"accountId": "12345", "accountDisplayName": "Bench"}}]'
    )
    with open(data / "tweets.js", "w", encoding="utf-8") as out:
        out.write("window.YTD.tweets.part0 = [")
        for n in range(count):
            moment = start + timedelta(minutes=5 * n)
            tweet_id = ((int(moment.timestamp() * 1000) - 1288834974657) << 22) + n % 4096
            words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(5, 30)))
            tag, name = f"#tag{n % 50}", f"@user{n % accounts}"
            text = f"{tag} {name} {words} https://t.co/abcdefghij"
            at = len(tag) + 1  # the mention's offset; the link ends the text
            tweet = {
                "edit_info": {"initial": {"editTweetIds": [str(tweet_id)], "editsRemaining": "5"}},
                "retweeted": False,
                "source": '<a href="https://mobile.twitter.com" rel="nofollow">Twitter Web App</a>',
                "entities": {
                    "hashtags": [{"text": tag[1:], "indices": ["0", str(len(tag))]}],
                    "symbols": [],
                    "user_mentions": [
                        {
                            "name": "Some One",
                            "screen_name": f"user{n % accounts}",
                            "indices": [str(at), str(at + len(name))],
                            "id_str": str(1000 + n % accounts),
                            "id": str(1000 + n % accounts),
                        }
                    ],
                    "urls": [
                        {
                            "url": "https://t.co/abcdefghij",
                            "expanded_url": f"https://example.com/{n}",
                            "display_url": f"example.com/{n}",
                            "indices": [str(len(text) - 23), str(len(text))],
                        }
                    ],
                },
                "display_text_range": ["0", "140"],
                "favorite_count": str(n % 17),
                "id_str": str(tweet_id),
                "truncated": False,
                "retweet_count": str(n % 5),
                "id": str(tweet_id),
                "created_at": moment.strftime("%a %b %d %H:%M:%S +0000 %Y"),
                "favorited": False,
                "full_text": text,
                "lang": "en",
            }
            if n % 10 == 0:
                lat, lon = rng.uniform(-60, 70), rng.uniform(-180, 180)
                tweet["coordinates"] = {"type": "Point", "coordinates": [str(lon), str(lat)]}
                tweet["geo"] = {"type": "Point", "coordinates": [str(lat), str(lon)]}
            out.write(("," if n else "") + "\n  " + json.dumps({"tweet": tweet}, indent=2))
        out.write("\n]")


# Targets, as ratios to the floor measured in the same run. Sizes above TARGET_MAX_TWEETS are
# measured for information only.
TIME_TARGET = {"Markdown": 2.0, "official": 1.5}
SIZE_TARGET = 2.0
MAX_PEAK_MIB = 400
MAX_LINEAR = 1.15
TARGET_MAX_TWEETS = 1_000_000
DEFAULT_SIZES = (100_000, 1_000_000)
QUICK_SIZE = 10_000
# The floor reads tweets.js whole: its peak RSS is about 5x the largest input file (739 MiB for
# a 146 MiB tweets.js), so at 5M it would need some 36 GiB. It is skipped above --floor-max-gib.
FLOOR_RSS_PER_INPUT_MIB = 5.2
FLOOR_BASE_MIB = 40
FORMATS = (("Markdown", generate_markdown_archive), ("official", generate_official_export))


class Run(NamedTuple):
    seconds: float
    peak_mib: float
    db_mib: float
    tweets: int


class Row(NamedTuple):
    label: str
    fmt: str | None  # None: a real archive, no targets
    size: int
    floor: Run | str | None  # a Run, why it was not run, or None (real archive)
    build: Run | str  # a Run, or why it failed
    misses: list[str]


def tree_rss_mib(pid: int) -> float:
    """Resident memory of a process and its descendants, from /proc (0 once it has exited)."""
    total, pending = 0, [pid]
    while pending:
        proc = Path("/proc") / str(pending.pop())
        try:
            status = (proc / "status").read_text()
            total += next(
                int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:")
            )
            for task in (proc / "task").iterdir():
                pending += [int(child) for child in (task / "children").read_text().split()]
        except (OSError, StopIteration, ValueError):
            continue
    return total / 1024


def timed(command: list[str], db: Path) -> Run | str:
    """One load in a child process of its own: its Run, or why it failed.

    Peak memory is the child's ru_maxrss, or, when it starts workers, the largest sum over its
    processes sampled every 50 ms (ru_maxrss alone counts only the largest process). ru_maxrss
    also counts this process's own high-water mark, so this one must stay small.
    """
    db.unlink(missing_ok=True)
    started = time.perf_counter()
    child = subprocess.Popen(command, cwd=ROOT)
    sampled = [0.0]
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.05):
            sampled[0] = max(sampled[0], tree_rss_mib(child.pid))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - started
    done.set()
    sampler.join()
    code = os.waitstatus_to_exitcode(status)
    if code != 0 or not db.exists():
        return f"FAILED (exit {code})"
    with sqlite3.connect(db) as conn:
        tweets = conn.execute("select count(*) from tweets").fetchone()[0]
    conn.close()
    run = Run(seconds, max(usage.ru_maxrss / 1024, sampled[0]), db.stat().st_size / 2**20, tweets)
    db.unlink()
    return run


def run_floor(db: Path, source: Path) -> Run | str:
    return timed([sys.executable, str(ROOT / "bench" / "floor.py"), str(db), str(source)], db)


def run_build(db: Path, source: Path) -> Run | str:
    return timed([sys.executable, "-m", "etl", "build", str(db), str(source), "--quiet"], db)


def floor_estimate_mib(source: Path) -> float:
    largest = max(path.stat().st_size for path in source.rglob("*") if path.is_file())
    return FLOOR_BASE_MIB + FLOOR_RSS_PER_INPUT_MIB * largest / 2**20


def judge(fmt: str, size: int, floor: Run | str, build: Run | str) -> list[str]:
    """The targets this (format, size) misses; 'failed' when a load failed."""
    if isinstance(build, str) or isinstance(floor, str) and floor.startswith("FAILED"):
        return ["failed"]
    if size > TARGET_MAX_TWEETS:
        return []
    misses = []
    if isinstance(floor, Run):
        if floor.tweets != size:
            return [f"floor loaded {floor.tweets:,} tweets"]
        if build.seconds > TIME_TARGET[fmt] * floor.seconds:
            misses.append("time")
        if build.db_mib > SIZE_TARGET * floor.db_mib:
            misses.append("size")
    if build.tweets != size:
        misses.append(f"build loaded {build.tweets:,} tweets")
    if build.peak_mib > MAX_PEAK_MIB:
        misses.append("peak")
    return misses


def ratio(value: float, floor: Run | str | None, attr: str, target: float | None) -> str:
    if not isinstance(floor, Run):
        return "–"
    text = f"{value / getattr(floor, attr):.2f}"
    return f"{text} (≤ {target:g})" if target else text


def table_line(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


HEADER = [
    "input",
    "floor s",
    "build s",
    "time ratio (target)",
    "floor DB MiB",
    "build DB MiB",
    "size ratio (target)",
    "floor peak MiB",
    f"build peak MiB (≤ {MAX_PEAK_MIB})",
    "verdict",
]


def format_row(row: Row) -> str:
    floor, build = row.floor, row.build
    targeted = row.fmt is not None and row.size <= TARGET_MAX_TWEETS
    if isinstance(build, str):
        return table_line([row.label, *(["–"] * 8), build])
    if isinstance(floor, Run):
        floor_cells = [f"{floor.seconds:.2f}", f"{floor.db_mib:.1f}", f"{floor.peak_mib:.0f}"]
    else:
        floor_cells = [floor or "–", "–", "–"]
    if not targeted:
        verdict = "info"
    elif row.misses:
        verdict = "MISSED: " + ", ".join(row.misses)
    else:
        verdict = "ok"
    return table_line(
        [
            row.label,
            floor_cells[0],
            f"{build.seconds:.2f}",
            ratio(build.seconds, floor, "seconds", TIME_TARGET[row.fmt] if targeted else None),
            floor_cells[1],
            f"{build.db_mib:.1f}",
            ratio(build.db_mib, floor, "db_mib", SIZE_TARGET if targeted else None),
            floor_cells[2],
            f"{build.peak_mib:.0f}",
            verdict,
        ]
    )


def linear_lines(rows: list[Row]) -> tuple[list[str], list[str]]:
    """The time-per-tweet table (smallest to largest targeted size) and the formats missing it."""
    lines, missed = [], []
    for fmt, _ in FORMATS:
        runs = {
            row.size: row.build
            for row in rows
            if row.fmt == fmt and row.size <= TARGET_MAX_TWEETS and isinstance(row.build, Run)
        }
        if len(runs) < 2:
            continue
        small, large = min(runs), max(runs)
        per_small = runs[small].seconds / small * 1e6
        per_large = runs[large].seconds / large * 1e6
        met = per_large <= MAX_LINEAR * per_small
        if not met:
            missed.append(f"{fmt} time per tweet")
        if not lines:
            lines = [
                table_line(
                    ["format", "µs/tweet (small)", "µs/tweet (large)", "ratio (target)", "verdict"]
                ),
                table_line(["---"] * 5),
            ]
        lines.append(
            table_line(
                [
                    f"{fmt}, {small:,} → {large:,}",
                    f"{per_small:.1f}",
                    f"{per_large:.1f}",
                    f"{per_large / per_small:.2f} (≤ {MAX_LINEAR:g})",
                    "ok" if met else "MISSED",
                ]
            )
        )
    return lines, missed


def progress(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def measure_real(tmp: Path) -> Row | None:
    ezyang = SHARED / "ezyang-tweets"
    if not ezyang.is_dir():
        progress(f"{ezyang} absent: no real-archive line")
        return None
    progress("building ezyang-tweets")
    build = run_build(tmp / "build.db", ezyang)
    tweets = f"{build.tweets:,} tweets" if isinstance(build, Run) else "?"
    misses = ["failed"] if isinstance(build, str) else []
    return Row(f"ezyang-tweets (real, {tweets})", None, 0, None, build, misses)


def generate_in_child(fmt: str, source: Path, size: int) -> None:
    """Generate in a child process, so this one stays small: a child's ru_maxrss counts the
    memory of the process it was forked from (Linux keeps the old mm's high-water mark at exec),
    and the Markdown generator holds all its text (about 530 MiB at 1M tweets)."""
    code = (
        "import sys; from pathlib import Path; import build_speed; "
        "dict(build_speed.FORMATS)[sys.argv[1]](Path(sys.argv[2]), int(sys.argv[3]))"
    )
    # Run in bench/, which `python -c` puts first on the child's path.
    bench = Path(__file__).resolve().parent
    source = Path(source).absolute()
    subprocess.run([sys.executable, "-c", code, fmt, str(source), str(size)], check=True, cwd=bench)


def best(old: Run | str | None, new: Run | str) -> Run | str:
    """Of repeated runs, the shortest time and the largest peak, database and count; a failure
    sticks."""
    if old is None or isinstance(new, str):
        return new
    if isinstance(old, str):
        return old
    return Run(
        min(old.seconds, new.seconds),
        max(old.peak_mib, new.peak_mib),
        max(old.db_mib, new.db_mib),
        min(old.tweets, new.tweets),
    )


def measure(
    tmp: Path, fmt: str, size: int, floor_first: bool, floor_max_gib: float, repeat: int
) -> Row:
    source = tmp / f"{fmt}-{size}"
    source.mkdir()
    progress(f"generating {size:,} {fmt} tweets")
    generate_in_child(fmt, source, size)
    megabytes = sum(p.stat().st_size for p in source.rglob("*") if p.is_file()) / 2**20
    estimate = floor_estimate_mib(source)
    runs: dict[str, Run | str] = {}
    if estimate > floor_max_gib * 1024:
        runs["floor"] = f"skipped (needs ~{estimate / 1024:.0f} GiB > {floor_max_gib:g} GiB)"
        progress(f"floor {runs['floor']}")
    for turn in range(repeat):
        order = ["floor", "build"] if floor_first == (turn % 2 == 0) else ["build", "floor"]
        for name in order:
            if isinstance(runs.get(name), str):
                continue
            progress(f"{name}: {size:,} {fmt} tweets, run {turn + 1} of {repeat}")
            load = run_floor if name == "floor" else run_build
            runs[name] = best(runs.get(name), load(tmp / f"{name}.db", source))
    shutil.rmtree(source)
    label = f"{fmt} {size:,} ({megabytes:,.0f} MiB)"
    misses = judge(fmt, size, runs["floor"], runs["build"])
    return Row(label, fmt, size, runs["floor"], runs["build"], misses)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes",
        type=int,
        nargs="+",
        default=list(DEFAULT_SIZES),
        help="generated tweets per input (default: 100000 1000000)",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help=f"{QUICK_SIZE:,} tweets, one size, no real archive: a few seconds",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="run floor and build N times each, alternating, and keep the shortest times",
    )
    parser.add_argument(
        "--floor-max-gib",
        type=float,
        default=12,
        help="skip the floor when its estimated peak memory is above this (default 12)",
    )
    args = parser.parse_args(argv)
    sizes = [QUICK_SIZE] if args.quick else args.sizes
    rows: list[Row] = []
    print(table_line(HEADER))
    print(table_line(["---"] * len(HEADER)), flush=True)
    with tempfile.TemporaryDirectory(prefix="build_speed-") as tmp:
        tmp = Path(tmp)
        if not args.quick and (real := measure_real(tmp)):
            rows.append(real)
            print(format_row(real), flush=True)
        for size_index, size in enumerate(sizes):
            for fmt_index, (fmt, _) in enumerate(FORMATS):
                floor_first = (size_index + fmt_index) % 2 == 0
                row = measure(tmp, fmt, size, floor_first, args.floor_max_gib, args.repeat)
                rows.append(row)
                print(format_row(row), flush=True)
    linear, linear_missed = linear_lines(rows)
    if linear:
        print()
        print("\n".join(linear))
    print()
    print(
        "targets (sizes up to 1,000,000): build time ≤ 1.5× the floor's (official), ≤ 2× "
        f"(Markdown); database ≤ {SIZE_TARGET:g}×; build peak ≤ {MAX_PEAK_MIB} MiB; time per "
        f"tweet at the largest size ≤ {MAX_LINEAR:g}× that at the smallest"
    )
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        "peak MiB: each load's ru_maxrss, or the sum over its processes sampled every 50 ms if "
        f"larger; either reads at least this bench's own peak, {own:.0f} MiB"
    )
    failed = [row.label for row in rows if "failed" in row.misses]
    missed = [f"{row.label}: {', '.join(row.misses)}" for row in rows if row.misses]
    missed += linear_missed
    if failed:
        print(f"verdict: FAILED: {'; '.join(failed)}")
        return 2
    if missed:
        print(f"verdict: MISSED {len(missed)}: {'; '.join(missed)}")
        return 1
    if any(row.fmt and row.size <= TARGET_MAX_TWEETS for row in rows):
        print("verdict: all targets met")
    else:
        print(f"verdict: informational (no targets above {TARGET_MAX_TWEETS:,} tweets)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
