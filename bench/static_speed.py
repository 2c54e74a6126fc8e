"""`tweets-etl publish --target static` against a floor written in the same run.

    python bench/static_speed.py                     # 100,000 tweets (make bench)
    python bench/static_speed.py --tweets 1000000    # sizes and file counts at 1M (no targets)
    python bench/static_speed.py --keep build/bench-static   # leave the folder (a new one) there
    python bench/static_speed.py --db PATH           # an already built database, as it is
                                                     # (publish makes PATH's <stem>.site beside it)

The archive is bench/build_speed.py's generated Markdown tweets, built once and cached under
build/publish_speed/ by bench/publish_speed.py's cached_database (the same database that
bench uses at the same size).

The floor is the simplest standard-library script that turns the built database into a
static site (`write_floor` below: sqlite3, html.escape and plain file writes): one bare page
per tweet, `tweets/<id>/index.html` holding its escaped text, and one per month listing that
month's tweets. The measured run is the whole command a user runs, `tweets-etl publish DB
--target static --out DIR`: the publishable copy, the smoke test, every page of the site, the
search index. Each runs in a child process of its own, the floor just before the export and
again just after (the shorter kept), on a folder that isn't there, with the machine's dirty
pages written out first. Peak memory is the child's ru_maxrss or, as the export renders in
several processes, the largest sum over its process tree sampled every 50 ms.

Prints a Markdown table (seconds, ratio to the floor, peak memory, pages written, pages per
second, files and size of the folder) and what publish printed; exits 1 when a target is
missed, 2 when a run went wrong (a failed command, tweets without their page, no search
index), after printing everything.

Targets (up to 100,000 tweets; larger archives are measured for information only):
- the export takes <= 15x the floor's time;
- its peak memory is <= 1 GiB.
"""

from __future__ import annotations

import argparse
import html
import json
import os
import resource
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parent.parent
BENCH = Path(__file__).resolve().parent

TIME_TARGET = 15.0
MAX_PEAK_MIB = 1024
TARGET_MAX_TWEETS = 100_000
DEFAULT_TWEETS = 100_000
# What the export's search step writes, and what its search page loads.
SEARCH_INDEX = Path("pagefind") / "pagefind.js"


def write_floor(db: Path, out: Path) -> int:
    """The floor: a bare page per tweet and one per month from the built database, standard
    library only. Returns the pages written."""
    pages = 0
    month, listed = None, []

    def write(folder: Path, body: str) -> None:
        nonlocal pages
        folder.mkdir(parents=True)
        (folder / "index.html").write_text(
            f"<!doctype html><meta charset=utf-8><title>{folder.name}</title>{body}\n",
            encoding="utf-8",
        )
        pages += 1

    def write_month() -> None:
        write(out / "timeline" / month, f"<h1>{month}</h1><ul>{''.join(listed)}</ul>")

    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    rows = conn.execute("select id, created_at, text from tweets order by created_at, id")
    for tweet_id, created_at, text in rows:
        text = html.escape(text or "")
        stamp = html.escape(created_at or "")
        write(
            out / "tweets" / str(tweet_id),
            f"<p>{text}</p><p><a href=../../timeline/{created_at[:7]}/>{stamp}</a></p>",
        )
        if created_at[:7] != month:
            if month is not None:
                write_month()
            month, listed = created_at[:7], []
        listed.append(f"<li><a href=../../tweets/{tweet_id}/>{stamp}</a> {text}</li>")
    if month is not None:
        write_month()
    conn.close()
    return pages


class Run(NamedTuple):
    seconds: float
    peak_mib: float
    pages: int  # .html files written
    files: int
    bytes: int


def folder_size(folder: Path) -> tuple[int, int, int]:
    """(.html files, files, bytes) under `folder`."""
    pages = files = size = 0
    for parent, _, names in os.walk(folder):
        for name in names:
            files += 1
            pages += name.endswith(".html")
            size += os.lstat(os.path.join(parent, name)).st_size
    return pages, files, size


def timed(command: list[str], out: Path, log: Path, cwd: Path) -> Run | str:
    """One run in a child process of its own, writing `out` (not there before): its Run, or
    why it failed. ru_maxrss also counts this process's own high-water mark (the child was
    forked from it), so this one must stay small."""
    from build_speed import tree_rss_mib

    remove(out)
    os.sync()
    started = time.perf_counter()
    with log.open("w") as output:
        child = subprocess.Popen(command, cwd=cwd, stdout=output, stderr=subprocess.STDOUT)
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
    if code != 0 or not out.is_dir():
        return f"FAILED (exit {code})"
    return Run(seconds, max(usage.ru_maxrss / 1024, sampled[0]), *in_child("folder_size", out))


def remove(folder: Path) -> None:
    """rm -rf: shutil.rmtree would hold a listing of 100,000 folders in this process."""
    subprocess.run(["rm", "-rf", "--", str(folder)], check=True)


def in_child(function: str, out: Path):
    """static_speed.`function`(out), run in a child process: walking a folder of a million
    files would raise this process's high-water mark, which the next run's ru_maxrss reads."""
    code = (
        "import json, sys; from pathlib import Path; import static_speed; "
        f"print(json.dumps(static_speed.{function}(Path(sys.argv[1]))))"
    )
    command = [sys.executable, "-c", code, str(out)]
    done = subprocess.run(command, cwd=BENCH, check=True, capture_output=True, text=True)
    return json.loads(done.stdout)


def run_floor(db: Path, out: Path, log: Path) -> Run | str:
    # Run in bench/, which `python -c` puts first on the child's path; this module imports
    # only the standard library before main().
    code = (
        "import sys; from pathlib import Path; import static_speed; "
        "static_speed.write_floor(Path(sys.argv[1]), Path(sys.argv[2]))"
    )
    command = [sys.executable, "-c", code, str(db), str(out)]
    return timed(command, out, log, BENCH)


def run_export(db: Path, out: Path, log: Path) -> Run | str:
    command = [sys.executable, "-m", "etl", "publish", str(db), "--target", "static"]
    return timed([*command, "--out", str(out)], out, log, ROOT)


def shorter(old: Run | str | None, new: Run | str) -> Run | str:
    if old is None or isinstance(old, str):
        return new
    if isinstance(new, str):
        return old
    return min(old, new, key=lambda run: run.seconds)


def check_export(out: Path) -> list[str]:
    """What a good export holds that the numbers don't show."""
    problems = []
    published = out / "archive.db"
    if not published.exists():
        return ["no published database (archive.db) in the folder"]
    with sqlite3.connect(f"file:{published}?mode=ro", uri=True) as conn:
        ids = [row[0] for row in conn.execute("select id from tweets")]
    conn.close()
    pages = out / "archive" / "tweets"
    missing = [i for i in ids if not (pages / str(i) / "index.html").exists()]
    if missing:
        example = f"such as {missing[0]}"
        problems.append(f"{len(missing):,} of {len(ids):,} tweets have no page ({example})")
    if not (out / SEARCH_INDEX).exists():
        problems.append(f"no search index ({SEARCH_INDEX.as_posix()})")
    return problems


def table_line(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


HEADER = ["run", "seconds", "× floor", "peak MiB", "pages", "pages/s", "files", "MB", "verdict"]


def format_row(label: str, run: Run | str, floor: Run | str, targeted: bool, misses) -> str:
    if isinstance(run, str):
        return table_line([label, run, *[""] * (len(HEADER) - 3), "FAILED"])
    is_floor = run is floor
    if is_floor:
        ratio = "1.00"
    elif isinstance(floor, Run):
        ratio = f"{run.seconds / floor.seconds:.2f}"
        ratio += f" (≤ {TIME_TARGET:g})" if targeted else ""
    else:
        ratio = "?"
    peak = f"{run.peak_mib:,.0f}" + (f" (≤ {MAX_PEAK_MIB:,})" if targeted and not is_floor else "")
    if is_floor:
        verdict = ""
    elif misses:
        verdict = "MISSED: " + ", ".join(misses)
    else:
        verdict = "ok" if targeted else "info"
    return table_line(
        [
            label,
            f"{run.seconds:,.1f}",
            ratio,
            peak,
            f"{run.pages:,}",
            f"{run.pages / run.seconds:,.0f}",
            f"{run.files:,}",
            f"{run.bytes / 1e6:,.0f}",
            verdict,
        ]
    )


def main(argv: list[str] | None = None) -> int:
    from build_speed import progress
    from publish_speed import cached_database, tweets_in

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--tweets", type=int, default=DEFAULT_TWEETS, help="generated tweets (default 100000)"
    )
    parser.add_argument("--db", type=Path, help="an already built database, used as it is")
    parser.add_argument(
        "--keep",
        type=Path,
        help="write the static folder here (a folder not there yet) and leave it",
    )
    args = parser.parse_args(argv)
    if args.keep and args.keep.exists():
        parser.error(f"--keep {args.keep}: already there (the export is timed into a new folder)")
    db = args.db.resolve() if args.db else cached_database(args.tweets)
    count = tweets_in(db)
    targeted = count <= TARGET_MAX_TWEETS
    print(f"{count:,} tweets, database {db.stat().st_size / 2**20:,.0f} MiB", flush=True)
    # Written beside the database: the floor and the export on the same disk.
    with tempfile.TemporaryDirectory(dir=db.parent, prefix="static_speed-") as tmp:
        tmp = Path(tmp)
        out = args.keep.absolute() if args.keep else tmp / "static"
        floor: Run | str | None = None
        progress("floor: bare pages, before the export")
        floor = shorter(floor, run_floor(db, tmp / "floor", tmp / "floor.log"))
        progress(f"publish --target static of {count:,} tweets")
        export = run_export(db, out, tmp / "publish.log")
        problems = [] if isinstance(export, str) else in_child("check_export", out)
        remove(tmp / "floor")
        progress("floor: bare pages, after the export")
        floor = shorter(floor, run_floor(db, tmp / "floor", tmp / "floor.log"))
        said = (tmp / "publish.log").read_text(errors="replace").strip()
        if isinstance(floor, str):
            said += "\n\nfloor:\n" + (tmp / "floor.log").read_text(errors="replace").strip()
    misses = []
    if isinstance(export, Run) and isinstance(floor, Run) and targeted:
        if export.seconds > TIME_TARGET * floor.seconds:
            misses.append(f"time {export.seconds / floor.seconds:.1f}× > {TIME_TARGET:g}×")
        if export.peak_mib > MAX_PEAK_MIB:
            misses.append(f"peak {export.peak_mib:,.0f} MiB > {MAX_PEAK_MIB:,}")
    print()
    print(table_line(HEADER))
    print(table_line(["---"] * len(HEADER)))
    print(format_row("floor: bare pages (stdlib)", floor, floor, targeted, []))
    print(format_row("publish --target static", export, floor, targeted, misses))
    print()
    print(
        f"targets (up to {TARGET_MAX_TWEETS:,} tweets): the export ≤ {TIME_TARGET:g}× the "
        f"floor's time, peak ≤ {MAX_PEAK_MIB:,} MiB. The floor's time is the shorter of a run "
        "before and one after the export. pages: .html files written; MB: 10⁶ bytes"
    )
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        "peak MiB: the run's ru_maxrss, or the sum over its processes sampled every 50 ms if "
        f"larger; either reads at least this bench's own peak, {own:.0f} MiB"
    )
    if args.keep and isinstance(export, Run):
        print(f"the static folder is in {out}")
    print()
    print("publish said:" if not isinstance(floor, str) else "the runs said:")
    print("\n".join("    " + line for line in said.splitlines()[-40:]))
    failed = [f"floor {floor}"] if isinstance(floor, str) else []
    failed += [f"export {export}"] if isinstance(export, str) else []
    failed += problems
    if failed:
        print(f"verdict: FAILED: {'; '.join(failed)}")
        return 2
    if misses:
        print(f"verdict: MISSED: {'; '.join(misses)}")
        return 1
    print("verdict: targets met" if targeted else "verdict: informational (no targets)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
