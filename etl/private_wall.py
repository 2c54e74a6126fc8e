"""The wall between a private archive (`tweets-etl build --private`: DMs, followers, blocks)
and everything that is published.

A private build carries a one-row table saying so (MARKER_TABLE): the mark travels with the
file, so `tweets-etl publish` refuses it for every target but a local server on 127.0.0.1,
whoever copied or renamed it. A database with rows in a private table but no mark (a copy
someone pruned by hand) is refused the same way, and the publishable copy of any database
keeps none of the private tables (etl/redact.py), so no bundle can hold one.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import sqlite_utils

from .errors import EtlError

MARKER_TABLE = "private_archive"
# Every table holding what only the owner may read: the DM tables (dm_conversations,
# dm_messages, their events and reactions) and the account lists of etl/private_accounts.py.
PRIVATE_PREFIX = "dm_"
ACCOUNT_TABLES = (
    "followers",
    "following",
    "blocks",
    "mutes",
    "lists",
    "screen_name_changes",
    "account_names",
)
LOCAL_HOSTS = ("127.0.0.1",)


class PrivateArchiveError(EtlError):
    """A private archive asked to go where it may not: one line, nothing written."""


def mark_private(db: sqlite_utils.Database) -> None:
    """Mark `db` as a private archive: a one-row table saying it must never be published."""
    db.execute(f"drop table if exists [{MARKER_TABLE}]")
    db.execute(
        f"create table [{MARKER_TABLE}] (never_publish integer not null check (never_publish = 1), "
        "note text not null)"
    )
    db.execute(
        f"insert into [{MARKER_TABLE}] values (1, ?)",
        [
            "Built with tweets-etl build --private: direct messages, followers, blocks. "
            "Explore it locally only (tweets-etl publish DB --target local); never publish it."
        ],
    )


def is_private_table(name: str) -> bool:
    return name == MARKER_TABLE or name.startswith(PRIVATE_PREFIX) or name in ACCOUNT_TABLES


def private_tables(names) -> list[str]:
    """The names among `names` that are private tables (or the mark), sorted."""
    return sorted(name for name in names if is_private_table(name))


def _connect(db_path: Path) -> sqlite3.Connection:
    # Read-only: looking must never create the file or change it.
    return sqlite3.connect(f"{Path(db_path).absolute().as_uri()}?mode=ro", uri=True)


def _table_names(conn: sqlite3.Connection) -> list[str]:
    return [row[0] for row in conn.execute("select name from sqlite_master where type = 'table'")]


def is_private(db_path) -> bool:
    """True when the database at `db_path` carries the private mark."""
    conn = _connect(db_path)
    try:
        return MARKER_TABLE in _table_names(conn)
    finally:
        conn.close()


def private_rows(db_path) -> list[str]:
    """The private tables of the database at `db_path` that hold rows (the mark included)."""
    conn = _connect(db_path)
    try:
        return [
            name
            for name in private_tables(_table_names(conn))
            if conn.execute(f"select exists (select 1 from [{name}])").fetchone()[0]
        ]
    finally:
        conn.close()


def refusal(db_path) -> str:
    return (
        f"{db_path} is a private archive (DMs, followers, blocks): it can only be explored "
        f"locally: tweets-etl publish {db_path} --target local"
    )


def check_publishable(db_path, target: str, host: str = "127.0.0.1") -> None:
    """Refuse, before anything is written, a private archive anywhere but a local server on
    127.0.0.1; a database holding private rows without the mark counts as one."""
    if not private_rows(db_path):
        return
    if target != "local":
        raise PrivateArchiveError(refusal(db_path))
    if host not in LOCAL_HOSTS:
        raise PrivateArchiveError(
            f"{db_path} is a private archive: it is served on 127.0.0.1 only, not on {host}"
        )


def check_bundle(db_path) -> None:
    """Refuse a publishable copy that still holds a private table, even an empty one (the
    copy should have dropped them all: etl/redact.py)."""
    conn = _connect(db_path)
    try:
        found = private_tables(_table_names(conn))
    finally:
        conn.close()
    if found:
        raise PrivateArchiveError(
            f"the publishable copy still holds private tables ({', '.join(found)}): "
            "nothing is published"
        )
