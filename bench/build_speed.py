"""Build speed and peak memory of `tweets-etl build`, on real and generated archives.

    python bench/build_speed.py [--tweets N]

Each build runs in its own process, so peak RSS (ru_maxrss) is that build's alone. The
generated archive is N tweets of twitter-archive-parser Markdown (first layout) with
mentions, hashtags, links and entities, written once to a temporary folder.
"""

from __future__ import annotations

import argparse
import json
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


def generate_official_export(folder: Path, count: int) -> None:
    """A 2022+ export: data/tweets.js streamed out tweet by tweet (about 2 KB each)."""
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
            tweet = {
                "edit_info": {"initial": {"editTweetIds": [str(tweet_id)], "editsRemaining": "5"}},
                "retweeted": False,
                "source": '<a href="https://mobile.twitter.com" rel="nofollow">Twitter Web App</a>',
                "entities": {
                    "hashtags": [{"text": f"tag{n % 50}", "indices": ["0", "6"]}],
                    "symbols": [],
                    "user_mentions": [
                        {
                            "name": "Some One",
                            "screen_name": f"user{n % 300}",
                            "indices": ["7", "15"],
                            "id_str": str(1000 + n % 300),
                            "id": str(1000 + n % 300),
                        }
                    ],
                    "urls": [
                        {
                            "url": "https://t.co/abcdefghij",
                            "expanded_url": f"https://example.com/{n}",
                            "display_url": f"example.com/{n}",
                            "indices": ["40", "63"],
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
                "full_text": f"#tag{n % 50} @user{n % 300} {words} https://t.co/abcdefghij",
                "lang": "en",
            }
            if n % 10 == 0:
                lat, lon = rng.uniform(-60, 70), rng.uniform(-180, 180)
                tweet["coordinates"] = {"type": "Point", "coordinates": [str(lon), str(lat)]}
                tweet["geo"] = {"type": "Point", "coordinates": [str(lat), str(lon)]}
            out.write(("," if n else "") + "\n  " + json.dumps({"tweet": tweet}, indent=2))
        out.write("\n]")


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


# Targets on two cores: at least 3,000 tweets a second, and peak memory that does not grow
# with the input (a 200+ MB tweets.js must build in well under 200 MiB).
MIN_TWEETS_PER_SECOND = 3000
MAX_PEAK_MIB = 200


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tweets", type=int, default=200_000, help="generated Markdown tweets")
    parser.add_argument("--official-tweets", type=int, default=150_000, help="generated tweets.js")
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
        cases.append((f"generated Markdown ({args.tweets:,})", generated, args.tweets))
        official = tmp / "official"
        generate_official_export(official, args.official_tweets)
        megabytes = (official / "data" / "tweets.js").stat().st_size / 2**20
        cases.append(
            (
                f"generated tweets.js ({args.official_tweets:,}, {megabytes:.0f} MB)",
                official,
                args.official_tweets,
            )
        )
        print(f"{'archive':<44} {'seconds':>8} {'tweets/s':>10} {'peak MiB':>9}")
        missed = []
        for name, source, count in cases:
            seconds, peak = timed_build(tmp / "bench.db", source)
            met = count / seconds >= MIN_TWEETS_PER_SECOND and peak <= MAX_PEAK_MIB
            verdict = "ok" if met else "MISSED"
            print(f"{name:<44} {seconds:>8.2f} {count / seconds:>10,.0f} {peak:>9.0f}  {verdict}")
            if not met:
                missed.append(name)
        print(f"targets: >= {MIN_TWEETS_PER_SECOND:,} tweets/s, <= {MAX_PEAK_MIB} MiB peak")
        if missed:
            raise SystemExit(f"missed targets: {', '.join(missed)}")


if __name__ == "__main__":
    main()
