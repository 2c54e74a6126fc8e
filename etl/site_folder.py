"""Which folders publishing may write, and the marker that says a folder is one it made.

Publishing replaces `--target dir`'s OUT whole and rewrites `NAME.site` beside the database,
so a folder is written only when it is missing, empty or carries the marker (or has the
exact shape of a folder an earlier, unmarked version made); and never the database's
folder, an archive's, the project's, the home folder or `/`, nor a folder holding one of
them. Every check reads only: nothing is written before all of them passed.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

from .build import SQLITE_HEADER
from .errors import EtlError
from .site import DATABASE_NAME, PROJECT

MARKER = ".tweets-etl-site"
MADE_BY = "tweets-etl"
CHOOSE = "choose a new or empty folder"

DB = f"{DATABASE_NAME}.db"
# What any publish may leave in a folder of its own: a failed one, its log and temp file.
LEFTOVERS = {"smoke.log": "file", "smoke.json": "file", f".{DB}.tmp": "file"}
WORK_FILES = {
    DB: "file",
    "metadata.json": "file",
    "inspect-data.json": "file",
    "media": "dir",
    **LEFTOVERS,
}
BUNDLE_FILES = {
    **WORK_FILES,
    "settings.json": "file",
    "requirements.txt": "file",
    "Dockerfile": "file",
    "README.md": "file",
    "plugins": "dir",
    "templates": "dir",
    "static": "dir",
}
# The README every bundle had before the marker existed (it never changed): with the exact
# set of names above, it is how such a bundle is told from a user's folder.
UNMARKED_BUNDLE_README = """\
# Tweet archive site

A self-contained Datasette site, made by `make publish TARGET=dir`.

    python3 -m venv .venv && .venv/bin/pip install -r requirements.txt
    TWEET_ARCHIVE_MEDIA_ROOT=media .venv/bin/datasette serve . -p 8001

or build the Dockerfile and run it anywhere that runs containers (it listens on $PORT).
The database is served read-only; deploy as many copies as you need.
"""


class FolderRefused(EtlError):
    pass


def mark(folder: Path, contents: list[str] | None = None) -> None:
    """Write the marker; `contents` (a finished bundle's top-level names) lets a later
    publish tell what it may replace from what someone added since."""
    try:
        version = metadata.version(MADE_BY)
    except metadata.PackageNotFoundError:
        version = None
    record = {
        "made_by": MADE_BY,
        "version": version,
        "written_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    if contents is not None:
        record["contents"] = contents
    (folder / MARKER).write_text(json.dumps(record, indent=2) + "\n")


def marker(folder: Path) -> dict | None:
    """The marker's record, or None when `folder` is not a real folder carrying one."""
    path = folder / MARKER
    if folder.is_symlink() or path.is_symlink() or not path.is_file():
        return None
    if path.stat().st_size > 64 * 1024:
        return None
    try:
        record = json.loads(path.read_text())
    except (ValueError, UnicodeDecodeError):
        return None
    if not isinstance(record, dict) or record.get("made_by") != MADE_BY:
        return None
    return record


def check_out(out: Path, db: Path) -> None:
    """Refuse, in one line, an OUT for `--target dir` that publishing could harm: the bundle
    replaces OUT whole, by way of `.NAME.publishing` and `.NAME.old` beside it."""
    out = out.resolve()
    try:
        check_not_precious(out, db)
        check_ancestors(out)
        check_replaceable(out)
        for sibling in (staging_path(out), old_path(out)):
            check_removable(sibling, out)
    except OSError as e:
        raise FolderRefused(f"{e.filename or out}: {e.strerror or e}") from None


def check_work(work: Path) -> None:
    """Refuse a `NAME.site` folder beside the database that publishing did not make: it is
    rewritten in place, its media/ emptied first."""
    try:
        check_ancestors(work)
        if not work.exists() and not work.is_symlink():
            return
        if not work.is_dir():
            raise FolderRefused(f"{work}: a file, not a folder, where the site is assembled")
        if marker(work) is not None or unmarked_shape(work, WORK_FILES):
            return
        names = entries(work)
        if names:
            raise FolderRefused(
                f"{work}: not empty ({listing(names)}) and not made by tweets-etl, which "
                "assembles the site there; move it or publish a database of another name"
            )
    except OSError as e:
        raise FolderRefused(f"{e.filename or work}: {e.strerror or e}") from None


def staging_path(out: Path) -> Path:
    return out.with_name(f".{out.name}.publishing")


def old_path(out: Path) -> Path:
    return out.with_name(f".{out.name}.old")


def check_not_precious(out: Path, db: Path) -> None:
    if out == Path(out.anchor):
        raise FolderRefused(f"{out}: the root folder; {CHOOSE}")
    precious = [(PROJECT, "the project folder of tweets-etl", "the project folder of tweets-etl")]
    try:
        precious.insert(0, (Path.home(), "your home folder", "your home folder"))
    except RuntimeError:  # no HOME, no passwd entry: nothing to protect under that name
        pass
    for where in {db.absolute(), db.resolve()}:
        precious.append((where.parent, f"the folder of the database {db}", f"the database {db}"))
    for location in archive_locations(db):
        if location.is_dir():
            if out == location.resolve():
                raise FolderRefused(f"{out}: the archive {location}; {CHOOSE}")
            if out.is_relative_to(location.resolve()):
                raise FolderRefused(f"{out}: inside the archive {location}; {CHOOSE}")
            precious.append((location, f"the archive {location}", f"the archive {location}"))
        else:
            folder = location.parent
            precious.append(
                (folder, f"the folder of the archive {location}", f"the archive {location}")
            )
    for folder, itself, held in precious:
        folder = folder.resolve()
        if out == folder:
            raise FolderRefused(f"{out}: {itself}; {CHOOSE}")
        if folder.is_relative_to(out):
            raise FolderRefused(f"{out}: holds {held}; {CHOOSE}")


def archive_locations(db: Path) -> list[Path]:
    """Where the build read its archives (the sources table), opened read-only and immutable
    so that checking writes nothing, not even a journal or a WAL index."""
    try:
        conn = sqlite3.connect(f"{db.absolute().as_uri()}?mode=ro&immutable=1", uri=True)
        try:
            rows = conn.execute("select location from sources").fetchall()
        finally:
            conn.close()
    except sqlite3.Error:
        return []
    return [Path(location).absolute() for (location,) in rows if location]


def check_ancestors(path: Path) -> None:
    """mkdir would fail half-way under a file; say so before anything is made."""
    for parent in path.parents:
        if parent.exists():
            if not parent.is_dir():
                raise FolderRefused(f"{path}: {parent} is a file, not a folder; {CHOOSE}")
            return


def check_replaceable(out: Path) -> None:
    if not out.exists():
        return
    if not out.is_dir():
        raise FolderRefused(f"{out}: a file, not a folder; {CHOOSE}")
    names = entries(out)
    if not names:
        return
    record = marker(out)
    if record is None:
        if unmarked_shape(out, BUNDLE_FILES, UNMARKED_BUNDLE_README):
            return
        raise FolderRefused(
            f"{out}: not empty ({listing(names)}) and not a site made by tweets-etl; {CHOOSE}"
        )
    known = set(BUNDLE_FILES) | {MARKER}
    contents = record.get("contents")
    if isinstance(contents, list):
        known |= {name for name in contents if isinstance(name, str)}
    added = [name for name in names if name.rstrip("/") not in known]
    if added:
        raise FolderRefused(
            f"{out}: a site made by tweets-etl, but {listing(added)} "
            f"{'was' if len(added) == 1 else 'were'} added to it since and would be lost; "
            f"move {'it' if len(added) == 1 else 'them'} out or choose another folder"
        )


def check_removable(path: Path, out: Path) -> None:
    """`.NAME.publishing` and `.NAME.old` are deleted before use: only ones this tool made
    (an unmarked one is what an earlier version left when a publish failed or stopped)."""
    if not path.exists() and not path.is_symlink():
        return
    if path.is_symlink() or not path.is_dir():
        what = "a link" if path.is_symlink() else "a file"
    elif marker(path) is not None or unmarked_shape(path, BUNDLE_FILES):
        return
    else:
        what = listing(entries(path))
        if not what:
            return
    raise FolderRefused(
        f"{path}: not made by tweets-etl ({what}) but where it would assemble "
        f"{out}; move it away or choose another folder"
    )


def unmarked_shape(folder: Path, names: dict[str, str], readme: str | None = None) -> bool:
    """A folder an earlier version made, before the marker: only names it wrote, each of
    the right kind, with the database (and a bundle's README, word for word) present."""
    found = {}
    for path in folder.iterdir():
        kind = "dir" if path.is_dir() and not path.is_symlink() else "file"
        if names.get(path.name) != kind or (kind == "file" and not path.is_file()):
            return False
        found[path.name] = path
    if DB not in found:
        return False
    with open(found[DB], "rb") as db:
        if db.read(len(SQLITE_HEADER)) != SQLITE_HEADER:
            return False
    if readme is not None:
        return "README.md" in found and found["README.md"].read_text(errors="replace") == readme
    return True


def entries(folder: Path) -> list[str]:
    return sorted(
        path.name + ("/" if path.is_dir() and not path.is_symlink() else "")
        for path in folder.iterdir()
    )


def listing(names: list[str]) -> str:
    if len(names) <= 3:
        return " and ".join(filter(None, [", ".join(names[:-1]), names[-1]])) if names else ""
    return f"{', '.join(names[:2])} and {len(names) - 2} more"
