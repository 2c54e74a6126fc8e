"""Compare etl.entities.extract_entities with the entity lists of an official Twitter export.

Usage: .venv/bin/python bench/entities_accuracy.py [TWEETS_JS ...]
(default: ../shared/archives/alrocar__x/data/tweets.js, relative to the project root)

Per entity type: true/false positives, false negatives, precision, recall, and up to 10 example
disagreements of each kind. Mentions and hashtags are compared case-insensitively and as sets per
tweet (ours are deduplicated); URLs as multisets of the t.co links in full_text, media links
(entities.media[].url) excluded from both sides. Replies: "reply" scores, per tweet, whether
reply_to is non-empty against whether the export has in_reply_to_status_id; "reply_name" scores, for
replies to other accounts whose name the export still knows, whether in_reply_to_screen_name is in
our reply_to.
"""

from __future__ import annotations

import argparse
import html
import json
import time
from collections import Counter
from pathlib import Path

from etl.entities import extract_entities

ROOT = Path(__file__).resolve().parents[1]

DEFAULT = ROOT.parent / "shared" / "archives" / "alrocar__x" / "data" / "tweets.js"
MAX_EXAMPLES = 10


def load_export(path: Path) -> list[dict]:
    """The records of a `window.YTD.<name>.part0 = [...]` file (unwrapping {"tweet": ...})."""
    raw = path.read_text(encoding="utf-8")
    return [item.get("tweet", item) for item in json.loads(raw[raw.index("[") :])]


def excerpt(text: str, width: int = 110) -> str:
    text = text.replace("\n", " ")
    return text if len(text) <= width else text[: width - 1] + "…"


class Score:
    def __init__(self, name: str) -> None:
        self.name = name
        self.tp = self.fp = self.fn = 0
        self.fp_examples: list[str] = []
        self.fn_examples: list[str] = []

    def add(self, tweet_id: str, text: str, expected: Counter, predicted: Counter) -> None:
        tp = sum((expected & predicted).values())
        extra = predicted - expected
        missed = expected - predicted
        self.tp += tp
        self.fp += sum(extra.values())
        self.fn += sum(missed.values())
        if extra and len(self.fp_examples) < MAX_EXAMPLES:
            self.fp_examples.append(f"{tweet_id} extra {sorted(extra)}: {excerpt(text)!r}")
        if missed and len(self.fn_examples) < MAX_EXAMPLES:
            self.fn_examples.append(f"{tweet_id} missed {sorted(missed)}: {excerpt(text)!r}")

    def row(self) -> str:
        precision = self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0
        recall = self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0
        return (
            f"{self.name:<10} {self.tp:>6} {self.fp:>6} {self.fn:>6} "
            f"{precision:>9.4f} {recall:>9.4f}"
        )


def folded(items) -> Counter:
    return Counter({item.casefold() for item in items})


def owner_id(path: Path) -> str:
    """The archive owner's account id from account.js beside the tweets file, or ""."""
    account = path.with_name("account.js")
    if not account.exists():
        return ""
    for item in load_export(account):
        return item.get("account", {}).get("accountId", "")
    return ""


def evaluate(path: Path) -> None:
    tweets = load_export(path)
    owner = owner_id(path)
    types = ("mentions", "hashtags", "urls", "reply", "reply_name")
    scores = {name: Score(name) for name in types}
    elapsed = 0.0
    thread_misses = 0  # replies to the owner's own tweets: threads carry no leading @name
    for tweet in tweets:
        tweet_id = tweet["id_str"]
        text = html.unescape(tweet["full_text"])
        ents = tweet.get("entities", {})
        media = {
            m["url"]
            for key in ("entities", "extended_entities")
            for m in tweet.get(key, {}).get("media", [])
        }

        start = time.perf_counter()
        got = extract_entities(text)
        elapsed += time.perf_counter() - start

        mentions = ents.get("user_mentions", [])
        scores["mentions"].add(
            tweet_id, text, folded(m["screen_name"] for m in mentions), folded(got.mentions)
        )
        scores["hashtags"].add(
            tweet_id,
            text,
            folded(h["text"] for h in ents.get("hashtags", [])),
            folded(got.hashtags),
        )
        scores["urls"].add(
            tweet_id,
            text,
            Counter(u["url"] for u in ents.get("urls", []) if u["url"] not in media),
            Counter(u for u in got.urls if u not in media),
        )
        is_reply = Counter(["reply"] if tweet.get("in_reply_to_status_id_str") else [])
        scores["reply"].add(tweet_id, text, is_reply, Counter(["reply"] if got.reply_to else []))
        if is_reply and not got.reply_to and tweet.get("in_reply_to_user_id_str") == owner:
            thread_misses += 1
        replied = (tweet.get("in_reply_to_screen_name") or "").casefold()
        if replied and tweet.get("in_reply_to_user_id_str") != owner:
            ours = [name.casefold() for name in got.reply_to]
            predicted = Counter([replied] if replied in ours else ours[:1])
            scores["reply_name"].add(tweet_id, text, Counter([replied]), predicted)

    print(f"== {path} ({len(tweets)} tweets)")
    print(f"extract_entities: {elapsed / len(tweets) * 1e6:.1f} us/tweet on average")
    print(f"{'type':<10} {'TP':>6} {'FP':>6} {'FN':>6} {'precision':>9} {'recall':>9}")
    for score in scores.values():
        print(score.row())
    print(f"reply false negatives that continue the owner's own thread: {thread_misses}")
    for score in scores.values():
        for kind, examples in (
            ("false positives", score.fp_examples),
            ("false negatives", score.fn_examples),
        ):
            if examples:
                print(f"-- {score.name} {kind} (up to {MAX_EXAMPLES}):")
                for line in examples:
                    print("   " + line)
    print()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", type=Path, default=[DEFAULT])
    for path in parser.parse_args().paths:
        evaluate(path)


if __name__ == "__main__":
    main()
