"""A whole build: SOURCES in, one database file out, replaced atomically or not at all."""

from __future__ import annotations

import os
import tempfile
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import sqlite_utils

from . import readers
from .load import Loader
from .records import Problem, SourceInfo, Tweet
from .sources import Tree, open_tree


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
}


def plan(locations: list[str]) -> list[tuple[Tree, SourceInfo]]:
    """Open and recognise every SOURCE before anything is written (bad input fails fast)."""
    planned = []
    for location in locations:
        tree = open_tree(location)
        format_, files = readers.detect(tree)
        info = SourceInfo(
            name=Path(location.rstrip("/\\")).name or location,
            location=location,
            format=format_,
            precedence=readers.PRECEDENCE[format_],
            files=files,
        )
        planned.append((tree, info))
    return planned


def read_source(
    tree: Tree, info: SourceInfo, on_file: Callable[[str], None]
) -> Iterator[Tweet | Problem]:
    reader = readers.READERS[info.format]
    authors: Counter[str] = Counter()
    for path in info.files:
        on_file(path)
        for item in reader.read(tree, path):
            if isinstance(item, Tweet):
                info.entries += 1
                authors[item.author.screen_name] += 1
            else:
                info.entries += item.entry
            yield item
    info.owner = authors.most_common(1)[0][0] if authors else None


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
    on_file: Callable[[str], None] = lambda path: None,
) -> Summary:
    planned = plan(locations)
    summary = Summary()
    with atomic_database(db_path) as db:
        loader = Loader(db)
        for source_id, (tree, info) in enumerate(planned, 1):
            loader.stage(source_id, info.precedence, read_source(tree, info, on_file))
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
