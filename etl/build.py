"""A whole build: SOURCES in, one database file out, replaced atomically or not at all."""

from __future__ import annotations

import os
import posixpath
import re
import sqlite3
import tempfile
import zipfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import sqlite_utils

from . import profile, readers, schema, search_index, summaries
from .errors import EtlError
from .load import Loader, RowMaker
from .prefetch import in_child, picklable
from .records import Options, Problem, SourceInfo

try:
    import fcntl
except ImportError:  # Windows: builds are not guarded against running twice at once
    fcntl = None


class BuildError(EtlError):
    """A build that can't go on: one line, exit status 1, the old database untouched."""


@dataclass
class Summary:
    sources: list[SourceInfo] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    problems: list[dict] = field(default_factory=list)
    # Private items left out, by kind: each tweet once, however many sources held it.
    left_out: dict[str, int] = field(default_factory=dict)
    # What a private build (--private) read besides tweets: DMs, accounts (by name).
    private_counts: dict[str, int] = field(default_factory=dict)


SUMMARY_SQL = {
    "tweets": "select count(*) from tweets",
    "retweets": "select count(*) from tweets where kind = 'retweet'",
    "replies": "select count(*) from tweets where kind = 'reply'",
    "quotes": "select count(*) from tweets where kind = 'quote'",
    "users": "select count(*) from users",
    "mentions": "select count(*) from mentions",
    "hashtags": "select count(*) from hashtags",
    "urls": "select count(*) from urls",
    # Entities an archive lists that its text doesn't hold: no offsets, so no link on a card.
    "unplaced": "select "
    + " + ".join(
        f"(select count(*) from {table} where start is null)"
        for table in ("mentions", "hashtags", "urls")
    ),
    "media_found": "select count(*) from media where path is not null",
    "media_missing": "select count(*) from media where path is null",
    "problems": "select count(*) from etl_problems",
    "geotagged": "select count(*) from tweets where latitude is not null",
    "likes": "select count(*) from likes",
}


class Progress:
    """What a build reports while it runs; the CLI draws it, tests ignore it."""

    def start(self, files: int) -> None:
        pass

    def file(self, path: str) -> None:
        pass

    def tweet(self) -> None:
        pass

    def close(self) -> None:
        pass


@dataclass
class FileOpened:
    path: str


@dataclass
class SourceRead:
    info: SourceInfo  # complete: files, entries, owner


@dataclass
class ReadingFailed:
    error: Exception
    info: SourceInfo  # where it happened


def read_in_order(best_first: list[tuple[int, readers.ArchiveReader]]) -> Iterator:
    """Every reader's records as rows, each reader's followed by its complete SourceInfo,
    then every account; files as they open. Runs in the reading process: a failure is passed
    on with where it happened."""
    maker = RowMaker()
    for source_id, reader in best_first:
        files = reader.info.files
        files_seen = 0
        try:
            for item in maker.prepare(source_id, reader.read()):
                while files_seen < len(files):
                    yield FileOpened(files[files_seen])
                    files_seen += 1
                yield item
        except Exception as e:
            yield ReadingFailed(picklable(e), reader.info)
            return
        maker.add_owner(reader.info)
        yield SourceRead(reader.info)
    yield maker.accounts()


def one_source(stream: Iterator, progress: Progress, reading: list[SourceInfo]) -> Iterator:
    """The records of the next source in `stream`; `reading` then holds its SourceInfo."""
    for item in stream:
        if isinstance(item, tuple):  # a tweet's rows
            progress.tweet()
        elif isinstance(item, FileOpened):
            progress.file(item.path)
            continue
        elif isinstance(item, SourceRead):
            reading[:] = [item.info]
            return
        elif isinstance(item, ReadingFailed):
            reading[:] = [item.info]
            raise item.error
        yield item


def temp_pattern(db_path: Path) -> re.Pattern:
    """Names of the temporary files a build of db_path makes (mkstemp: 8 random characters)."""
    return re.compile(re.escape(f".{db_path.name}.") + r"[a-z0-9_]{8}\.tmp")


# The lock files' descriptors, which the reading process closes: a lock is released only when
# every process holding it has let go, and a killed build's reader must not hold it.
HELD_LOCKS: set[int] = set()


@contextmanager
def build_lock(db_path: Path):
    """Only one build of a database at a time; a second one stops with one line. Yields
    whether the lock is held (False where the file system can't lock).

    The lock file is removed at the end; a build that opened it just before is caught by
    comparing the locked file with the one now at the path.
    """
    if fcntl is None:
        yield False
        return
    lock_path = db_path.parent / f".{db_path.name}.lock"
    fd = cannot_write(db_path, os.open, lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    HELD_LOCKS.add(fd)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            same = os.path.samestat(os.fstat(fd), os.stat(lock_path))
        except (BlockingIOError, FileNotFoundError):
            same = False
        except OSError:  # no locks on this file system (some network mounts)
            yield False
            return
        if not same:
            raise BuildError(f"another build of {db_path} is running; {db_path} left unchanged")
        try:
            yield True
        finally:
            lock_path.unlink(missing_ok=True)
    finally:
        HELD_LOCKS.discard(fd)
        os.close(fd)


def cannot_write(db_path: Path, function, *args):
    """function(*args), any OSError it raises (or SQLite's "disk is full") told as one line."""
    try:
        return function(*args)
    except OSError as e:
        raise BuildError(f"cannot write {db_path}: {e.strerror or e}") from None
    except sqlite3.OperationalError as e:
        if not DISK_ERROR.search(str(e)):
            raise
        raise BuildError(f"cannot write {db_path}: {e}") from None


DISK_ERROR = re.compile(r"disk|full|readonly|unable to open", re.I)


def finish_file(db: sqlite_utils.Database, tmp: Path, db_path: Path) -> None:
    db.conn.commit()
    # A build only appends, so there is little to reclaim: rewriting the whole file is worth
    # it only when much of it is free pages.
    free, pages = (
        db.execute(f"pragma {p}").fetchone()[0] for p in ("freelist_count", "page_count")
    )
    if free > pages // 20:
        db.execute("vacuum")
    db.close()
    # mkstemp made it private (0600); a database is an ordinary file (0644 under umask)
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)
    os.replace(tmp, db_path)


def remove_stale_temp_files(db_path: Path) -> None:
    """Temporary databases left by builds that were killed (only ever called under the lock)."""
    pattern = temp_pattern(db_path)
    for entry in os.scandir(db_path.parent):
        if pattern.fullmatch(entry.name) and entry.is_file(follow_symlinks=False):
            Path(entry.path).unlink(missing_ok=True)


SQLITE_HEADER = b"SQLite format 3\x00"


def check_db_path(db_path: Path, locations: list[str]) -> None:
    """Refuse, before reading anything, a DB path that can't be written or must not be."""
    if db_path.is_dir():
        raise BuildError(f"{db_path} is a folder; give the path of the database file to write")
    if db_path.is_file():
        if any(db_path.samefile(loc) for loc in locations if Path(loc).is_file()):
            raise BuildError(f"{db_path} is also a SOURCE; write the database somewhere else")
        with open(db_path, "rb") as f:
            head = f.read(len(SQLITE_HEADER))
        if head and head != SQLITE_HEADER:
            raise BuildError(f"{db_path} exists and is not a SQLite database; not overwriting it")
    for parent in db_path.parents:
        if parent.exists():
            if not parent.is_dir():
                raise BuildError(f"cannot write {db_path}: {parent} is a file, not a folder")
            break


@contextmanager
def atomic_database(db_path: Path):
    """A fresh database at a temporary path, moved onto db_path only if the block succeeds."""
    cannot_write(db_path, db_path.parent.mkdir, 0o777, True, True)
    with build_lock(db_path) as locked:
        if locked:
            remove_stale_temp_files(db_path)
        prefix = f".{db_path.name}."
        fd, tmp_name = cannot_write(db_path, tempfile.mkstemp, ".tmp", prefix, db_path.parent)
        os.close(fd)
        tmp = Path(tmp_name)
        db = sqlite_utils.Database(tmp)
        try:
            db.execute("pragma journal_mode = off")
            db.execute("pragma synchronous = off")
            yield db
            cannot_write(db_path, finish_file, db, tmp, db_path)
        except BaseException:
            db.close()
            tmp.unlink(missing_ok=True)
            raise


class StrictFailure(Exception):
    def __init__(self, summary: Summary):
        super().__init__(f"{summary.counts['problems']} problem(s) found")
        self.summary = summary


def build(
    db_path: Path,
    locations: list[str],
    strict: bool = False,
    options: Options | None = None,
    progress: Progress | None = None,
) -> Summary:
    options = options or Options()
    progress = progress or Progress()
    cannot_write(db_path, check_db_path, db_path, locations)
    with last_resort(lambda: "opening " + ", ".join(locations)):
        planned, parser_trees = plan_sources(locations, options.private)
        progress.start(sum(found.expected_files() for found in planned))
    summary = Summary()
    reading: list[SourceInfo] = []  # the source being read, for an internal error's message
    with atomic_database(db_path) as db:
        loader = Loader(db)
        with last_resort(lambda: where_reading(reading), db_path):
            opened = []
            for source_id, found in enumerate(planned, 1):
                reading[:] = [SourceInfo("", found.location, found.format, "")]
                opened.append((source_id, found.open(options)))
            # Best first: of the records of one tweet id, the first loaded is the one kept.
            best_first = sorted(opened, key=lambda pair: pair[1].info.precedence, reverse=True)
            # Read in another process while this one writes (see etl/prefetch.py).
            stream = iter(in_child(partial(read_in_order, best_first), close=HELD_LOCKS))
            infos = {}
            for source_id, reader in best_first:
                reading[:] = [reader.info]
                loader.store(source_id, one_source(stream, progress, reading), reader.info.name)
                infos[source_id] = reading[0]
                loader.add_source(source_id, infos[source_id])
            summary.sources = [infos[source_id] for source_id, _ in opened]
            reading.clear()
            loader.finish(next(stream))
            profile.store(db, [infos[source_id] for source_id, _ in best_first])
            if options.private:
                # Imported here: a normal build never loads the private side.
                from .private_accounts import import_accounts
                from .private_dms import import_dms
                from .private_names import fill_account_names
                from .private_parser import import_parser_files
                from .private_wall import mark_private

                summary.private_counts.update(import_dms(db, best_first))
                # The parser's DM Markdown and lists (etl/private_parser.py) join the export's.
                counts, parser_sources = import_parser_files(
                    db, parser_trees, best_first, options.owner
                )
                summary.private_counts.update(counts)
                summary.sources += parser_sources
                search_index.create_search(db, search_index.DM_MESSAGES)
                summary.private_counts.update(import_accounts(db, best_first))
                summary.private_counts.update(fill_account_names(db))
                mark_private(db)
            finish_steps(db)
        summary.counts = {name: db.execute(sql).fetchone()[0] for name, sql in SUMMARY_SQL.items()}
        summary.counts["files_read"] = sum(len(info.files) for info in summary.sources)
        # (A source of the parser's private files alone counts its accounts and DMs read.)
        summary.counts["entries"] = loader.entries + sum(
            info.entries for info in summary.sources[len(opened) :]
        )
        summary.left_out = loader.left_out()
        summary.problems = list(
            db.query("select file, line, reason from etl_problems order by id limit 20")
        )
        # Entries left out as private are not unreadable ones: only those mean a failure.
        # A private build may hold no tweet at all: an export shared without its tweets file.
        no_tweets = not summary.counts["tweets"] and not options.private
        if loader.entries > loader.left_out_records and no_tweets:
            raise BuildError(nothing_imported(loader.entries, loader.first_entry_problem, db_path))
        if strict and summary.counts["problems"]:
            raise StrictFailure(summary)
    return summary


def plan_sources(locations: list[str], private: bool) -> tuple[list, list]:
    """The archives of `locations`, and (private build) the trees that may hold
    twitter-archive-parser's private files."""
    if not private:
        return readers.plan(locations), []
    from .private_parser import plan_private  # a normal build never loads the private side

    return plan_private(locations)


def finish_steps(db: sqlite_utils.Database) -> None:
    """What the site needs once every row is in: indexes, views, search, summaries,
    statistics."""
    schema.create_indexes(db)
    schema.create_views(db)
    search_index.finish_search(db)
    summaries.create_summaries(db)
    # Statistics from a sample of each index: the planner needs their shape, not exact counts.
    db.execute("pragma analysis_limit = 1000")
    db.execute("analyze")


def nothing_imported(entries: int, first: Problem | None, db_path: Path) -> str:
    first = first or Problem("?", 0, "?")
    reason = " ".join(first.reason.split())[:300]  # one line, whatever the reader wrote
    return (
        f"no tweet could be imported: {entries:,} entries, all reported as problems "
        f"(first: {first.file}:{first.line}: {reason}); {db_path} left unchanged"
    )


EXPECTED_ERRORS = (EtlError, OSError, zipfile.BadZipFile, zlib.error)


@contextmanager
def last_resort(where: Callable[[], str], db_path: Path | None = None):
    """Any other exception, a bug or an input we never imagined, as one line naming the file
    being read instead of a traceback (the temporary database is removed as usual)."""
    try:
        yield
    except EXPECTED_ERRORS:
        raise
    except sqlite3.OperationalError as e:
        if db_path is None or not DISK_ERROR.search(str(e)):
            raise internal_error(where, e) from e
        raise BuildError(f"cannot write {db_path}: {e}") from e
    except Exception as e:
        raise internal_error(where, e) from e


def internal_error(where: Callable[[], str], e: Exception) -> BuildError:
    message = " ".join(f"{type(e).__name__}: {e}"[:300].split())
    return BuildError(f"internal error while {where()}: {message}; please report it")


def where_reading(reading: list[SourceInfo]) -> str:
    for info in reading:
        return "reading " + posixpath.join(info.location, *info.files[-1:])
    return "finishing the database"
