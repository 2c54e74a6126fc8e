"""Build speed and peak memory of `tweets-etl build`, on real and generated archives.

    python bench/build_speed.py [--tweets N]

Each build runs in its own process, so peak RSS (ru_maxrss) is that build's alone. The
generated archive is N tweets of twitter-archive-parser Markdown (first layout) with
mentions, hashtags, links and entities, written once to a temporary folder.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

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


def timed_build(db: Path, source: Path) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB) of one build in a child process."""
    started = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, "-m", "etl", "build", str(db), str(source), "--quiet"], cwd=ROOT
    )
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - started
    if status != 0:
        raise SystemExit(f"build of {source} failed")
    return seconds, usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tweets", type=int, default=200_000, help="size of the generated archive")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        cases = []
        ezyang = SHARED / "ezyang-tweets"
        if ezyang.exists():
            cases.append(("ezyang-tweets (6,753 tweets)", ezyang, 6753))
        generated = tmp / "generated"
        generated.mkdir()
        generate_markdown_archive(generated, args.tweets)
        cases.append((f"generated ({args.tweets:,} tweets)", generated, args.tweets))
        print(f"{'archive':<34} {'seconds':>8} {'tweets/s':>10} {'peak MiB':>9}")
        for name, source, count in cases:
            seconds, peak = timed_build(tmp / "bench.db", source)
            print(f"{name:<34} {seconds:>8.2f} {count / seconds:>10,.0f} {peak:>9.0f}")


if __name__ == "__main__":
    main()
