"""Open a SOURCE (folder, zip file or single file) as a read-only tree of archive files.

Zip members are read in place, never extracted. Every path handed out is relative to the
source root and checked to stay inside it, so a hostile archive can't make us read
`../../etc/passwd` or follow a symlink out of the folder.
"""

from __future__ import annotations

import copy
import errno
import os
import posixpath
import stat
import unicodedata
import zipfile
from pathlib import Path
from typing import BinaryIO

from .errors import EtlError


class SourceError(EtlError):
    """A SOURCE that can't be read at all: reported as one line, exit status 1."""


class UnreadableZip(SourceError):
    """A zip file that can't be opened at all; `why` says so without naming the file."""

    def __init__(self, location: str, why: str):
        super().__init__(f"{location}: {why}")
        self.why = why


def safe_join(base: str, ref: str) -> str | None:
    """Resolve `ref` (a relative reference found inside file `base`) to a root-relative path.

    Returns None when the reference is absolute, a URL, or climbs out of the root.
    """
    if not ref or "\x00" in ref or "://" in ref or ref.startswith(("/", "\\")):
        return None
    if len(ref) > 1 and ref[1] == ":":  # C:\ style
        return None
    joined = posixpath.normpath(posixpath.join(posixpath.dirname(base), ref.replace("\\", "/")))
    if joined == ".." or joined.startswith("../") or joined.startswith("/"):
        return None
    return joined


class Tree:
    """The files of one SOURCE, addressed by root-relative POSIX paths."""

    location: str
    # Members that are there but can't be read (encrypted, or compressed in a way we can't
    # undo), with why: never listed, never opened; `refused`: those a reader looked for.
    # Only a zip has any; each tree has dicts of its own.
    unreadable: dict[str, str]
    refused: dict[str, str]
    _spellings: dict[str, str] | None = None

    def files(self) -> list[str]:
        raise NotImplementedError

    def layers(self) -> list[Tree]:
        """Further trees over the same SOURCE holding files that this one hides: a zip may
        hold several members of one name. Each has `own`, the names it holds anew."""
        return []

    def find(self, path: str) -> str | None:
        """The stored name of the regular file at `path`, None when there is none.

        A name may be stored in another Unicode normalisation form than a reference to it
        spells it (macOS writes names decomposed, NFD; most else composed, NFC): on a miss,
        the name is looked up by its NFC form."""
        if self.size(path) is not None:
            return path
        key = unicodedata.normalize("NFC", path)
        for other in (key, self.spelled(key)):
            if other is not None and other != path and self.size(other) is not None:
                return other
        return None

    def spelled(self, key: str) -> str | None:
        """The stored name whose NFC form is `key`, from an index made at the first miss
        (only names that are not ASCII can differ)."""
        if self._spellings is None:
            self._spellings = {
                unicodedata.normalize("NFC", name): name
                for name in self.files()
                if not name.isascii()
            }
        return self._spellings.get(key)

    def read_bytes(self, path: str, limit: int | None = None) -> bytes:
        raise NotImplementedError

    def size(self, path: str) -> int | None:
        """Size in bytes of a regular file inside the tree, None when absent."""
        raise NotImplementedError

    def open(self, path: str) -> BinaryIO:
        raise NotImplementedError

    def read_text(self, path: str) -> str:
        return self.read_bytes(path).decode("utf-8-sig")


# How much of a file a format may look at to recognise it (and to tell a binary file).
HEAD_BYTES = 64 * 1024


class FolderTree(Tree):
    def __init__(self, root: Path):
        self.root = Path(os.path.realpath(root))
        self.location = str(root)
        self._files: list[str] | None = None
        self._sizes: dict[str, int | None] = {}  # each file is looked at once per build
        self.unreadable, self.refused = {}, {}

    def files(self) -> list[str]:
        """Regular files only: a symlink may leave the folder, and opening a FIFO, socket or
        device would block or read forever. Names that aren't UTF-8 can't be stored: skipped."""
        if self._files is None:
            found = []
            folders = [""]
            while folders:
                folder = folders.pop()
                try:
                    with os.scandir(self.root / folder) as scan:
                        entries = sorted(scan, key=lambda e: e.name)
                except OSError:
                    continue
                subfolders = []
                for entry in entries:
                    path = f"{folder}/{entry.name}" if folder else entry.name
                    if not is_utf8(entry.name):
                        continue
                    if entry.is_dir(follow_symlinks=False):
                        subfolders.append(path)
                    elif entry.is_file(follow_symlinks=False):
                        found.append(path)
                folders.extend(reversed(subfolders))
            self._files = found
        return self._files

    def _resolve(self, path: str) -> str | None:
        """The file at `path`, or None when a symlink is on the way: one could lead out of the
        folder, or from `media/` to a private file. (realpath, unlike Path.resolve, answers a
        symlink loop rather than raising.)"""
        full = os.path.realpath(self.root / path)
        root = str(self.root)
        if full != os.path.normpath(self.root / path):
            return None
        if full != root and not full.startswith(root.rstrip(os.sep) + os.sep):
            return None
        return full

    def read_bytes(self, path: str, limit: int | None = None) -> bytes:
        with self.open(path) as f:
            return f.read() if limit is None else f.read(limit)

    def open(self, path: str) -> BinaryIO:
        full = self._resolve(path)
        if full is None:
            raise FileNotFoundError(path)
        # O_NONBLOCK: opening a FIFO must not wait for a writer; it is refused just after.
        fd = os.open(full, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            os.close(fd)
            raise OSError(errno.EINVAL, "not a regular file", full)
        return os.fdopen(fd, "rb")

    def size(self, path: str) -> int | None:
        if path not in self._sizes:
            full = self._resolve(path)
            try:
                info = os.stat(full) if full else None
            except (OSError, ValueError):
                info = None
            self._sizes[path] = info.st_size if info and stat.S_ISREG(info.st_mode) else None
        return self._sizes[path]


def is_utf8(name: str) -> bool:
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


# Members compressed otherwise (Deflate64 from Windows, bzip2, LZMA) are unreadable here or
# could expand without bound in a single read.
READABLE_METHODS = {zipfile.ZIP_STORED: "stored", zipfile.ZIP_DEFLATED: "deflated"}
METHOD_NAMES = {9: "Deflate64", 12: "bzip2", 14: "LZMA", 93: "Zstandard", 95: "xz", 98: "PPMd"}


class ZipTree(Tree):
    """The members of a zip file.

    A zip can hold several members of one name (appended twice, or `data/./tweets.js` beside
    `data\\tweets.js`): this tree holds the last of each, as unzip would leave it, and
    `layers()` the others, so that every member is read. Members that can't be read are
    kept out (`unreadable`); one looked up by name is noted in `refused` for its reader to
    report."""

    def __init__(self, path: Path):
        self.location = str(path)
        self._pid = os.getpid()
        try:
            self.zip = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError) as e:
            raise UnreadableZip(str(path), f"not a readable zip file ({e})") from None
        self.unreadable, self.refused = {}, {}
        copies: dict[str, list[zipfile.ZipInfo]] = {}
        for info in self.zip.infolist():
            name = posixpath.normpath(info.filename.replace("\\", "/"))
            if info.is_dir() or name.startswith(("../", "/")) or name == "..":
                continue
            if name.startswith("__MACOSX/"):
                continue
            why = unreadable_reason(info)
            if why:
                self.unreadable.setdefault(name, why)
                continue
            # An identical copy would only yield the same records again: the later one stands.
            same = [
                c
                for c in copies.get(name, [])
                if (c.CRC, c.file_size) != (info.CRC, info.file_size)
            ]
            copies[name] = [*same, info]
        self._members = {name: same[-1] for name, same in copies.items()}
        self._earlier = [
            {name: same[-1 - n] for name, same in copies.items() if len(same) > n}
            for n in range(1, max(map(len, copies.values()), default=1))
        ]
        self.own: set[str] = set()

    def layers(self) -> list[ZipTree]:
        layers = []
        for earlier in self._earlier:
            layer = copy.copy(self)
            layer._members = {**self._members, **earlier}
            layer._earlier, layer.own, layer._spellings = [], set(earlier), None
            layers.append(layer)
        return layers

    def files(self) -> list[str]:
        return sorted(self._members)

    def read_bytes(self, path: str, limit: int | None = None) -> bytes:
        with self.open(path) as f:
            return f.read() if limit is None else f.read(limit)

    def open(self, path: str) -> BinaryIO:
        info = self._members.get(path)
        if info is None:
            raise FileNotFoundError(path)
        if os.getpid() != self._pid:
            # A forked process (the build reads tweets in a child, etl/prefetch.py) shares
            # the file's offset with its parent: each seeks and reads in turn, and either
            # may read the other's bytes. Its own handle keeps them apart.
            self.zip, self._pid = zipfile.ZipFile(self.location), os.getpid()
        return self.zip.open(info)

    def size(self, path: str) -> int | None:
        info = self._members.get(path)
        if info is None and path in self.unreadable:
            self.refused[path] = self.unreadable[path]
        return None if info is None else info.file_size


def unreadable_reason(info: zipfile.ZipInfo) -> str | None:
    """Why a member can't be read here (said after "<name> is"), None when it can."""
    if info.flag_bits & 0x1:
        return "encrypted; unzip it with its password and build from the folder"
    if info.compress_type not in READABLE_METHODS:
        method = METHOD_NAMES.get(info.compress_type, f"method {info.compress_type}")
        return (
            f"compressed with {method}, which can't be read here; unzip it (unzip or 7-Zip "
            "can) and build from the folder"
        )
    return None


class SingleFileTree(Tree):
    """A lone file: its folder is the root, but only that file is listed."""

    def __init__(self, path: Path):
        self._folder = FolderTree(path.parent)
        self.name = path.name
        self.location = str(path)
        self._listed: dict[str, dict[str, str]] = {}
        self.unreadable, self.refused = {}, {}

    def files(self) -> list[str]:
        return [self.name]

    def read_bytes(self, path: str, limit: int | None = None) -> bytes:
        return self._folder.read_bytes(path, limit)

    def open(self, path: str) -> BinaryIO:
        return self._folder.open(path)

    def size(self, path: str) -> int | None:
        return self._folder.size(path)

    def spelled(self, key: str) -> str | None:
        # Only the folder the reference names is listed: the file's own folder can be
        # anything (a home folder), too big to walk for one media file.
        folder = posixpath.dirname(key)
        if folder not in self._listed:
            try:
                with os.scandir(self._folder.root / folder) as scan:
                    names = [entry.name for entry in scan if is_utf8(entry.name)]
            except OSError:
                names = []
            self._listed[folder] = {
                unicodedata.normalize("NFC", name): posixpath.join(folder, name)
                for name in names
                if not name.isascii()
            }
        return self._listed[folder].get(posixpath.basename(key))


def open_tree(location: str) -> Tree:
    path = Path(location)
    if not path.exists():
        raise SourceError(f"{location}: no such file or folder")
    if path.is_dir():
        return FolderTree(path)
    if not path.is_file():
        raise SourceError(f"{location}: not a regular file or folder")
    if path.stat().st_size == 0:
        raise SourceError(f"{location}: the file is empty")
    with open(path, "rb") as f:
        head = f.read(4)
    if head.startswith(b"PK"):
        return ZipTree(path)
    return SingleFileTree(path)
