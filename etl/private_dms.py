"""Direct messages of official exports, for a private build only (`tweets-etl build --private`).

`data/direct-messages.js` (1:1) and `data/direct-messages-group.js` (group) are lists of
`{"dmConversation": {"conversationId", "messages": [...]}}`, each message one event:
`messageCreate`, `welcomeMessageCreate`, `reactionCreate` (exports up to mid-2020; later
ones list reactions inline), `joinConversation`, `participantsJoin`, `participantsLeave`,
`conversationNameUpdate`. A conversation of over 1,000 messages is split over several
entries with the same id, not always adjacent: rows are keyed by message id and the
conversation's facts gathered over every entry (and every source) before it is written.

The files are streamed item by item (etl/jsfiles.py), so memory holds one conversation entry
and a small record per conversation. A damaged entry or message costs only itself: a problem
row. A normal build never imports this module.

Media come only from the export's own DM media folders, by the file name Twitter gives them
(`<message id>-<last part of the media URL>`), images and videos only: never a path a message
names.
"""

from __future__ import annotations

import html
import json
from collections.abc import Iterator
from dataclasses import dataclass, field

import sqlite_utils

from .dates import normalise_iso
from .jsfiles import JSFileError, iter_array
from .load import storable_row
from .media import is_media_file
from .readers.tweetjson import array, as_id, obj, shown, string
from .schema import DM_TABLES, create_dm_tables

BATCH = 1000
# The events other than messages and reactions, by the kind stored in dm_events.
EVENT_KINDS = {
    "joinConversation": "join",  # the owner joined (or was added); the snapshot lists everyone
    "participantsJoin": "participants_join",
    "participantsLeave": "leave",
    "conversationNameUpdate": "rename",
}
MESSAGE_KEYS = ("messageCreate", "welcomeMessageCreate")
COUNTS_SQL = {
    "dm_conversations": "select count(*) from dm_conversations where kind = 'one_to_one'",
    "dm_messages": "select count(*) from dm_messages m join dm_conversations c "
    "on c.id = m.conversation_id where c.kind = 'one_to_one' and m.is_welcome = 0",
    "dm_welcome": "select count(*) from dm_messages where is_welcome = 1",
    "dm_groups": "select count(*) from dm_conversations where kind = 'group'",
    "dm_group_messages": "select count(*) from dm_messages m join dm_conversations c "
    "on c.id = m.conversation_id where c.kind = 'group' and m.is_welcome = 0",
    "dm_events": "select count(*) from dm_events",
    "dm_reactions": "select count(*) from dm_reactions",
    "dm_media_found": "select count(*) from dm_messages, json_each(dm_messages.media) "
    "where json_each.value ->> 'path' is not null",
    "dm_media_missing": "select count(*) from dm_messages, json_each(dm_messages.media) "
    "where json_each.value ->> 'path' is null",
}


@dataclass
class Conversation:
    """What is known of a conversation over all its entries: written once every file is read."""

    kind: str
    participants: set[int] = field(default_factory=set)
    name: str | None = None
    named_at: str = ""


class DMImport:
    def __init__(self, db: sqlite_utils.Database):
        self.db = db
        self.conversations: dict[str, Conversation] = {}
        self.rows: dict[str, list[dict]] = {name: [] for name in (*DM_TABLES, "etl_problems")}
        self.folder, self.media = "", set()

    def add(self, table: str, row: dict) -> None:
        rows = self.rows[table]
        rows.append(storable_row(row))
        if len(rows) >= BATCH:
            self.flush(table)

    def flush(self, table: str) -> None:
        rows = self.rows[table]
        if rows:
            # The same message (or event) in two exports of one account: the first, from
            # the best source, is kept.
            self.db[table].insert_all(rows, ignore=True)
            rows.clear()

    def problem(self, source_id: int, path: str, line: int, reason: str, raw="") -> None:
        self.add(
            "etl_problems",
            {"source_id": source_id, "file": path, "line": line, "reason": reason, "raw": raw},
        )

    def read_source(self, source_id: int, reader) -> None:
        for path, kind, folder, media in reader.dm_files():
            # The files of this file's own media folder, by name: the only media a message
            # can have.
            self.folder, self.media = folder, media
            reader.info.files.append(path)
            owner = reader.info.owner_id
            for position, entry in self.entries(source_id, reader, path):
                self.read_entry(source_id, path, position, entry, kind, owner)

    def entries(self, source_id: int, reader, path: str) -> Iterator:
        def flaw(position: int, reason: str, skipped: bool) -> None:
            self.problem(source_id, path, position, reason)

        try:
            yield from iter_array(reader.tree, path, flaw)
        except (JSFileError, UnicodeDecodeError) as e:
            self.problem(source_id, path, 0, f"unreadable: {e}")

    def read_entry(self, source_id, path, position, entry, kind, owner) -> None:
        raw = obj(obj(entry).get("dmConversation"))
        conversation_id = string(raw.get("conversationId"))
        messages = raw.get("messages")
        if not conversation_id or not isinstance(messages, list):
            reason = f"conversation #{position}: no conversationId or no list of messages"
            self.problem(source_id, path, position, reason, shown(entry))
            return
        conversation = self.conversations.setdefault(conversation_id, Conversation(kind))
        if kind == "one_to_one":
            conversation.participants.update(
                i for i in map(as_id, conversation_id.split("-")) if i is not None
            )
        elif owner:
            conversation.participants.add(owner)
        for number, event in enumerate(messages, 1):
            event = obj(event)
            key = next(iter(event), None) if len(event) == 1 else None
            body = obj(event.get(key)) if key else {}
            where = f"conversation #{position} ({conversation_id}), message #{number}"
            if not body:
                self.problem(source_id, path, position, f"{where}: not an event", shown(event))
            elif key in MESSAGE_KEYS:
                self.message(source_id, path, position, where, key, body, conversation_id)
            elif key == "reactionCreate":
                self.reaction(body, as_id(body.get("messageId")), conversation_id)
            else:
                self.event(key, body, conversation_id)
            conversation.participants.update(
                i
                for i in [
                    as_id(body.get("senderId")),
                    as_id(body.get("recipientId")),
                    as_id(body.get("initiatingUserId")),
                    *map(as_id, array(body.get("participantsSnapshot"))),
                    *map(as_id, array(body.get("userIds"))),
                ]
                if i is not None
            )
            if key == "conversationNameUpdate":
                at = normalise_iso(body.get("createdAt")) or ""
                if at >= conversation.named_at:
                    conversation.name, conversation.named_at = string(body.get("name")), at

    def message(self, source_id, path, position, where, key, body, conversation_id) -> None:
        message_id = as_id(body.get("id"))
        if message_id is None:
            reason = f"{where}: no message id from 1 to 2^63-1"
            self.problem(source_id, path, position, reason, shown(body))
            return
        urls = [
            {k: string(obj(u).get(k)) for k in ("url", "expanded", "display")}
            for u in array(body.get("urls"))
        ]
        media = [
            {"url": url, "path": self.media_path(message_id, url)}
            for url in map(string, array(body.get("mediaUrls")))
            if url
        ]
        edits = body.get("editHistory")
        self.add(
            "dm_messages",
            {
                "id": message_id,
                "conversation_id": conversation_id,
                "sender_id": as_id(body.get("senderId")),
                "recipient_id": as_id(body.get("recipientId")),
                "created_at": normalise_iso(body.get("createdAt")),
                "text": html.unescape(string(body.get("text")) or ""),
                "urls": json.dumps(urls) if urls else None,
                "media": json.dumps(media) if media else None,
                "edit_history": json.dumps(edits) if isinstance(edits, list) else None,
                "is_welcome": int(key == "welcomeMessageCreate"),
            },
        )
        for reaction in array(body.get("reactions")):
            self.reaction(obj(reaction), message_id, conversation_id)

    def media_path(self, message_id: int, url: str) -> str | None:
        """The file of a message's media URL in the DM media folder, if it is there and is an
        image or a video: `<message id>-<last part of the URL>`, nothing the URL spells out
        beyond that last part."""
        last = url.split("?", 1)[0].split("#", 1)[0].rstrip("/").rsplit("/", 1)[-1]
        name = f"{message_id}-{last}"
        if not last or last in (".", "..") or "\\" in last or not is_media_file(name):
            return None
        return self.folder + name if name in self.media else None

    def reaction(self, body: dict, message_id: int | None, conversation_id: str) -> None:
        self.add(
            "dm_reactions",
            {
                "event_id": as_id(body.get("eventId")),
                "message_id": message_id,
                "conversation_id": conversation_id,
                "sender_id": as_id(body.get("senderId")),
                "reaction_key": string(body.get("reactionKey")),
                "created_at": normalise_iso(body.get("createdAt")),
            },
        )

    def event(self, key: str, body: dict, conversation_id: str) -> None:
        users = array(body.get("participantsSnapshot")) or array(body.get("userIds"))
        ids = [str(i) for i in map(as_id, users) if i is not None]
        self.add(
            "dm_events",
            {
                "conversation_id": conversation_id,
                # An event no export so far has: kept under its own name, not lost.
                "kind": EVENT_KINDS.get(key, key),
                "initiating_user_id": as_id(body.get("initiatingUserId")),
                "user_ids": json.dumps(ids) if ids else None,
                "name": string(body.get("name")),
                "created_at": normalise_iso(body.get("createdAt")),
            },
        )

    def finish(self) -> None:
        for table in DM_TABLES:
            self.flush(table)
        self.flush("etl_problems")
        rows = (
            {
                "id": conversation_id,
                "kind": c.kind,
                # Strings: ids around 10^18 lose digits as JavaScript numbers.
                "participant_ids": json.dumps([str(i) for i in sorted(c.participants)]),
                "name": c.name,
            }
            for conversation_id, c in self.conversations.items()
        )
        self.db["dm_conversations"].insert_all(map(storable_row, rows), batch_size=BATCH)
        # Counted once every entry of every source is in: a long conversation is split.
        self.db.execute(
            """
            update dm_conversations
            set message_count = (
                select count(*) from dm_messages where conversation_id = dm_conversations.id
              ),
              first_at = coalesce(
                (select min(created_at) from dm_messages
                 where conversation_id = dm_conversations.id),
                (select min(created_at) from dm_events where conversation_id = dm_conversations.id)
              ),
              last_at = coalesce(
                (select max(created_at) from dm_messages
                 where conversation_id = dm_conversations.id),
                (select max(created_at) from dm_events where conversation_id = dm_conversations.id)
              )
            """
        )


def import_dms(db: sqlite_utils.Database, sources: list[tuple[int, object]]) -> dict[str, int]:
    """The DMs of every official export among `sources` ((source id, reader), best first)
    into the dm_ tables; their counts, for the build summary."""
    create_dm_tables(db)
    dms = DMImport(db)
    for source_id, reader in sources:
        reader = getattr(reader, "reader", reader)  # readers.Counted wraps the format's own
        if hasattr(reader, "dm_files"):  # a format whose archives can hold DMs
            dms.read_source(source_id, reader)
    dms.finish()
    return {name: db.execute(sql).fetchone()[0] for name, sql in COUNTS_SQL.items()}
