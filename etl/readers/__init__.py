"""The registry of formats: which reader understands which part of a SOURCE.

A SOURCE can hold several archives: a folder with twitter-archive-parser Markdown and the
zip Twitter sent, say. Each is found here and read as a source of its own.

Each format is one module listed in FORMATS, declaring:

    FORMAT: str            its name (SourceInfo.format, the sources table's `format`)
    RANK: str              precedence rank: a record from a higher rank wins ("2" > "1")
    IS_EXPORT: bool        an export Twitter made, not a conversion of one
                           (SourceInfo.is_export: an owner's newest export is compared)
    find_archives(tree, files, taken) -> list[tuple[str, list[str]]]
                           (root, files) of each archive of the format among a tree's
                           `files`; `taken` holds the roots found by the formats listed
                           before it (an export's own files are not claimed twice)
    expected_files(found) -> int
                           how many files reading `found` will go through (progress bar)
    open_archive(found, info, options) -> ArchiveReader
                           a reader whose `info` is filled, before reading, as far as the
                           archive's side files allow: owner when it is named there, and
                           `exported_at` (the precedence is made of it)

A caller never asks which format it has:

    for found in plan(locations):        # or detect(tree, location), per location
        found.expected_files()           # for a progress bar
        reader = found.open(options)     # reader.info.precedence known from here on
        for record in reader.read():     # Tweet | Like | Problem, file by file
            ...
        reader.info                      # complete: files, entries, skipped, owner

`Found.open` wraps the format's reader so that every format counts entries (tweets and
entry problems) and falls back to the most common tweet author as owner the same way.
Adding a format: one module declaring the above, one line in FORMATS.
"""

from __future__ import annotations

import posixpath
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from types import ModuleType
from typing import Protocol

from ..records import Like, Options, Problem, SourceInfo, Tweet
from ..sources import (
    HEAD_BYTES,
    FolderTree,
    SingleFileTree,
    SourceError,
    Tree,
    ZipTree,
    open_tree,
)
from . import legacy, markdown, official

# In detection order: a format sees the roots of those before it (Markdown leaves the
# exports' own data/ folders alone).
FORMATS: list[ModuleType] = [official, legacy, markdown]


class ArchiveReader(Protocol):
    info: SourceInfo

    def read(self) -> Iterator[Tweet | Like | Problem]: ...


@dataclass
class Found:
    module: ModuleType  # one of FORMATS
    tree: Tree
    location: str
    root: str = ""
    files: list[str] = field(default_factory=list)  # what the format claimed, if it lists files

    @property
    def format(self) -> str:
        return self.module.FORMAT

    def expected_files(self) -> int:
        """How many files reading this archive will go through (for a progress bar)."""
        return self.module.expected_files(self)

    def open(self, options: Options) -> ArchiveReader:
        """A reader whose info.precedence is known before reading starts."""
        info = SourceInfo(
            name=posixpath.basename(self.location.rstrip("/\\")) or self.location,
            location=self.location,
            format=self.module.FORMAT,
            precedence="",
            is_export=self.module.IS_EXPORT,
        )
        reader = self.module.open_archive(self, info, options)
        # Between archives of one rank, the newer export wins.
        info.precedence = self.module.RANK + "|" + (info.exported_at or "")
        return Counted(reader)


class Counted:
    """A format's reader, counting its entries and naming the owner by the most common tweet
    author when the archive named none."""

    def __init__(self, reader: ArchiveReader):
        self.reader = reader
        self.info = reader.info

    def read(self) -> Iterator[Tweet | Like | Problem]:
        info = self.info
        authors: Counter[str] = Counter()
        for item in self.reader.read():
            if isinstance(item, Tweet):
                info.entries += 1
                authors[item.author.screen_name] += 1
            elif isinstance(item, Problem):
                info.entries += item.entry
            yield item
        if info.owner is None and authors:
            info.owner = authors.most_common(1)[0][0]


def plan(locations: list[str]) -> list[Found]:
    """Open and recognise every SOURCE before anything is read (bad input fails fast)."""
    found = []
    for location in locations:
        found += detect(open_tree(location), location)
    return found


def detect(tree: Tree, location: str, nested: bool = True) -> list[Found]:
    """Every archive inside a tree, or a SourceError naming what was expected."""
    files = tree.files()
    found: list[Found] = []
    for module in FORMATS:
        taken = [f.root for f in found]
        found += [
            Found(module, tree, location + sub(root), root, claimed)
            for root, claimed in module.find_archives(tree, files, taken)
        ]
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
