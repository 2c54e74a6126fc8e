"""twitter-archive-parser's own private files, for a private build only (`--private`):
`followers.txt` and `following.txt` (its DM Markdown: etl/parser_dms.py).

The parser writes one account per line, sorted, the last line without a newline:

    handle https://twitter.com/i/user/<accountId>

with `~unknown~handle~` for a handle it could not look up. Its first version (a few hours
of 2022-11-19) wrote a bare handle, or `~unknown~user~<accountId>`. The files lie at the
archive's root (parser versions up to 2022-11-24) or in `parser-output/`; they are read
wherever they are, streamed line by line. A damaged line costs only itself (a problem row).
A normal build never imports this module.
"""

from __future__ import annotations

import os
import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass

import sqlite_utils

from .parser_dms import dm_files
from .private_accounts import account_id, create_account_tables
from .readers import Found, plan, source_name
from .records import Problem, SourceInfo
from .sources import FolderTree, SourceError, Tree, UnreadableZip, ZipTree, open_tree

LIST_FILES = {"followers.txt": "followers", "following.txt": "following"}
UNKNOWN_HANDLE = "~unknown~handle~"
LINE = re.compile(
    r"^(?P<handle>~unknown~handle~|[A-Za-z0-9_]{1,50}) https?://(?:www\.|mobile\.)?"
    r"(?:twitter|x)\.com/i/user/(?P<id>[0-9]{1,19})/?$"
)
EARLY_UNKNOWN = re.compile(r"^~unknown~user~(?P<id>[0-9]{1,19})$")
BARE_HANDLE = re.compile(r"^[A-Za-z0-9_]{1,50}$")
MAX_LINE = 1000  # bytes: a real line is under 80
MAX_PROBLEMS = 1000  # of one file
SOURCE_NAME = "twitter-archive-parser"
# sources.format of a SOURCE (or a zip in one) holding only the parser's private files.
SOURCE_FORMAT = "parser-private"


def list_line(text: str) -> tuple[int, str | None] | str:
    """(account id, handle or None) of one line of followers.txt / following.txt, or why
    it can't be read."""
    text = text.strip()
    found = LINE.match(text)
    if found:
        number = account_id(found["id"])
        if number is None:
            return "account id out of range"
        handle = found["handle"]
        return number, None if handle == UNKNOWN_HANDLE else handle
    early = EARLY_UNKNOWN.match(text)
    if early and account_id(early["id"]) is not None:
        return account_id(early["id"]), None
    if BARE_HANDLE.match(text):
        return "a handle without its account id (the parser's first version): not stored"
    return "not 'handle https://twitter.com/i/user/<id>'"


def text_lines(stream, limit: int = MAX_LINE) -> Iterator[tuple[int, str | None]]:
    """(line number, text) of a binary stream, read line by line; text is None for a line
    longer than `limit` bytes or not UTF-8 (the rest of a long line is skipped unread)."""
    number = 0
    while True:
        raw = stream.readline(limit + 1)
        if not raw:
            return
        number += 1
        if len(raw) > limit and not raw.endswith(b"\n"):
            while raw and not raw.endswith(b"\n"):
                raw = stream.readline(64 * 1024)
            yield number, None
            continue
        try:
            yield number, raw.decode("utf-8-sig" if number == 1 else "utf-8").rstrip("\r\n")
        except UnicodeDecodeError:
            yield number, None


def list_files(tree: Tree) -> list[tuple[str, str]]:
    """(path, table) of every followers.txt / following.txt in a tree."""
    return [
        (path, LIST_FILES[posixpath.basename(path)])
        for path in tree.files()
        if posixpath.basename(path) in LIST_FILES
    ]


def too_damaged(problems: list[Problem], start: int, path: str, line: int) -> bool:
    """Has one file given MAX_PROBLEMS problems (since `start`)? Then one more says the rest
    of it is not read: a file that is not the parser's at all costs a bounded number of rows."""
    if len(problems) - start < MAX_PROBLEMS:
        return False
    reason = f"over {MAX_PROBLEMS:,} damaged lines: the rest of the file is not read"
    problems.append(Problem(path, line, reason, entry=False))
    return True


def read_list(tree: Tree, path: str, problems: list[Problem]) -> Iterator[tuple[int, str | None]]:
    """(account id, handle or None) of every readable line of one list file."""
    start = len(problems)
    try:
        with tree.open(path) as stream:
            for number, text in text_lines(stream):
                if text is None:
                    problems.append(Problem(path, number, "an overlong or non-UTF-8 line"))
                elif text.strip():
                    row = list_line(text)
                    if not isinstance(row, str):
                        yield row
                        continue
                    problems.append(Problem(path, number, row, raw=text[:200]))
                if too_damaged(problems, start, path, number):
                    return
    except OSError as e:
        problems.append(Problem(path, 0, f"unreadable: {e.strerror or e}", entry=False))


def store_lists(db: sqlite_utils.Database, tree: Tree, problems: list[Problem]) -> dict[str, int]:
    """The parser's lists of a tree into followers / following (rows already there, from an
    export of the same account, are kept) and their handles into parser_names. Returns the
    accounts each file gave."""
    create_account_tables(db)
    create_parser_names(db)
    read: dict[str, int] = {}
    for path, table in list_files(tree):
        count = 0
        batch: list[tuple[int, str | None]] = []
        for row in read_list(tree, path, problems):
            batch.append(row)
            count += 1
            if len(batch) >= 1000:
                insert_accounts(db, table, batch)
                batch.clear()
        insert_accounts(db, table, batch)
        read[path] = count
    return read


def create_parser_names(db: sqlite_utils.Database) -> None:
    """A scratch table of the handles the parser's files give (dropped once account_names is
    filled, etl/private_names.py)."""
    db.execute(
        "create table if not exists parser_names (account_id integer primary key, screen_name text)"
    )


def insert_accounts(db: sqlite_utils.Database, table: str, rows: list) -> None:
    db.conn.executemany(
        f"insert or ignore into [{table}] (account_id, user_link) values (?, ?)",
        [(i, f"https://twitter.com/intent/user?user_id={i}") for i, _ in rows],
    )
    db.conn.executemany(
        "insert or ignore into parser_names (account_id, screen_name) values (?, ?)",
        [(i, handle) for i, handle in rows if handle],
    )


def plan_private(locations: list[str]) -> tuple[list[Found], list[Tree]]:
    """readers.plan for a private build, and every tree of the SOURCES holding the parser's
    files (a SOURCE, or a zip in a folder SOURCE): a SOURCE holding only those (followers.txt,
    say) is no error."""
    found: list[Found] = []
    trees: list[Tree] = []
    for location in locations:
        holding = [tree for tree in trees_of(location) if has_parser_files(tree)]
        try:
            found += plan([location], private=True)
        except SourceError:
            if not holding:
                raise
        trees += holding
    return found, trees


def trees_of(location: str) -> list[Tree]:
    """The tree of a SOURCE, and of each zip in it when it is a folder (as readers.plan
    looks into them)."""
    tree = open_tree(location)
    trees = [tree]
    if isinstance(tree, FolderTree):
        for path in tree.files():
            if path.lower().endswith(".zip"):
                try:
                    trees.append(ZipTree(tree.root / path))
                except UnreadableZip:
                    continue  # readers.plan tells why
    return trees


def has_parser_files(tree: Tree) -> bool:
    return bool(list_files(tree) or dm_files(tree))


@dataclass
class ParserSource:
    """The parser's private files of one tree: a source of their own (a row of `sources`,
    whose location the site finds the DM media under), beside the archive a reader may
    have found in the same tree (its tweets: another row, of the same location)."""

    tree: Tree
    info: SourceInfo


def parser_sources(trees: list[Tree], sources: list[tuple[int, object]]) -> list:
    """(source id, ParserSource) of each tree, numbered on from `sources`."""
    first = max((source_id for source_id, _ in sources), default=0) + 1
    return [
        (
            source_id,
            ParserSource(
                tree,
                SourceInfo(
                    name=source_name(tree.location),
                    location=tree.location,
                    format=SOURCE_FORMAT,
                    precedence="",
                    files=[path for path, _ in list_files(tree)] + dm_files(tree),
                    tree_location=tree.location,
                ),
            ),
        )
        for source_id, tree in enumerate(trees, first)
    ]


def import_parser_files(
    db: sqlite_utils.Database,
    trees: list[Tree],
    sources: list[tuple[int, object]],
    owner: str | None = None,
) -> tuple[dict[str, int], list[SourceInfo]]:
    """The parser's lists and DM Markdown of every tree. Returns the DM counts, for the
    build summary, now that the Markdown's messages are in (the account lists are counted
    by etl/private_accounts.py, after), and the source each tree became: recorded in
    `sources`, with the owner (`owner`, --owner, or the Markdown's)."""
    from .parser_dm_import import import_parser_dms
    from .private_dms import COUNTS_SQL

    own = parser_sources(trees, sources)
    every = [*own, *sources]  # (source_of: a tree's problems are its parser source's)
    entries = import_parser_lists(db, trees, every)
    dm_entries, handle = import_parser_dms(db, trees, every, owner)
    infos = []
    for source_id, found in own:
        info = found.info
        info.owner = handle
        info.entries = entries[info.location] + dm_entries[info.location]
        insert_source(db, source_id, info)
        infos.append(info)
    counts = {name: db.execute(sql).fetchone()[0] for name, sql in COUNTS_SQL.items()}
    return counts, infos


def insert_source(db: sqlite_utils.Database, source_id: int, info: SourceInfo) -> None:
    db["sources"].insert(
        {
            "id": source_id,
            "name": info.name,
            "format": info.format,
            # Absolute, as every source's: the site finds the DM media under it.
            "location": os.path.abspath(info.tree_location),
            "owner_screen_name": info.owner,
            "exported_at": None,
            "files_read": len(info.files),
            "entries": info.entries,
            "skipped_deleted": 0,
            "skipped_circle": 0,
            "skipped_likes": 0,
        }
    )


def import_parser_lists(
    db: sqlite_utils.Database, trees: list[Tree], sources: list[tuple[int, object]]
) -> dict[str, int]:
    """followers.txt / following.txt of every tree into their tables; problems are the
    source's whose tree it is. Returns the entries of each tree (accounts read, and damaged
    lines), by its location."""
    entries = {}
    for tree in trees:
        problems: list[Problem] = []
        read = store_lists(db, tree, problems)
        store_problems(db, source_of(tree, sources), problems)
        entries[tree.location] = sum(read.values()) + sum(p.entry for p in problems)
    return entries


def source_of(tree: Tree, sources: list[tuple[int, object]]) -> int | None:
    for source_id, reader in sources:
        if getattr(getattr(reader, "tree", None), "location", None) == tree.location:
            return source_id
    return None


def store_problems(db: sqlite_utils.Database, source_id: int | None, problems: list) -> None:
    db["etl_problems"].insert_all(
        {"source_id": source_id, "file": p.file, "line": p.line, "reason": p.reason, "raw": p.raw}
        for p in problems
    )
