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

import io
import posixpath
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from types import ModuleType
from typing import Protocol

from .. import textcodec
from ..records import Like, Options, Problem, SourceInfo, Tweet
from ..sources import (
    HEAD_BYTES,
    FolderTree,
    SingleFileTree,
    SourceError,
    Tree,
    UnreadableZip,
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
    name: str = ""  # the source's name, when not its location's last part
    problems: list[Problem] = field(default_factory=list)  # about the SOURCE: reported first
    # The folder or zip the tree's paths (media paths among them) are relative to: the SOURCE,
    # or a zip inside it; `location` adds the archive's own folder within it.
    tree_location: str = ""

    @property
    def format(self) -> str:
        return self.module.FORMAT

    def expected_files(self) -> int:
        """How many files reading this archive will go through (for a progress bar)."""
        return self.module.expected_files(self)

    def open(self, options: Options) -> ArchiveReader:
        """A reader whose info.precedence is known before reading starts."""
        info = SourceInfo(
            name=self.name or source_name(self.location),
            location=self.location,
            format=self.module.FORMAT,
            precedence="",
            is_export=self.module.IS_EXPORT,
            tree_location=self.tree_location or self.location,
        )
        reader = self.module.open_archive(self, info, options)
        # Between archives of one rank, the newer export wins.
        info.precedence = self.module.RANK + "|" + (info.exported_at or "")
        return Counted(reader, self.problems, self.tree)


class Counted:
    """A format's reader, counting its entries and naming the owner by the most common tweet
    author when the archive named none; with the problems found about its SOURCE before,
    and those of the members it looked for that could not be read."""

    def __init__(self, reader: ArchiveReader, problems: list[Problem], tree: Tree):
        self.reader = reader
        self.info = reader.info
        self.problems, self.tree = problems, tree

    def read(self) -> Iterator[Tweet | Like | Problem]:
        info = self.info
        authors: Counter[str] = Counter()
        yield from self.problems
        for item in self.reader.read():
            if isinstance(item, Tweet):
                info.entries += 1
                authors[item.author.screen_name] += 1
            elif isinstance(item, Problem):
                info.entries += item.entry
            yield item
        if info.owner is None and authors:
            info.owner = authors.most_common(1)[0][0]
        for path, why in sorted(self.tree.refused.items()):
            yield Problem(path, 0, f"can't be read: it is {why}", entry=False)
        self.tree.refused.clear()  # the tree's other archives report their own


def plan(locations: list[str], private: bool = False) -> list[Found]:
    """Open and recognise every SOURCE before anything is read (bad input fails fast).

    A private build (--private) also takes an official export without its tweets file:
    the owner's DMs, followers and blocks are worth reading on their own."""
    found = []
    for location in locations:
        tree = open_tree(location)
        try:
            found += detect(tree, location)
        except SourceError:
            exports = private_exports(tree, location) if private else []
            if not exports:
                raise
            found += exports
    return found


def private_exports(tree: Tree, location: str) -> list[Found]:
    """Official exports in `tree` (or in the zips of a folder) that have no tweets file, for
    a private build."""
    found = [
        Found(official, tree, location + sub(root), root, [], tree_location=location)
        for root in official.find_private_roots(tree.files())
    ]
    if isinstance(tree, FolderTree):
        for path in tree.files():
            if path.lower().endswith(".zip"):
                try:
                    zipped = ZipTree(tree.root / path)
                except UnreadableZip:
                    continue  # detect() has told why
                found += private_exports(zipped, posixpath.join(location, path))
    return found


def detect(tree: Tree, location: str, nested: bool = True) -> list[Found]:
    """Every archive inside a tree, or a SourceError naming what was expected.

    A zip inside a folder that can't be read costs only itself: a problem row (the zip's path
    within the SOURCE, line 0) reported with the first archive found; the SourceError only
    when there is none."""
    found = archives(tree, location)
    failed: list[tuple[str, str]] = []  # (zip's path within the SOURCE, why it was not read)
    if nested and isinstance(tree, FolderTree):
        for path in tree.files():
            if path.lower().endswith(".zip"):
                try:
                    zipped = ZipTree(tree.root / path)
                except UnreadableZip as e:
                    failed.append((path, e.why))
                    continue
                inside = archives(zipped, posixpath.join(location, path))
                refusal = None if inside else unreadable_member(zipped)
                if refusal:
                    failed.append((path, refusal))
                found += inside
    if not found and nested:
        if failed:
            path, why = failed[0]
            raise SourceError(f"{tree.root / path}: {why}")
        refusal = unreadable_member(tree)
        raise SourceError(f"{tree.location}: {refusal}" if refusal else no_archive_message(tree))
    if found:
        found[0].problems += [Problem(path, 0, why, entry=False) for path, why in failed]
    return found


def archives(tree: Tree, location: str) -> list[Found]:
    """The archives of one tree and of its layers (a zip's further members of one name, each
    read as a source of its own), the first of them told about the members that it would
    read but can't."""
    found = formats_in(tree, location)
    for number, layer in enumerate(tree.layers(), 2):
        found += [
            Found(
                f.module,
                layer,
                f.location,
                f.root,
                f.files,
                f"{source_name(f.location)} (copy {number})",
                tree_location=f.tree_location,
            )
            for f in formats_in(layer, location)
            if any(reads(f.module, name, f.root, f.files) for name in layer.own)
        ]
    if found:
        found[0].problems += [
            Problem(path, 0, f"can't be read: it is {why}", entry=False)
            for path, why in sorted(tree.unreadable.items())
            if wanted(tree, path, found)
        ]
    return found


def formats_in(tree: Tree, location: str) -> list[Found]:
    files = tree.files()
    found: list[Found] = []
    for module in FORMATS:
        taken = [f.root for f in found]
        found += [
            Found(module, tree, location + sub(root), root, claimed, tree_location=location)
            for root, claimed in module.find_archives(tree, files, taken)
        ]
    return found


def source_name(location: str) -> str:
    return posixpath.basename(location.rstrip("/\\")) or location


class OneEmptyFile(Tree):
    """A tree holding one empty file: to ask a format whether it reads a file of a name."""

    def __init__(self, path: str):
        self.path = self.location = path

    def files(self) -> list[str]:
        return [self.path]

    def read_bytes(self, path: str, limit: int | None = None) -> bytes:
        return b""

    def size(self, path: str) -> int | None:
        return 0 if path == self.path else None

    def open(self, path: str):
        return io.BytesIO(b"")


def reads(module: ModuleType, path: str, root: str = "", claimed: list[str] = ()) -> bool:
    """Would an archive of `module` at `root` (which claimed `claimed`) read a file `path`?
    Asked of the format itself: the files it expects to read in a tree of that one file."""
    files = [path] if path in claimed else []
    return module.expected_files(Found(module, OneEmptyFile(path), "", root, files)) > 0


def wanted(tree: Tree, path: str, found: list[Found]) -> bool:
    """Would a format read the member `path` (that can't be read) if it could: as part of an
    archive found, or as an archive of its own? Members no format reads (direct messages,
    ads, a README) cost nothing."""
    if any(reads(f.module, path, f.root) for f in found if f.tree is tree):
        return True
    one, taken = OneEmptyFile(path), [f.root for f in found if f.tree is tree]
    for module in FORMATS:
        for root, claimed in module.find_archives(one, [path], taken):
            if reads(module, path, root, claimed):
                return True
            taken.append(root)
    return False


def unreadable_member(tree: Tree) -> str | None:
    """For a tree in which no archive was found: the first member a format would have read
    that can't be read, and why."""
    for path, why in sorted(tree.unreadable.items()):
        if wanted(tree, path, []):
            return f"{path} is {why}"
    return None


def sub(root: str) -> str:
    return "/" + root.rstrip("/") if root else ""


def no_archive_message(tree: Tree) -> str:
    files = tree.files()
    if isinstance(tree, SingleFileTree):
        # Decoded first: UTF-16 or UTF-32 text (with its BOM) is full of NUL bytes.
        head = textcodec.decode(tree.read_bytes(files[0], HEAD_BYTES))
        if "\x00" in head:
            return f"{tree.location}: a binary file, not a Twitter archive"
        return (
            f"{tree.location}: not a Twitter archive (expected a Twitter export zip, or "
            "twitter-archive-parser Markdown with '(Originally on Twitter: [...](...))' footers)"
        )
    return (
        f"{tree.location}: no Twitter archive found (looked for data/tweets.js, data/tweet.js, "
        "data/js/tweets/*.js, a zip of those, or tweets_YYYY-MM.md Markdown files)"
    )
