"""The owner's account lists, for a private build only (`tweets-etl build --private`):
followers, following, blocks, mutes, lists and screen-name changes of an official export.

`follower.js`, `following.js`, `block.js` (entries keyed `blocking`) and `mute.js` (keyed
`muting`) give only `accountId` and `userLink`; `lists-*.js` only `userListInfo.url`;
`screen-name-change.js` `accountId` and `screenNameChange {changedAt, changedFrom,
changedTo}`. The files are streamed item by item (etl/jsfiles.py); a damaged item costs only
itself (a problem row). A normal build never imports this module.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import sqlite_utils

from .dates import normalise_iso
from .jsfiles import JSFileError, iter_array
from .records import Problem
from .sources import Tree

# table: (file, the key of each entry)
ACCOUNT_FILES = {
    "followers": ("follower.js", "follower"),
    "following": ("following.js", "following"),
    "blocks": ("block.js", "blocking"),
    "mutes": ("mute.js", "muting"),
}
LIST_FILES = {
    "created": "lists-created.js",
    "member": "lists-member.js",
    "subscribed": "lists-subscribed.js",
}
NAME_CHANGES = "screen-name-change.js"
# Tables of this module, declared here (not in etl/schema.py's TABLES): only a private
# build makes them, so a normal build's file has none.
ACCOUNT_TABLES = {
    **{
        name: ({"account_id": int, "user_link": str}, {"pk": "account_id"})
        for name in ACCOUNT_FILES
    },
    "lists": ({"kind": str, "url": str}, {"pk": ("kind", "url")}),
    "screen_name_changes": (
        {"account_id": int, "changed_at": str, "changed_from": str, "changed_to": str},
        {"pk": ("account_id", "changed_at", "changed_from", "changed_to")},
    ),
    # Every account id the private tables name, with the handle and name the archive itself
    # gives it (source says where from), or NULLs: the pages show "@handle" or the bare id.
    "account_names": (
        {"account_id": int, "screen_name": str, "name": str, "source": str},
        {"pk": "account_id"},
    ),
}
ACCOUNT_ID = re.compile(r"^[0-9]{1,19}$")
SCREEN_NAME = re.compile(r"^[A-Za-z0-9_]{1,50}$")
MAX_URL = 500
# Blanks (str.isspace's, which \s matches) and control characters: searched in C, not
# character by character (a private build checks millions of links).
NOT_IN_A_LINK = re.compile(r"[\s\x00-\x1f]")


def account_id(value) -> int | None:
    """An account id (a string of digits, sometimes a number), as an integer: never a float."""
    if type(value) is str and 0 < len(value) <= 19 and value.isascii() and value.isdigit():
        number = int(value)  # the usual case, quickly
        return number if 0 < number < 2**63 else None
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        value = str(value)
    if not isinstance(value, str) or not ACCOUNT_ID.match(value.strip()):
        return None
    number = int(value.strip())
    return number if 0 < number < 2**63 else None


def web_link(value, bound: int = MAX_URL) -> str | None:
    """An http(s) address of at most `bound` characters with no space, else None."""
    if not isinstance(value, str):
        return None
    value = value.strip()
    if len(value) > bound or NOT_IN_A_LINK.search(value):
        return None
    return value if value.lower().startswith(("https://", "http://")) else None


def account_row(item, key: str) -> dict | str:
    """The row of one entry of follower.js & co, or why it can't be one."""
    body = item.get(key) if isinstance(item, dict) else None
    if not isinstance(body, dict):
        return f"not a {key} entry"
    found = account_id(body.get("accountId"))
    if found is None:
        return "no readable accountId"
    return {"account_id": found, "user_link": web_link(body.get("userLink"))}


def list_row(item, kind: str) -> dict | str:
    body = item.get("userListInfo") if isinstance(item, dict) else None
    if not isinstance(body, dict):
        return "not a userListInfo entry"
    url = web_link(body.get("url"))
    if url is None:
        return "no readable list url"
    return {"kind": kind, "url": url}


def name_change_row(item) -> dict | str:
    body = item.get("screenNameChange") if isinstance(item, dict) else None
    if not isinstance(body, dict):
        return "not a screenNameChange entry"
    change = body.get("screenNameChange")
    if not isinstance(change, dict):
        return "no screenNameChange details"
    names = [change.get(k) for k in ("changedFrom", "changedTo")]
    if not all(isinstance(n, str) and SCREEN_NAME.match(n) for n in names):
        return "no readable screen names"
    return {
        "account_id": account_id(body.get("accountId")),
        "changed_at": normalise_iso(change.get("changedAt")),
        "changed_from": names[0],
        "changed_to": names[1],
    }


def create_account_tables(db: sqlite_utils.Database) -> None:
    for name, (columns, options) in ACCOUNT_TABLES.items():
        if not db[name].exists():
            db.execute(db.create_table_sql(name, columns, **options))


def rows_of(tree: Tree, path: str, parse, problems: list[Problem]) -> Iterator[dict]:
    last = 0

    def flaw(position: int, reason: str, skipped: bool) -> None:
        nonlocal last
        last = max(last, position)
        problems.append(Problem(path, position, reason))

    try:
        for last, item in iter_array(tree, path, flaw):
            row = parse(item)
            if isinstance(row, str):
                problems.append(Problem(path, last, row))
            else:
                yield row
    except (JSFileError, UnicodeDecodeError) as e:
        # Every entry before it is in: the problem names where the damage starts.
        reason = f"unreadable from item {last + 1}: {e}"
        problems.append(Problem(path, last + 1, reason, entry=False))


def store_accounts(
    db: sqlite_utils.Database, tree: Tree, data_prefix: str, problems: list[Problem]
) -> dict[str, int]:
    """The account lists of the export whose data/ folder is `data_prefix` (ending in '/')
    into their tables; rows already there (another export of the same account) are kept.
    Returns the rows each file gave."""
    create_account_tables(db)
    present = set(tree.files())
    read: dict[str, int] = {}

    def load(table: str, name: str, parse) -> None:
        path = data_prefix + name
        if path not in present:
            return
        # Streamed into the table: a file of millions of accounts is never a list in memory.
        count = 0

        def counted():
            nonlocal count
            for row in rows_of(tree, path, parse, problems):
                count += 1
                yield row

        db[table].insert_all(counted(), ignore=True, batch_size=1000)
        read[name] = count

    for table, (name, key) in ACCOUNT_FILES.items():
        load(table, name, lambda item, key=key: account_row(item, key))
    for kind, name in LIST_FILES.items():
        load("lists", name, lambda item, kind=kind: list_row(item, kind))
    load("screen_name_changes", NAME_CHANGES, name_change_row)
    return read


COUNTS_SQL = {name: f"select count(*) from [{name}]" for name in ACCOUNT_TABLES}


def import_accounts(db: sqlite_utils.Database, sources: list[tuple[int, object]]) -> dict:
    """The account lists of every official export among `sources` ((source id, reader),
    best first); their counts, for the build summary."""
    create_account_tables(db)
    for source_id, reader in sources:
        reader = getattr(reader, "reader", reader)  # readers.Counted wraps the format's own
        tree, data = getattr(reader, "tree", None), getattr(reader, "data", None)
        if tree is None or not isinstance(data, str):
            continue
        problems: list[Problem] = []
        store_accounts(db, tree, data, problems)
        db["etl_problems"].insert_all(
            {
                "source_id": source_id,
                "file": p.file,
                "line": p.line,
                "reason": p.reason,
                "raw": p.raw,
            }
            for p in problems
        )
    return {name: db.execute(sql).fetchone()[0] for name, sql in COUNTS_SQL.items()}
