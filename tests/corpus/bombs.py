"""Memory and time bombs, deep nesting and hangs: each runs in a child process, measured.

Sizes are the issue's own (100,000-deep account.js, 3,000-deep retweet chain, a 200 KB tweet
nesting 100,000 arrays, 1 GB in a small zip, a 1 MB Markdown entry, 1.5 MB of comments): each
is cheap to write (the zip is deflated while streamed, about 1 MB on disk) and, once linear,
cheap to build. Time bounds are CPU seconds of the child, so a busy machine doesn't fail them.
"""

from __future__ import annotations

import json
import os
import zipfile

from . import MD_NAME, Case, case, export, md_file, tweet, tweets_js, write
from .grailbird import MONTH, grailbird, month_file, status

THREE = [tweet(0), tweet(1), tweet(2)]


def deep(depth: int) -> str:
    return "[" * depth + "]" * depth


@case
def bomb_account_js_100000_deep(root):
    export(root, THREE, files={"account.js": "window.YTD.account.part0 = " + deep(100_000)})
    return Case(
        "bomb_account_js_100000_deep",
        [root],
        tweets=3,
        problems=[("data/account.js", 0)],
        isolate=True,
        max_seconds=10,
    )


@case
def bomb_manifest_js_100000_deep(root):
    export(root, THREE, files={"manifest.js": "window.__THAR_CONFIG = " + deep(100_000)})
    return Case(
        "bomb_manifest_js_100000_deep",
        [root],
        tweets=3,
        problems=[("data/manifest.js", 0)],
        isolate=True,
        max_seconds=10,
    )


@case
def bomb_retweet_chain_3000_deep(root):
    """A retweet of a retweet of ... 3,000 deep (written as text: json.dumps would recurse)."""
    prefixes, suffixes = [], []
    for n in range(3000):
        outer = json.dumps(status(100 + n, retweeted_status="INNER", text="RT chain"))
        before, after = outer.split('"INNER"')
        prefixes.append(before)
        suffixes.append(after)
    chain = "".join(prefixes) + json.dumps(status(99)) + "".join(reversed(suffixes))
    text = month_file([status(0), status(1, retweeted_status="CHAIN"), status(2)])
    grailbird(root, [])
    write(root / MONTH, text.replace('"CHAIN"', chain))
    return Case(
        "bomb_retweet_chain_3000_deep",
        [root],
        tweets=2,
        problems=[(MONTH, 2)],  # too deep to read: reported, the others kept
        isolate=True,
        max_seconds=10,
    )


@case
def bomb_tweet_nesting_100000_arrays(root):
    """A 200 KB tweet: its parse once grew with the square of the depth (23.8 GB)."""
    text = tweets_js([tweet(0), tweet(1, hostile=[]), tweet(2)])
    export(root, text.replace('"hostile": []', '"hostile": ' + deep(100_000)))
    return Case(
        "bomb_tweet_nesting_100000_arrays",
        [root],
        tweets=2,
        problems=[("data/tweets.js", 2)],  # too deep to read: reported, the others kept
        isolate=True,
        max_seconds=10,
    )


@case
def bomb_1gb_string_in_zipped_account_js(root):
    export(root / "folder", THREE)
    source = root / "export.zip"
    with zipfile.ZipFile(source, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        for name in ("data/tweets.js", "data/manifest.js"):
            z.write(root / "folder" / name, name)
        with z.open("data/account.js", "w", force_zip64=True) as f:
            f.write(b'window.YTD.account.part0 = [{"account": {"username": "x", "createdVia": "')
            chunk = b"A" * (1 << 20)
            for _ in range(1024):
                f.write(chunk)
            f.write(b'"}}]')
    return Case(
        "bomb_1gb_string_in_zipped_account_js",
        [source],
        tweets=3,
        problems=[("data/account.js", 0)],
        isolate=True,
        max_seconds=30,
    )


@case
def bomb_1gb_string_in_zipped_tweets_js(root):
    """One tweet of 1 GB inside tweets.js: streamed past, not held in memory."""
    export(root / "folder", THREE)
    before, after = tweets_js([tweet(0), tweet(1, "HUGE"), tweet(2)]).split("HUGE")
    source = root / "export.zip"
    with zipfile.ZipFile(source, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        for name in ("data/manifest.js", "data/account.js"):
            z.write(root / "folder" / name, name)
        with z.open("data/tweets.js", "w", force_zip64=True) as f:
            f.write(before.encode())
            chunk = b"A" * (1 << 20)
            for _ in range(1024):
                f.write(chunk)
            f.write(after.encode())
    return Case(
        "bomb_1gb_string_in_zipped_tweets_js",
        [source],
        tweets=2,
        problems=[("data/tweets.js", 2)],
        isolate=True,
        max_seconds=30,
    )


@case
def bomb_1mb_markdown_entry(root):
    """Mentions and links by the tens of thousands: once quadratic (never finished)."""
    words = " ".join(f"@user_{n % 50} https://example.com/{n} #tag{n % 7}" for n in range(25_000))
    md_file(root / MD_NAME, ["before", words, "after"])
    return Case("bomb_1mb_markdown_entry", [root], tweets=3, isolate=True, max_seconds=20)


@case
def bomb_unclosed_media_markup(root):
    """200 KB of `![` and of `<video` that never close: once rescanned at every one (35 s)."""
    md_file(root / MD_NAME, ["before", "![" * 100_000, "<video " * 30_000, "after"])
    return Case("bomb_unclosed_media_markup", [root], tweets=4, isolate=True, max_seconds=10)


@case
def bomb_comments_in_literal_tweets_js(root):
    """1.5 MB of `//` comments in an object-literal tweets.js: once copied at every comment."""
    literal = tweets_js(THREE).replace('"tweet":', "tweet:")
    comments = "// c\n" * 300_000  # short ones: each copy of the rest costs the same
    export(root, literal.replace("[", "[\n" + comments, 1))
    return Case("bomb_comments_in_literal_tweets_js", [root], tweets=3, isolate=True, max_seconds=5)


@case
def bomb_fifo_in_source(root):
    """A named pipe where a Markdown file would be: reading it would block forever."""
    md_file(root / MD_NAME, ["one", "two"])
    os.mkfifo(root / "tweets_2019-06.md")
    (root / "media").mkdir()
    os.mkfifo(root / "media" / "pipe.png")
    return Case("bomb_fifo_in_source", [root], tweets=2, isolate=True, max_seconds=10)


@case
def bomb_fifo_as_tweets_js(root):
    export(root, THREE)
    os.mkfifo(root / "data" / "tweets-part1.js")
    return Case("bomb_fifo_as_tweets_js", [root], tweets=3, isolate=True, max_seconds=10)
