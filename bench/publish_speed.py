"""Publishing's database step against a plain copy of the database, measured in the same run.

    python bench/publish_speed.py                    # 1,000,000 tweets (make bench)
    python bench/publish_speed.py --tweets 100000    # a smaller archive
    python bench/publish_speed.py --db PATH          # an already built database, as it is
    python bench/publish_speed.py --repeat 9         # shortest of 9 runs each (default 5)

Every publish (`make serve` too) starts by making the publishable copy of the build's database
(etl/redact.py, `publishable_copy`): private and redacted rows left out, what that touched made
again. This times that step alone, in this process (not the media, the smoke test or the
server), on an archive of bench/build_speed.py's generated Markdown tweets, built once and
cached under build/publish_speed/ until the code the build runs or the generator changes.

The floor is the simplest way to the same file when nothing is to be removed: a plain copy
(shutil.copyfile), timed just before or after the publish (the order alternates), each run
writing a file that isn't there, with the machine's dirty pages written out first. Then a
publish redacting REDACTED tweets spread over the archive is timed once and reported.
Prints a Markdown table; exits 1 when the target is missed, 2 when a publish went wrong.

Target: a publish with nothing to remove takes <= 1.5x the plain copy.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from etl import redact

ROOT = Path(__file__).resolve().parent.parent
BENCH = Path(__file__).resolve().parent

CACHE = ROOT / "build" / "publish_speed"
TARGET = 1.5
REDACTED = 300


def fingerprint() -> str:
    """The code the cached database was made by: every module the build imports, and the
    generator."""
    code = (
        "import sys, etl.build; "
        "print(*sorted({m.__file__ for n, m in sys.modules.items() "
        "if n.split('.')[0] in ('etl', 'tweet_site') and getattr(m, '__file__', None)}), "
        "sep='\\n')"
    )
    files = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout.split()
    digest = hashlib.sha256()
    for path in sorted(map(Path, files)) + [BENCH / "build_speed.py"]:
        digest.update(path.resolve().relative_to(ROOT).as_posix().encode() + b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()


def cached_database(tweets: int) -> Path:
    db = CACHE / f"archive-{tweets}.db"
    stamp = CACHE / f"archive-{tweets}.fingerprint"
    current = fingerprint()
    if db.exists() and stamp.exists() and stamp.read_text() == current:
        print(f"using the cached {db.relative_to(ROOT)}", flush=True)
        return db
    stamp.unlink(missing_ok=True)
    CACHE.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=CACHE) as tmp:
        source = Path(tmp) / "archive-src"
        source.mkdir()
        print(f"generating {tweets:,} tweets…", flush=True)
        # In a child process: the generator holds all its text (about 530 MiB at 1M tweets).
        # Run in bench/, which `python -c` puts first on the child's path.
        code = (
            "import sys; from pathlib import Path; import build_speed; "
            "build_speed.generate_markdown_archive(Path(sys.argv[1]), int(sys.argv[2]))"
        )
        subprocess.run(
            [sys.executable, "-c", code, str(source.absolute()), str(tweets)], check=True, cwd=BENCH
        )
        started = time.perf_counter()
        etl = [sys.executable, "-m", "etl", "build", str(db), str(source), "--quiet"]
        subprocess.run(etl, cwd=ROOT, check=True)
        print(f"built {db.relative_to(ROOT)} in {time.perf_counter() - started:.0f}s", flush=True)
    stamp.write_text(current)
    return db


def timed(function, out: Path) -> tuple[float, object]:
    """Seconds `function(out)` took, writing a file that isn't there, with no dirty pages of
    earlier runs left for the kernel to write meanwhile."""
    out.unlink(missing_ok=True)
    os.sync()
    started = time.perf_counter()
    result = function(out)
    return time.perf_counter() - started, result


def tweets_in(db: Path) -> int:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        return conn.execute("select count(*) from tweets").fetchone()[0]


def spread_ids(db: Path, count: int) -> list[int]:
    """`count` tweet ids spread evenly over the archive."""
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        total = conn.execute("select count(*) from tweets").fetchone()[0]
        step = max(total // count, 1)
        return [
            row[0]
            for row in conn.execute(
                "select id from (select id, row_number() over (order by id) as n from tweets) "
                "where n % ? = 0 limit ?",
                [step, count],
            )
        ]


def publish(db: Path, redactions: redact.Redactions):
    """The publish step as this tree has it, and the work it did beyond the copy when the
    code says (a tree without prepare_copy made everything again)."""

    def run(out: Path):
        if hasattr(redact, "prepare_copy"):
            prepared = redact.prepare_copy(db, out, redactions, redact.Privacy())
            return prepared.removed, ", ".join(prepared.remade) or "none"
        return redact.publishable_copy(db, out, redactions, redact.Privacy()), "everything"

    return run


def row(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tweets", type=int, default=1_000_000, help="generated tweets")
    parser.add_argument("--db", type=Path, help="an already built database, used as it is")
    parser.add_argument(
        "--repeat", type=int, default=5, help="copy and publish N times each; shortest kept"
    )
    args = parser.parse_args(argv)
    db = args.db.resolve() if args.db else cached_database(args.tweets)
    count = tweets_in(db)
    print(f"{count:,} tweets, database {db.stat().st_size / 2**20:,.0f} MiB")
    print()
    print(row(["publish step", "seconds", "× copy", "target", "made again"]))
    print(row(["---"] * 5), flush=True)
    failed = []
    # Written beside the database: on the same disk as what it copies.
    with tempfile.TemporaryDirectory(dir=db.parent, prefix="publish_speed-") as tmp:
        out = Path(tmp) / "archive.db"
        best = {"copy": float("inf"), "publish": float("inf")}
        made = "?"
        for turn in range(args.repeat):
            order = ["copy", "publish"] if turn % 2 == 0 else ["publish", "copy"]
            for name in order:
                if name == "copy":
                    seconds, _ = timed(lambda out: shutil.copyfile(db, out), out)
                else:
                    seconds, (removed, made) = timed(publish(db, redact.Redactions()), out)
                    if removed.get("tweets") or tweets_in(out) != count:
                        failed.append(f"nothing to remove, yet {removed} went")
                best[name] = min(best[name], seconds)
        copy, plain = best["copy"], best["publish"]
        ratio = plain / copy
        missed = ratio > TARGET
        print(row(["plain copy (the floor)", f"{copy:.2f}", "1.00", "", ""]))
        verdict = f"≤ {TARGET:g} {'MISSED' if missed else 'ok'}"
        print(row(["nothing to remove", f"{plain:.2f}", f"{ratio:.2f}", verdict, made]), flush=True)
        ids = spread_ids(db, REDACTED)
        seconds, (removed, made) = timed(publish(db, redact.Redactions(tweets=ids)), out)
        if not removed.get("tweets") or tweets_in(out) != count - removed["tweets"]:
            failed.append(f"redacting {len(ids)} tweets removed {removed}")
        label = f"{len(ids)} tweets redacted ({removed.get('tweets', 0)} left out)"
        print(row([label, f"{seconds:.2f}", f"{seconds / copy:.2f}", "", made]), flush=True)
    print()
    print(
        f"best of {args.repeat} runs each for the copy and the publish with nothing to remove, "
        "alternating; the redaction once"
    )
    if failed:
        print(f"verdict: FAILED: {'; '.join(failed)}")
        return 2
    if missed:
        print(
            f"verdict: MISSED: nothing to remove took {ratio:.2f}× the copy (target ≤ {TARGET:g})"
        )
        return 1
    print("verdict: target met")
    return 0


if __name__ == "__main__":
    sys.exit(main())
