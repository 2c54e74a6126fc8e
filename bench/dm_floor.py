"""The floor of the DM bench: the simplest streaming loader of a direct-messages.js, standard
library only.

    python bench/dm_floor.py DB SOURCE

What any loader of a 1 GB DM file must do at least: stream the file (it can't be parsed whole
in 400 MB), parse each conversation entry, and insert every message (id, conversation, sender,
recipient, date, text, links and media as JSON) and every reaction with `executemany`, then one
FTS5 word index over the texts. No merging of split conversations' facts, events, media
files, problems, bounds or safety. bench/dm_speed.py times it in the same run as
`tweets-etl build --private`.

As fast as plain code gets: entries are cut out of 1 MiB chunks by `raw_decode`, the cyclic
garbage collector is off, and everything is one transaction with no journal and no fsync.
"""

from __future__ import annotations

import gc
import json
import sqlite3
import sys
from collections.abc import Iterator
from pathlib import Path

SCHEMA = (
    "create table dm_messages (id integer primary key, conversation_id text, sender_id "
    "integer, recipient_id integer, created_at text, text text, urls text, media text)",
    "create table dm_reactions (message_id integer, sender_id integer, reaction_key text, "
    "created_at text)",
)
FTS = (
    "create virtual table dm_messages_fts using fts5 (text, content=dm_messages, content_rowid=id)",
    "insert into dm_messages_fts (rowid, text) select id, text from dm_messages",
)
CHUNK = 1 << 20
FILES = ("direct-messages.js", "direct-messages-group.js")


def entries(path: Path) -> Iterator[dict]:
    """Each item of the array the file assigns, read a chunk at a time."""
    decoder = json.JSONDecoder()
    with open(path, encoding="utf-8") as f:
        text = f.read(CHUNK)
        pos = text.index("[") + 1
        while True:
            while pos < len(text) and text[pos] in " \t\r\n,":
                pos += 1
            if pos < len(text) and text[pos] == "]":
                return
            try:
                item, end = decoder.raw_decode(text, pos)
            except json.JSONDecodeError:
                more = f.read(CHUNK)
                if not more:
                    return
                text, pos = text[pos:] + more, 0
                continue
            yield item
            pos = end


def load(conn: sqlite3.Connection, path: Path) -> None:
    messages, reactions = [], []
    for entry in entries(path):
        conversation = entry["dmConversation"]
        conversation_id = conversation["conversationId"]
        for event in conversation["messages"]:
            body = event.get("messageCreate") or event.get("welcomeMessageCreate")
            if body is None:
                continue
            message_id = int(body["id"])
            messages.append(
                (
                    message_id,
                    conversation_id,
                    int(body["senderId"]),
                    int(body["recipientId"]) if "recipientId" in body else None,
                    body["createdAt"],
                    body["text"],
                    json.dumps(body["urls"]) if body.get("urls") else None,
                    json.dumps(body["mediaUrls"]) if body.get("mediaUrls") else None,
                )
            )
            reactions += [
                (message_id, int(r["senderId"]), r["reactionKey"], r["createdAt"])
                for r in body.get("reactions", ())
            ]
        if len(messages) >= 10_000:
            conn.executemany("insert or ignore into dm_messages values (?,?,?,?,?,?,?,?)", messages)
            conn.executemany("insert into dm_reactions values (?,?,?,?)", reactions)
            messages, reactions = [], []
    conn.executemany("insert or ignore into dm_messages values (?,?,?,?,?,?,?,?)", messages)
    conn.executemany("insert into dm_reactions values (?,?,?,?)", reactions)


def main(db: str, source: str) -> None:
    Path(db).unlink(missing_ok=True)
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("pragma journal_mode = off")
    conn.execute("pragma synchronous = off")
    conn.execute("begin")
    for statement in SCHEMA:
        conn.execute(statement)
    gc.disable()
    try:
        for name in FILES:
            path = Path(source) / "data" / name
            if path.exists():
                load(conn, path)
    finally:
        gc.enable()
    for statement in FTS:
        conn.execute(statement)
    conn.execute("commit")
    conn.close()


if __name__ == "__main__":
    main(*sys.argv[1:])
