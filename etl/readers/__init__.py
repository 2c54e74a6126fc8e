"""Which reader understands which files of a SOURCE."""

from __future__ import annotations

import posixpath

from ..sources import SingleFileTree, SourceError, Tree
from . import markdown

HEAD_BYTES = 64 * 1024

# Files of official exports: named so the error says what was found instead of "nothing".
OFFICIAL_EXPORT_FILES = ("tweets.js", "tweet.js", "tweets-part1.js")
LEGACY_EXPORT_DIR = "data/js/tweets/"


def detect(tree: Tree) -> tuple[str, list[str]]:
    """The format of a tree and the files its reader should read, in reading order."""
    claimed = []
    for path in tree.files():
        if not path.endswith(".md"):
            continue
        head = tree.read_bytes(path, HEAD_BYTES)
        if b"\x00" in head:
            continue
        if markdown.claims(path, head):
            claimed.append(path)
    if claimed:
        return markdown.FORMAT, claimed
    raise SourceError(no_archive_message(tree))


def no_archive_message(tree: Tree) -> str:
    files = tree.files()
    if isinstance(tree, SingleFileTree):
        head = tree.read_bytes(files[0], HEAD_BYTES)
        if b"\x00" in head:
            return f"{tree.location}: a binary file, not a Twitter archive"
        return (
            f"{tree.location}: not a Twitter archive (expected twitter-archive-parser Markdown "
            "with '(Originally on Twitter: [...](...))' footers)"
        )
    names = {posixpath.basename(f) for f in files}
    if names & set(OFFICIAL_EXPORT_FILES) or any(f.startswith(LEGACY_EXPORT_DIR) for f in files):
        return (
            f"{tree.location}: an official Twitter export; this version reads only "
            "twitter-archive-parser Markdown (tweets_YYYY-MM.md files)"
        )
    return (
        f"{tree.location}: no Twitter archive found (looked for tweets_YYYY-MM.md, "
        "YYYY-MM-01-Tweet-Archive-YYYY-MM.md or YYYY-MM-01-tweets.md)"
    )


READERS = {markdown.FORMAT: markdown}
PRECEDENCE = {markdown.FORMAT: 10}
