"""Open a SOURCE (folder, zip file or single file) as a read-only tree of archive files.

Zip members are read in place, never extracted. Every path handed out is relative to the
source root and checked to stay inside it, so a hostile archive can't make us read
`../../etc/passwd` or follow a symlink out of the folder.
"""

from __future__ import annotations

import os
import posixpath
import zipfile
from pathlib import Path
from typing import BinaryIO

import click


class SourceError(click.ClickException):
    """A SOURCE that can't be read at all: reported as one line, exit status 1."""


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

    def files(self) -> list[str]:
        raise NotImplementedError

    def read_bytes(self, path: str, limit: int | None = None) -> bytes:
        raise NotImplementedError

    def size(self, path: str) -> int | None:
        """Size in bytes of a regular file inside the tree, None when absent."""
        raise NotImplementedError

    def open(self, path: str) -> BinaryIO:
        raise NotImplementedError

    def read_text(self, path: str) -> str:
        return self.read_bytes(path).decode("utf-8-sig")


class FolderTree(Tree):
    def __init__(self, root: Path):
        self.root = root.resolve()
        self.location = str(root)
        self._files: list[str] | None = None

    def files(self) -> list[str]:
        if self._files is None:
            found = []
            for dirpath, dirnames, filenames in os.walk(self.root):
                dirnames.sort()
                for name in sorted(filenames):
                    full = Path(dirpath, name)
                    if full.is_symlink():
                        continue
                    found.append(full.relative_to(self.root).as_posix())
            self._files = found
        return self._files

    def _resolve(self, path: str) -> Path | None:
        full = (self.root / path).resolve()
        if full != self.root and self.root not in full.parents:
            return None
        return full

    def read_bytes(self, path: str, limit: int | None = None) -> bytes:
        full = self._resolve(path)
        if full is None:
            raise FileNotFoundError(path)
        with open(full, "rb") as f:
            return f.read() if limit is None else f.read(limit)

    def open(self, path: str) -> BinaryIO:
        full = self._resolve(path)
        if full is None:
            raise FileNotFoundError(path)
        return open(full, "rb")

    def size(self, path: str) -> int | None:
        full = self._resolve(path)
        if full is None or not full.is_file():
            return None
        return full.stat().st_size


class ZipTree(Tree):
    def __init__(self, path: Path):
        self.location = str(path)
        try:
            self.zip = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError) as e:
            raise SourceError(f"{path}: not a readable zip file ({e})") from None
        self._members = {}
        for info in self.zip.infolist():
            name = posixpath.normpath(info.filename.replace("\\", "/"))
            if info.is_dir() or name.startswith(("../", "/")) or name == "..":
                continue
            if name.startswith("__MACOSX/"):
                continue
            self._members[name] = info

    def files(self) -> list[str]:
        return sorted(self._members)

    def read_bytes(self, path: str, limit: int | None = None) -> bytes:
        info = self._members.get(path)
        if info is None:
            raise FileNotFoundError(path)
        with self.zip.open(info) as f:
            return f.read() if limit is None else f.read(limit)

    def open(self, path: str) -> BinaryIO:
        info = self._members.get(path)
        if info is None:
            raise FileNotFoundError(path)
        return self.zip.open(info)

    def size(self, path: str) -> int | None:
        info = self._members.get(path)
        return None if info is None else info.file_size


class SingleFileTree(Tree):
    """A lone file: its folder is the root, but only that file is listed."""

    def __init__(self, path: Path):
        self._folder = FolderTree(path.parent)
        self.name = path.name
        self.location = str(path)

    def files(self) -> list[str]:
        return [self.name]

    def read_bytes(self, path: str, limit: int | None = None) -> bytes:
        return self._folder.read_bytes(path, limit)

    def open(self, path: str) -> BinaryIO:
        return self._folder.open(path)

    def size(self, path: str) -> int | None:
        return self._folder.size(path)


def open_tree(location: str) -> Tree:
    path = Path(location)
    if not path.exists():
        raise SourceError(f"{location}: no such file or folder")
    if path.is_dir():
        return FolderTree(path)
    if path.stat().st_size == 0:
        raise SourceError(f"{location}: the file is empty")
    with open(path, "rb") as f:
        head = f.read(4)
    if head.startswith(b"PK"):
        return ZipTree(path)
    return SingleFileTree(path)
