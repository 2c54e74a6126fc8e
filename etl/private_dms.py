"""Direct messages of official exports, for a private build only (`tweets-etl build --private`).

`data/direct-messages.js` (1:1) and `data/direct-messages-group.js` (group) are lists of
`{"dmConversation": {"conversationId", "messages": [...]}}`, each message one event:
`messageCreate`, `welcomeMessageCreate`, `reactionCreate` (exports up to mid-2020; later
ones list reactions inline), `joinConversation`, `participantsJoin`, `participantsLeave`,
`conversationNameUpdate`. A conversation of over 1,000 messages is split over several
entries with the same id, not always adjacent: rows are keyed by message id and the
conversation's facts gathered over every entry (and every source) before it is written.

The files are streamed item by item (etl/jsfiles.py), so memory holds one conversation entry
and batches of rows: a conversation's facts (kind, participants, latest name) are merged into
temporary tables entry by entry, not kept in memory, whatever the number of conversations.
Everything in them is untrusted: a damaged entry or message costs only itself (a problem row
naming the file and the entry's position), a field of the wrong type is left empty and
reported, texts, names and lists are bounded (MAX_TEXT, MAX_NAME, MAX_ENTITIES), ids are whole
numbers (never floats), and a file that can't be read on past some damage is read again from
the next conversation. A normal build never imports
this module.

Media come only from the export's own DM media folders, by the file name Twitter gives them
(`<message id>-<last part of the media URL>`), images and videos only: never a path a message
names.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

import sqlite_utils

from .dates import normalise_iso
from .jsfiles import CHUNK, ITEM_LIMIT, ArrayStream, JSFileError
from .load import storable_row, storable_text
from .media import is_media_file
from .private_accounts import account_id, web_link
from .readers.tweetjson import MAX_ENTITIES, obj, shown
from .schema import DM_TABLES, create_dm_indexes, create_dm_tables

BATCH = 1000
# Bounds on what one event may store, as tweets have them (etl/readers/tweetjson.py): a whole
# conversation entry is at most jsfiles.ITEM_LIMIT (10 MB), as a tweet is; lists of links,
# media and reactions at most MAX_ENTITIES (100) each; a text at most 5 times what X allows,
# as alt texts (MAX_ALT_TEXT): X allows 10,000 characters in a DM. Names (a group's, a
# reaction's) are a few words: MAX_NAME. Longer is cut, and reported.
MAX_TEXT = 50_000
MAX_NAME = 500
MAX_URL = 4096  # etl/entities.py's bound on a link
# Participants kept per conversation: X's groups hold at most a few dozen people.
MAX_PARTICIPANTS = 1000
# "<id>-<id>" (1:1) or "<id>" (group): anything else would be shown, linked and keyed on.
CONVERSATION_ID = re.compile(r"^[0-9]{1,20}(?:-[0-9]{1,20})?$")
# An event no export so far has is kept under its own name, if it looks like one.
EVENT_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,63}$")
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
    """What one entry tells of its conversation, merged with the other entries' facts in the
    staging tables (STAGE_SQL) once the entry is read."""

    kind: str
    # In the order met: the first MAX_PARTICIPANTS of the whole conversation are kept, and
    # they are among the first MAX_PARTICIPANTS of each entry.
    participants: dict[int, None] = field(default_factory=dict)
    name: str | None = None
    named_at: str | None = None  # None: the entry renames nothing

    def add(self, ids) -> None:
        for i in ids:
            if i is not None and len(self.participants) < MAX_PARTICIPANTS:
                self.participants[i] = None

    def rename(self, name: str | None, at: str | None) -> None:
        """The latest rename wins; of renames at the same time (or none), the last read."""
        if (at or "") >= (self.named_at or ""):
            self.name, self.named_at = name or None, at or ""


# A conversation's facts over all its entries (in every file and source), kept in temporary
# tables rather than in memory: millions of tiny conversations cost disk, not memory. The
# first entry read gives the kind; participants are merged in the order met; the name is
# the latest rename's (the last read of those at the same time).
STAGED_TABLES = ("dm_conversations_staged", "dm_participants_staged")
STAGE_SQL = (
    """
    create temp table dm_conversations_staged (
      id text primary key,
      kind text not null,
      name text,
      named_at text
    )
    """,
    """
    create temp table dm_participants_staged (
      conversation_id text not null,
      account_id integer not null
    )
    """,
    """
    create unique index temp.dm_participants_staged_unique
    on dm_participants_staged (conversation_id, account_id)
    """,
)
STAGE_CONVERSATION = """
insert into dm_conversations_staged (id, kind, name, named_at)
values (?, ?, ?, ?)
on conflict (id) do update
set name = excluded.name,
  named_at = excluded.named_at
where excluded.named_at >= coalesce(dm_conversations_staged.named_at, '')
"""
STAGE_PARTICIPANT = """
insert or ignore into dm_participants_staged (conversation_id, account_id)
values (?, ?)
"""
# Counted once every entry of every source is in: a long conversation is split.
CONVERSATIONS_SQL = """
insert into dm_conversations (
  id, kind, participant_ids, first_at, last_at, message_count, name
)
select
  s.id,
  s.kind,
  -- A JSON list of strings, as json.dumps writes it (ids are digits only): ids around 10^18
  -- lose digits as JavaScript numbers.
  (select coalesce('["' || group_concat(account_id, '", "') || '"]', '[]') from (
     select account_id from (
       select account_id
       from dm_participants_staged
       where conversation_id = s.id
       order by rowid
       limit :most
     )
     order by account_id
  )),
  coalesce(m.first_at, e.first_at),
  coalesce(m.last_at, e.last_at),
  coalesce(m.messages, 0),
  s.name
from dm_conversations_staged s
  -- One pass over each table's (conversation_id, created_at) index, not lookups per
  -- conversation: a third faster at 100,000 conversations.
  left join (
    select conversation_id, min(created_at) as first_at, max(created_at) as last_at,
      count(*) as messages
    from dm_messages
    group by conversation_id
  ) m on m.conversation_id = s.id
  left join (
    select conversation_id, min(created_at) as first_at, max(created_at) as last_at
    from dm_events
    group by conversation_id
  ) e on e.conversation_id = s.id
order by s.rowid
"""


class Fields:
    """One event's fields, read as the format says they are: a field of another type is left
    empty (None) and named in `wrong`; a text over its bound is cut, a list over
    MAX_ENTITIES shortened, each noted: the caller makes them problem rows."""

    def __init__(self, body: dict):
        self.body = body
        self.wrong: list[str] = []
        self.cut: list[str] = []
        self.long: list[str] = []
        self.ids_read: dict[str, int | None] = {}

    def note(self, key: str) -> None:
        if key not in self.wrong:
            self.wrong.append(key)

    def id(self, key: str) -> int | None:
        """A string of digits (or a whole number: never a float or a bool) from 1 to 2^63-1."""
        if key in self.ids_read:  # asked for the row, then for the participants
            return self.ids_read[key]
        value = self.body.get(key)
        found = self.ids_read[key] = account_id(value)
        if found is None and value is not None:
            self.note(key)
        return found

    def text(self, key: str, bound: int) -> str | None:
        value = self.body.get(key)
        if value is None:
            return None
        if not isinstance(value, str):
            self.note(key)
            return None
        if len(value) > bound:
            cut = f"{key} of {len(value):,} characters cut to {bound:,}"
            if cut not in self.cut:
                self.cut.append(cut)
            return value[:bound]
        return value

    def date(self, key: str) -> str | None:
        value = self.body.get(key)
        found = normalise_iso(value) if isinstance(value, str) else None
        if found is None and value is not None:
            self.note(key)
        return found

    def items(self, key: str) -> list:
        value = self.body.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            self.note(key)
            return []
        if len(value) > MAX_ENTITIES:
            if key not in self.long:
                self.long.append(key)
            return value[:MAX_ENTITIES]
        return value

    def ids(self, key: str) -> list[int]:
        found = [account_id(i) for i in self.items(key)]
        if None in found:
            self.note(key)
        return [i for i in found if i is not None]

    def link(self, value, key: str) -> str | None:
        """An http(s) address of at most MAX_URL characters, else None (and `key` is wrong):
        a link the site may show as one, never a path or a `javascript:` address."""
        found = web_link(value, MAX_URL)
        if found is None and value is not None:
            self.note(key)
        return found

    def reasons(self) -> list[str]:
        found = [*self.cut]
        if self.wrong:
            found.append(f"{', '.join(self.wrong)} not as expected (left empty)")
        if self.long:
            found.append(f"more than {MAX_ENTITIES} {', '.join(self.long)} (the rest left out)")
        return found


class DMImport:
    def __init__(self, db: sqlite_utils.Database):
        self.db = db
        self.rows: dict[str, list[dict]] = {name: [] for name in (*DM_TABLES, "etl_problems")}
        self.staged: dict[str, list[tuple]] = {STAGE_CONVERSATION: [], STAGE_PARTICIPANT: []}
        self.folder, self.media = "", set()
        for table in STAGED_TABLES:
            db.execute(f"drop table if exists temp.{table}")
        for sql in STAGE_SQL:
            db.execute(sql)

    def add(self, table: str, row: dict) -> None:
        rows = self.rows[table]
        rows.append(storable_row(row))
        if len(rows) >= BATCH:
            self.flush(table)

    def flush(self, table: str) -> None:
        rows = self.rows[table]
        if rows:
            # Every row of a table has the same keys (one place makes them): plain
            # executemany, not sqlite-utils' per-value checks, at a million rows.
            columns = list(rows[0])
            # The same message (or event) in two exports of one account: the first, from
            # the best source, is kept.
            self.db.conn.executemany(
                f"insert or ignore into [{table}] ({', '.join(columns)}) "
                f"values ({', '.join('?' * len(columns))})",
                [tuple(row.values()) for row in rows],
            )
            rows.clear()

    def stage(self, conversation_id: str, conversation: Conversation) -> None:
        """One entry's facts of its conversation, to be merged with the other entries'."""
        name = storable_text(conversation.name)
        row = (conversation_id, conversation.kind, name, conversation.named_at)
        self.staged[STAGE_CONVERSATION].append(row)
        participants = self.staged[STAGE_PARTICIPANT]
        participants += ((conversation_id, i) for i in conversation.participants)
        if len(participants) >= BATCH or len(self.staged[STAGE_CONVERSATION]) >= BATCH:
            self.flush_staged()

    def flush_staged(self) -> None:
        for sql, rows in self.staged.items():
            self.db.conn.executemany(sql, rows)
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
        """(position, entry) of each entry of the file. Where the file can't be read on (a
        bad byte in place of a quote throws every later bracket off, or the file is cut),
        reading starts again at the next conversation, up to MAX_RESUMES times."""
        base = starts = 0  # entries before the part being read; entry starts before it
        # Flaws since the last entry read: fragments of one damaged entry when the part ends
        # in damage, dropped then for the one problem row of that entry.
        pending: list[tuple[int, str, bool]] = []

        def flaw(position: int, reason: str, skipped: bool) -> None:
            pending.append((base + position, renumber(reason, base), skipped))

        def report_pending() -> int:
            for position, reason, _ in pending:
                self.problem(source_id, path, position, reason)
            skipped = sum(1 for *_, s in pending if s)
            pending.clear()
            return skipped

        for resumes in range(MAX_RESUMES + 1):
            good, seen = base, starts  # the last entry read; entry starts up to it
            try:
                with reader.tree.open(path) as raw:
                    part = raw if resumes == 0 else from_entry(raw, starts)
                    if part is None:
                        return
                    for position, entry in Entries(part, flaw).items():
                        seen += report_pending()  # a skipped entry had its start, most likely
                        seen += isinstance(entry, dict) and "dmConversation" in entry
                        good = base + position
                        yield good, entry
                report_pending()
                return
            except (JSFileError, UnicodeDecodeError) as e:
                pending.clear()
                damaged, e = good + 1, renumber(str(e), base)
                with reader.tree.open(path) as raw:
                    resumable = resumes < MAX_RESUMES and from_entry(raw, seen + 1) is not None
                if not resumable:
                    reason = f"unreadable from item {damaged}: {e}"
                    self.problem(source_id, path, damaged, reason)
                    return
                reason = f"item {damaged} is unreadable ({e}): read on from the next one"
                self.problem(source_id, path, damaged, reason)
                base, starts = damaged, seen + 1

    def read_entry(self, source_id, path, position, entry, kind, owner) -> None:
        raw = obj(obj(entry).get("dmConversation"))
        conversation_id = raw.get("conversationId")
        messages = raw.get("messages")
        if (
            not isinstance(conversation_id, str)
            or not CONVERSATION_ID.match(conversation_id)
            or not isinstance(messages, list)
        ):
            reason = f"conversation #{position}: no conversationId or no list of messages"
            self.problem(source_id, path, position, reason, shown(entry))
            return
        conversation = Conversation(kind)
        if kind == "one_to_one":
            conversation.add(account_id(i) for i in conversation_id.split("-"))
        elif owner:
            conversation.add([owner])
        for number, event in enumerate(messages, 1):
            event = obj(event)
            key = next(iter(event), None) if len(event) == 1 else None
            body = obj(event.get(key)) if key else {}
            where = f"conversation #{position} ({conversation_id}), message #{number}"
            if not body or not EVENT_NAME.match(key):
                self.problem(source_id, path, position, f"{where}: not an event", shown(event))
                continue
            fields = Fields(body)
            reactions = []
            if key in MESSAGE_KEYS:
                message_id = fields.id("id")
                if message_id is None:
                    reason = f"{where}: no message id from 1 to 2^63-1"
                    self.problem(source_id, path, position, reason, shown(body))
                    continue
                reactions = self.message(fields, key, message_id, conversation_id)
            elif key == "reactionCreate":
                self.reaction(fields, fields.id("messageId"), conversation_id)
            else:
                self.event(fields, key, conversation_id, conversation)
            conversation.add(
                [
                    fields.id("senderId"),
                    fields.id("recipientId"),
                    fields.id("initiatingUserId"),
                    *fields.ids("participantsSnapshot"),
                    *fields.ids("userIds"),
                ]
            )
            self.report(source_id, path, position, where, fields)
            for reaction in reactions:
                found = Fields(reaction)
                self.reaction(found, message_id, conversation_id)
                self.report(source_id, path, position, where, found)
        self.stage(conversation_id, conversation)

    def report(self, source_id, path, position, where, fields: Fields) -> None:
        for reason in fields.reasons():
            self.problem(source_id, path, position, f"{where}: {reason}")

    def message(self, fields: Fields, key: str, message_id: int, conversation_id: str) -> list:
        """Writes the message's row; returns its reactions (objects), read by the caller."""
        row = {
            "id": message_id,
            "conversation_id": conversation_id,
            "sender_id": fields.id("senderId"),
            "recipient_id": fields.id("recipientId"),
            "text": html.unescape(fields.text("text", MAX_TEXT) or ""),
            "created_at": fields.date("createdAt"),
        }
        urls = []
        for item in fields.items("urls"):
            link = Fields(obj(item))
            found = {
                "url": link.link(link.body.get("url"), "url"),
                "expanded": link.link(link.body.get("expanded"), "expanded"),
                "display": link.text("display", MAX_URL),
            }
            if link.wrong or link.cut or not isinstance(item, dict):
                fields.note("urls")
            if any(found.values()):
                urls.append(found)
        media = []
        for url in fields.items("mediaUrls"):
            if not isinstance(url, str) or not url:
                fields.note("mediaUrls")
                continue
            # Kept when unreadable too (url and path null): the message had an attachment.
            link = fields.link(url, "mediaUrls")
            media.append({"url": link, "path": self.media_path(message_id, url[:MAX_URL])})
        reactions = fields.items("reactions")
        if not all(isinstance(r, dict) for r in reactions):
            fields.note("reactions")
        edit_history = None
        if isinstance(fields.body.get("editHistory"), list):
            try:
                edit_history = json.dumps(fields.items("editHistory"))
            except (RecursionError, ValueError):
                fields.note("editHistory")
        elif fields.body.get("editHistory") is not None:
            fields.note("editHistory")
        row |= {
            "urls": json.dumps(urls) if urls else None,
            "media": json.dumps(media) if media else None,
            "edit_history": edit_history,
            "is_welcome": int(key == "welcomeMessageCreate"),
        }
        self.add("dm_messages", row)
        return [r for r in reactions if isinstance(r, dict)]

    def media_path(self, message_id: int, url: str) -> str | None:
        """The file of a message's media URL in the DM media folder, if it is there and is an
        image or a video: `<message id>-<last part of the URL>`, nothing the URL spells out
        beyond that last part."""
        last = url.split("?", 1)[0].split("#", 1)[0].rstrip("/").rsplit("/", 1)[-1]
        name = f"{message_id}-{last}"
        if not last or last in (".", "..") or "\\" in last or not is_media_file(name):
            return None
        return self.folder + name if name in self.media else None

    def reaction(self, fields: Fields, message_id: int | None, conversation_id: str) -> None:
        sender = fields.id("senderId")
        reaction_key = fields.text("reactionKey", MAX_NAME)
        self.add(
            "dm_reactions",
            {
                "event_id": fields.id("eventId"),
                "message_id": message_id,
                "conversation_id": conversation_id,
                "sender_id": sender,
                "reaction_key": reaction_key,
                "created_at": fields.date("createdAt"),
            },
        )

    def event(self, fields: Fields, key: str, conversation_id: str, conversation) -> None:
        users = fields.ids("participantsSnapshot") or fields.ids("userIds")
        name = fields.text("name", MAX_NAME)
        at = fields.date("createdAt")
        self.add(
            "dm_events",
            {
                "conversation_id": conversation_id,
                # An event no export so far has: kept under its own name, not lost.
                "kind": EVENT_KINDS.get(key, key),
                "initiating_user_id": fields.id("initiatingUserId"),
                "user_ids": json.dumps([str(i) for i in users]) if users else None,
                "name": name,
                "created_at": at,
            },
        )
        if key == "conversationNameUpdate":
            conversation.rename(name, at)

    def finish(self) -> None:
        for table in DM_TABLES:
            self.flush(table)
        self.flush("etl_problems")
        self.flush_staged()
        # Made once the rows are in (faster than row by row), before the conversations'
        # counts and times look messages and events up by conversation.
        create_dm_indexes(self.db, ("dm_messages", "dm_reactions", "dm_events"))
        self.db.execute(CONVERSATIONS_SQL, {"most": MAX_PARTICIPANTS})
        create_dm_indexes(self.db, ("dm_conversations",))
        for table in STAGED_TABLES:
            self.db.execute(f"drop table temp.{table}")


# The start of an entry: inside a JSON string its quote would be escaped (`\\"`), so a
# message's text can't spell it.
ENTRY_START = re.compile(rb'\{\s{0,100}"dmConversation"\s{0,100}:')
ENTRY_START_LONGEST = 256
MAX_RESUMES = 100


ITEM_NUMBER = re.compile(r"\b(items? |to )(\d+)")


def renumber(reason: str, base: int) -> str:
    """jsfiles' reason for an item of a part read on from entry base + 1, numbered in the
    whole file."""
    return ITEM_NUMBER.sub(lambda m: f"{m[1]}{int(m[2]) + base}", reason) if base else reason


def from_entry(raw: BinaryIO, skip: int) -> BinaryIO | None:
    """The file `raw` from the start of its entry number skip + 1 on, as an array's bytes
    (`[` then the rest of the file); None when it has no such entry. UTF-8 files only (the
    exports' encoding): the bytes of the start are looked for as they are."""
    seen, pending = 0, b""
    while True:
        data = raw.read(CHUNK)
        buffer = pending + data
        # A start found within the last bytes may be cut: looked for again with the next chunk.
        limit = len(buffer) if not data else max(0, len(buffer) - ENTRY_START_LONGEST)
        for match in ENTRY_START.finditer(buffer):
            if match.start() >= limit:
                break
            seen += 1
            if seen > skip:
                return Joined(b"[" + buffer[match.start() :], raw)
        if not data:
            return None
        pending = buffer[limit:]


class Entries(ArrayStream):
    """jsfiles' stream, for DM entries: an entry holds up to 1,000 messages (hundreds of KB,
    more than a chunk), so where the C decoder runs out of text the next chunks are read and
    it tries again (up to ITEM_LIMIT), instead of finding the entry's end bracket by bracket
    in Python (five times slower). Real damage falls back to jsfiles' own reading."""

    def item(self, pos: int, position: int) -> tuple[int, object]:
        while not self.eof and len(self.text) - pos <= ITEM_LIMIT:
            try:
                value, end = self.json.raw_decode(self.text, pos)
                if end < len(self.text):  # else a number may go on in the next chunk
                    return end, self.checked(value, pos, end, position)
            except RecursionError:
                break
            except json.JSONDecodeError as e:
                # Cut by the end of the text read so far, or damaged inside it.
                cut = e.pos >= len(self.text) - 1 or e.msg.startswith("Unterminated string")
                if not cut:
                    break
            pos -= self.more(pos)
        return super().item(pos, position)


class Joined:
    """`head`, then the rest of `raw`: what ArrayStream reads (read(n) only)."""

    def __init__(self, head: bytes, raw: BinaryIO):
        self.head, self.raw = head, raw

    def read(self, size: int = -1) -> bytes:
        if self.head:
            data, self.head = self.head[:size], self.head[size:]
            return data
        return self.raw.read(size)


def import_dms(db: sqlite_utils.Database, sources: list[tuple[int, object]]) -> dict[str, int]:
    """The DMs of every official export among `sources` ((source id, reader), best first)
    into the dm_ tables; their counts, for the build summary."""
    create_dm_tables(db, indexes=False)  # made once the rows are in (DMImport.finish)
    dms = DMImport(db)
    for source_id, reader in sources:
        reader = getattr(reader, "reader", reader)  # readers.Counted wraps the format's own
        if hasattr(reader, "dm_files"):  # a format whose archives can hold DMs
            dms.read_source(source_id, reader)
    dms.finish()
    return {name: db.execute(sql).fetchone()[0] for name, sql in COUNTS_SQL.items()}
