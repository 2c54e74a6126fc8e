"""A whole build: SOURCES in, one database file out, replaced atomically or not at all."""

from __future__ import annotations

import os
import posixpath
import tempfile
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import sqlite_utils

from . import readers
from .load import Loader
from .readers.official import Options
from .records import Like, Problem, SourceInfo, Tweet
from .sources import open_tree


@dataclass
class Summary:
    sources: list[SourceInfo] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    problems: list[dict] = field(default_factory=list)


SUMMARY_SQL = {
    "tweets": "select count(*) from tweets",
    "retweets": "select count(*) from tweets where kind = 'retweet'",
    "replies": "select count(*) from tweets where kind = 'reply'",
    "quotes": "select count(*) from tweets where kind = 'quote'",
    "users": "select count(*) from users",
    "mentions": "select count(*) from mentions",
    "hashtags": "select count(*) from hashtags",
    "urls": "select count(*) from urls",
    "media_found": "select count(*) from media where path is not null",
    "media_missing": "select count(*) from media where path is null",
    "problems": "select count(*) from etl_problems",
    "geotagged": "select count(*) from tweets where latitude is not null",
    "likes": "select count(*) from likes",
}


def plan(locations: list[str]) -> list[readers.Found]:
    """Open and recognise every SOURCE before anything is written (bad input fails fast)."""
    found = []
    for location in locations:
        found += readers.detect(open_tree(location), location)
    return found


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


def read_source(
    found: readers.Found, info: SourceInfo, options: Options, progress: Progress
) -> Iterator[Tweet | Like | Problem]:
    authors: Counter[str] = Counter()
    files_seen = 0
    for item in readers.read(found, info, options):
        while files_seen < len(info.files):
            progress.file(info.files[files_seen])
            files_seen += 1
        if isinstance(item, Tweet):
            info.entries += 1
            authors[item.author.screen_name] += 1
            progress.tweet()
        elif isinstance(item, Problem):
            info.entries += item.entry
        yield item
    if info.owner is None and authors:
        info.owner = authors.most_common(1)[0][0]
    info.precedence = readers.FORMAT_RANK[info.format] + "|" + (info.exported_at or "")


@contextmanager
def atomic_database(db_path: Path):
    """A fresh database at a temporary path, moved onto db_path only if the block succeeds."""
    db_path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{db_path.name}.", suffix=".tmp", dir=db_path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    db = sqlite_utils.Database(tmp)
    db.execute("pragma journal_mode = off")
    db.execute("pragma synchronous = off")
    try:
        yield db
        db.conn.commit()
        db.execute("vacuum")
        db.close()
        # mkstemp made it private (0600); a database is an ordinary file (0644 under umask 022)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, db_path)
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
    planned = plan(locations)
    progress.start(sum(found.expected_files() for found in planned))
    summary = Summary()
    with atomic_database(db_path) as db:
        loader = Loader(db)
        for source_id, found in enumerate(planned, 1):
            info = SourceInfo(
                name=posixpath.basename(found.location.rstrip("/\\")) or found.location,
                location=found.location,
                format=found.format,
                precedence="",
            )
            loader.stage(source_id, read_source(found, info, options, progress))
            loader.add_source(source_id, info)
            summary.sources.append(info)
        loader.finish()
        summary.counts = {name: db.execute(sql).fetchone()[0] for name, sql in SUMMARY_SQL.items()}
        summary.counts["files_read"] = sum(len(info.files) for info in summary.sources)
        summary.counts["entries"] = loader.entries
        summary.problems = list(
            db.query("select file, line, reason from etl_problems order by id limit 20")
        )
        if strict and summary.counts["problems"]:
            raise StrictFailure(summary)
    return summary
