"""Which reader understands which part of a SOURCE.

A SOURCE can hold several archives: a folder with twitter-archive-parser Markdown and the
zip Twitter sent, say. Each is found here and read as a source of its own.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator
from dataclasses import dataclass, field

from ..records import Like, Problem, SourceInfo, Tweet
from ..sources import FolderTree, SingleFileTree, SourceError, Tree, ZipTree
from . import legacy, markdown, official
from .official import Options

HEAD_BYTES = 64 * 1024

# Official and legacy exports outrank Markdown made from them; between exports, the newer wins
# (SourceInfo.precedence appends the export date).
FORMAT_RANK = {markdown.FORMAT: "1", legacy.FORMAT: "2", official.FORMAT: "2"}


@dataclass
class Found:
    format: str
    tree: Tree
    location: str
    root: str = ""
    files: list[str] = field(default_factory=list)

    def expected_files(self) -> int:
        """How many files reading this archive will go through (for a progress bar)."""
        if self.format == markdown.FORMAT:
            return len(self.files)
        names = [p[len(self.root) :] for p in self.tree.files() if p.startswith(self.root)]
        if self.format == legacy.FORMAT:
            return sum(1 for n in names if legacy.MONTH_FILE.match(n))
        return sum(1 for n in names if official.is_read(n))


def detect(tree: Tree, location: str, nested: bool = True) -> list[Found]:
    """Every archive inside a tree, or a SourceError naming what was expected."""
    files = tree.files()
    found = [
        Found(official.FORMAT, tree, location + sub(root), root)
        for root in official.find_roots(files)
    ]
    found += [
        Found(legacy.FORMAT, tree, location + sub(root), root) for root in legacy.find_roots(files)
    ]
    export_roots = [f.root for f in found]
    claimed = []
    for path in files:
        if not path.endswith(".md") or any(path.startswith(r + "data/") for r in export_roots):
            continue
        # A NUL in the head is damage to report line by line, not a reason to skip the file.
        if markdown.claims(path, tree.read_bytes(path, HEAD_BYTES)):
            claimed.append(path)
    if claimed:
        found.append(Found(markdown.FORMAT, tree, location, files=claimed))
    if nested and isinstance(tree, FolderTree):
        for path in files:
            if path.lower().endswith(".zip"):
                zipped = ZipTree(tree.root / path)
                found += detect(zipped, posixpath.join(location, path), nested=False)
    if not found and nested:
        raise SourceError(no_archive_message(tree))
    return found


def sub(root: str) -> str:
    return "/" + root.rstrip("/") if root else ""


def read(found: Found, info: SourceInfo, options: Options) -> Iterator[Tweet | Like | Problem]:
    if found.format == official.FORMAT:
        yield from official.ExportReader(found.tree, found.root, info, options).read()
    elif found.format == legacy.FORMAT:
        yield from legacy.LegacyReader(found.tree, found.root, info, options).read()
    else:
        for path in found.files:
            info.files.append(path)
            yield from markdown.read(found.tree, path, options.owner)


def no_archive_message(tree: Tree) -> str:
    files = tree.files()
    if isinstance(tree, SingleFileTree):
        head = tree.read_bytes(files[0], HEAD_BYTES)
        if b"\x00" in head:
            return f"{tree.location}: a binary file, not a Twitter archive"
        return (
            f"{tree.location}: not a Twitter archive (expected a Twitter export zip, or "
            "twitter-archive-parser Markdown with '(Originally on Twitter: [...](...))' footers)"
        )
    return (
        f"{tree.location}: no Twitter archive found (looked for data/tweets.js, data/tweet.js, "
        "data/js/tweets/*.js, a zip of those, or tweets_YYYY-MM.md Markdown files)"
    )
