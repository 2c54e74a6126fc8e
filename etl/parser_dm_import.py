"""twitter-archive-parser's DM Markdown (read by etl/parser_dms.py) into the dm_ tables, for
a private build only.

Messages are staged in a scratch table, then placed with set-based SQL once every file is
read: a message the export's own DMs hold (the same message id, where its media file gives
one, or the same second and the same words) is not stored again, and its conversation and
sender are the export's; the others join that conversation, or the export's form of it when
both ids are known (`<smaller id>-<larger id>`), or one of their own (`md:<a>-<b>` for two
handles, `md-group:<name>`). A handle names an id where the archive ties them (the owner's
account.js, the parser's lists, the tweets' users); else sender_id is NULL and
sender_screen_name keeps the handle. Messages without an export id get a stable negative id
(export ids are positive).
"""

from __future__ import annotations

import hashlib
import json

import sqlite_utils

from .merge import synthetic_user_id
from .parser_dms import (
    MAX_LINE,
    Conversation,
    Item,
    dm_files,
    fingerprint,
    media_file,
    media_folder,
    parse_dm_markdown,
    person_id,
)
from .parser_owner import OwnerClues
from .private_dms import MAX_TEXT as TEXT_LIMIT  # the export's DMs are cut there too
from .private_parser import (
    create_parser_names,
    source_of,
    store_problems,
    text_lines,
    too_damaged,
)
from .records import Problem
from .schema import create_dm_tables
from .sources import Tree

BATCH = 1000
STAGED = {
    "file": str,
    "line": int,
    "conv_key": str,
    "kind": str,
    "conv_name": str,
    "persons": str,
    "sender": str,
    "recipient": str,
    "created_at": str,
    "text": str,
    "fp": str,
    "media": str,
    "message_id": int,
    "event": str,
    "event_users": str,
    "event_name": str,
}


def conversation_key(conversation: Conversation, path: str) -> str:
    if conversation.kind == "one_to_one":
        parts = sorted(str(person_id(p) or p.lower()) for p in conversation.persons)
        return "md:" + "-".join(parts)
    name = conversation.name
    if name and name.isdigit() and len(name) < 20:
        return name  # a group never renamed: the parser's heading is its conversation id
    stem = path.rsplit("/", 1)[-1].removesuffix(".md")
    return "md-group:" + (name or stem)[:200]


def synthetic_id(created_at: str, sender: str, fp: str) -> int:
    """A stable negative id for a message the Markdown alone gives (export ids are positive);
    the same message in two files of the parser's gets the same one."""
    digest = hashlib.sha1(f"{created_at}|{sender.lower()}|{fp}".encode()).hexdigest()
    return -(int(digest[:15], 16) + 1)


def staged_rows(tree: Tree, path: str, problems: list[Problem], clues: OwnerClues):
    """The staged row of every message of one Markdown file; what it tells of the owner
    into `clues`."""
    folder = media_folder(path)
    present = {p for p in tree.files() if p.startswith(folder)}
    conversation = None
    start = len(problems)
    try:
        with tree.open(path) as stream:
            for item in parse_dm_markdown(text_lines(stream, MAX_LINE)):
                if isinstance(item, Problem):
                    problems.append(Problem(path, item.line, item.reason, raw=item.raw))
                    if too_damaged(problems, start, path, item.line):
                        return
                elif isinstance(item, Conversation):
                    conversation = item
                    clues.conversation(item, path)
                elif isinstance(item, Item) and conversation:
                    if item.text and len(item.text) > TEXT_LIMIT:
                        item.text = item.text[:TEXT_LIMIT]
                        cut = f"text cut at {TEXT_LIMIT:,} characters"
                        # (The message is stored: no entry is lost.)
                        problems.append(Problem(path, item.line, cut, entry=False))
                    clues.item(item)
                    yield staged_row(path, conversation, item, folder, present)
    except OSError as e:
        problems.append(Problem(path, 0, f"unreadable: {e.strerror or e}", entry=False))


def staged_row(path, conversation: Conversation, item: Item, folder, present) -> dict:
    key = conversation_key(conversation, path)
    common = {
        "file": path,
        "line": item.line,
        "conv_key": key,
        "kind": conversation.kind,
        "conv_name": None if key == conversation.name else conversation.name,
        "persons": json.dumps(conversation.persons),
        "sender": item.sender,
        "recipient": item.recipient,
        "created_at": item.created_at,
    }
    if item.text is None:
        return {
            **common,
            **dict.fromkeys(("text", "fp", "media", "message_id")),
            "event": item.event,
            "event_users": json.dumps(item.event_users),
            "event_name": item.event_name,
        }
    # Images and videos only; a path of None: the file is not in the media folder.
    files = [f for f in (media_file(ref, folder, present) for ref in item.media) if f]
    found = [path for _, path in files if path]
    ids = {int(f.rsplit("/", 1)[-1].split("-", 1)[0]) for f in found}
    fp = fingerprint(item.text)
    return {
        **common,
        "text": item.text,
        "fp": fp,
        "media": json.dumps([{"url": None, "path": f} for _, f in files]) if files else None,
        # The media file's name begins with the export's message id: the parser kept it.
        "message_id": min(ids) if len(ids) == 1 else synthetic_id(item.created_at, item.sender, fp),
        **dict.fromkeys(("event", "event_users", "event_name")),
    }


def import_parser_dms(
    db: sqlite_utils.Database,
    trees: list[Tree],
    sources: list[tuple[int, object]],
    owner: str | None = None,
) -> tuple[dict[str, int], str | None]:
    """Every DM Markdown file of `trees` into the dm_ tables. Returns the entries of each
    tree (items read, and damaged ones), by its location, and the owner's handle: `owner`
    (--owner) or the Markdown's (etl/parser_owner.py), recorded as users.is_owner where the
    build knows no owner yet."""
    if "dm_messages" not in db.table_names():
        create_dm_tables(db)
    if "sender_screen_name" not in db["dm_messages"].columns_dict:
        db.execute("alter table dm_messages add column sender_screen_name text")
    create_parser_names(db)
    db.execute("drop table if exists temp.parser_dm_staged")
    db.execute(
        db.create_table_sql("parser_dm_staged", STAGED).replace(
            "CREATE TABLE", "CREATE TEMP TABLE", 1
        )
    )
    staged = 0
    entries: dict[str, int] = {}
    clues = OwnerClues()
    for tree in trees:
        problems: list[Problem] = []
        before = staged
        for path in dm_files(tree):
            batch = []
            for row in staged_rows(tree, path, problems, clues):
                batch.append(row)
                if len(batch) >= BATCH:
                    staged += insert_staged(db, batch)
            staged += insert_staged(db, batch)
        store_problems(db, source_of(tree, sources), problems)
        entries[tree.location] = staged - before + sum(p.entry for p in problems)
    handle = owner or clues.handle()
    found = record_owner(db, handle, clues.owner_id(handle) if handle else None)
    if staged:
        place_messages(db, [*owners(sources), *found])
    db.execute("drop table if exists temp.parser_dm_staged")
    return entries, handle


def record_owner(db: sqlite_utils.Database, handle: str | None, owner_id: int | None) -> list:
    """The owner into users (is_owner), where no source named one: the site shows their
    messages as theirs (by handle, or by id where the Markdown gives it). Returns
    [(handle, id)] where the id is known, to name the owner's messages by it."""
    if not handle or known_owner(db):
        return []
    same = db.execute(
        "select id from users where screen_name = ? collate nocase order by id > 0 desc, id",
        [handle],
    ).fetchone()
    user_id = owner_id or (same[0] if same else synthetic_user_id(handle))
    db.execute(
        "insert or ignore into users (id, screen_name, name, is_owner) values (?, ?, null, 1)",
        [user_id, handle],
    )
    db.execute("update users set is_owner = 1 where id = ?", [user_id])
    return [(handle, user_id)] if user_id > 0 else []


def known_owner(db: sqlite_utils.Database) -> bool:
    """Does the build know its owner already (an export's account.js, a tweets' author)?"""
    tables = set(db.table_names())
    users = "users" in tables and db.execute("select 1 from users where is_owner = 1").fetchone()
    return bool(users or ("profile" in tables and db["profile"].count))


def insert_staged(db: sqlite_utils.Database, batch: list[dict]) -> int:
    if batch:
        db.conn.executemany(
            f"insert into temp.parser_dm_staged ({', '.join(STAGED)}) "
            f"values ({', '.join('?' * len(STAGED))})",
            [[row[k] for k in STAGED] for row in batch],
        )
    count = len(batch)
    batch.clear()
    return count


def owners(sources: list[tuple[int, object]]) -> list[tuple[str, int]]:
    found = []
    for _, reader in sources:
        info = getattr(reader, "info", None)
        if info is not None and info.owner and info.owner_id:
            found.append((info.owner, int(info.owner_id)))
    return found


HANDLES_SQL = """
create temp table parser_handles (handle text primary key collate nocase, id integer)
"""
PLACE_SQL = [
    # The export's message each one is, if any: the same id (its media file's name gives
    # it), or the same second and the same words.
    """
    create temp table parser_dm as
    select
      s.*,
      case when s.event is null then coalesce(
        (select id from dm_messages where id = s.message_id),
        (select o.id from dm_messages o
         where o.created_at = s.created_at and dm_fingerprint(o.text) = s.fp
         order by o.id limit 1)
      ) end as match_id,
      cast(null as integer) as sender_id,
      cast(null as integer) as recipient_id
    from temp.parser_dm_staged s
    """,
    # A message of the export's: its handles name the export's ids.
    """
    insert or ignore into parser_names (account_id, screen_name)
    select o.sender_id, p.sender from parser_dm p join dm_messages o on o.id = p.match_id
    where o.sender_id is not null and user_id(p.sender) is null
    """,
    """
    insert or ignore into parser_names (account_id, screen_name)
    select o.recipient_id, p.recipient from parser_dm p join dm_messages o on o.id = p.match_id
    where o.recipient_id is not null and p.recipient is not null and user_id(p.recipient) is null
    """,
    # Handles to ids, best first: the owners (inserted before), the parser's lists and its
    # messages that are the export's, the tweets' users.
    """
    insert or ignore into parser_handles
    select screen_name, account_id from parser_names
    """,
    """
    insert or ignore into parser_handles
    select screen_name, id from users where id > 0 order by is_owner desc, id
    """,
    """
    update parser_dm
    set
      sender_id = coalesce(user_id(sender), (select id from parser_handles where handle = sender)),
      recipient_id = coalesce(
        user_id(recipient), (select id from parser_handles where handle = recipient)
      )
    """,
    # Every person a conversation's heading names, with the id the archive ties to it.
    """
    create temp table parser_persons as
    select distinct
      s.conv_key,
      s.kind,
      j.value as person,
      coalesce(user_id(j.value), (select id from parser_handles where handle = j.value)) as id
    from (
      select distinct conv_key, kind, persons from temp.parser_dm_staged
      union
      select distinct conv_key, kind, event_users from temp.parser_dm_staged
      where event_users is not null
    ) s,
      json_each(s.persons) j
    """,
    # A two-person conversation is known by its two ids where both are known (the export's
    # form), else by the ids and handles it has: two headings of one pair name it alike.
    """
    create temp table parser_keys as
    select
      conv_key,
      case
        when min(kind) = 'group' then conv_key
        when count(id) = count(*) then min(id) || '-' || max(id)
        else 'md:' || min(coalesce(cast(id as text), lower(person)))
          || '-' || max(coalesce(cast(id as text), lower(person)))
      end as resolved
    from parser_persons
    group by conv_key
    """,
    """
    create temp table parser_conversations as
    select
      k.conv_key,
      coalesce(
        (select min(o.conversation_id)
         from parser_keys k2
           join parser_dm m on m.conv_key = k2.conv_key
           join dm_messages o on o.id = m.match_id
         where k2.resolved = k.resolved),
        k.resolved
      ) as conversation_id
    from parser_keys k
    """,
    """
    insert or ignore into dm_conversations (id, kind, name)
    select c.conversation_id, min(p.kind), max(p.conv_name)
    from parser_conversations c join parser_dm p on p.conv_key = c.conv_key
    group by c.conversation_id
    """,
    """
    insert or ignore into dm_messages (
      id, conversation_id, sender_id, recipient_id, created_at, text, urls, media,
      edit_history, is_welcome, sender_screen_name
    )
    select
      p.message_id, c.conversation_id, p.sender_id,
      case when p.kind = 'one_to_one' then p.recipient_id end,
      p.created_at, p.text, null, p.media, null, 0,
      case when p.sender_id is null then p.sender end
    from parser_dm p join parser_conversations c on c.conv_key = p.conv_key
    where p.match_id is null and p.event is null
    order by p.created_at, p.file, p.line
    """,
    # Group events; one the export gives too (its conversation, its second) is not added.
    """
    insert or ignore into dm_events (
      conversation_id, kind, initiating_user_id, user_ids, name, created_at
    )
    select
      c.conversation_id,
      p.event,
      case when p.event != 'leave' then p.sender_id end,
      nullif(
        (select json_group_array(cast(pp.id as text))
         from json_each(p.event_users) j
           join parser_persons pp on pp.conv_key = p.conv_key and pp.person = j.value
         where pp.id is not null),
        '[]'
      ),
      p.event_name,
      p.created_at
    from parser_dm p join parser_conversations c on c.conv_key = p.conv_key
    where p.event is not null
      and not exists (
        select 1 from dm_events e
        where e.conversation_id = c.conversation_id and e.created_at = p.created_at
      )
    order by p.created_at, p.file, p.line
    """,
]
# The conversations the Markdown added to: participants, times and counts again.
UPDATE_SQL = """
update dm_conversations
set participant_ids = coalesce(
    (select json_group_array(cast(id as text)) from (
       select cast(value as integer) as id from json_each(dm_conversations.participant_ids)
       where json_valid(dm_conversations.participant_ids)
       union
       select sender_id from dm_messages where conversation_id = dm_conversations.id
       union
       select recipient_id from dm_messages where conversation_id = dm_conversations.id
       union
       select id from parser_persons p join parser_conversations c using (conv_key)
       where c.conversation_id = dm_conversations.id
     ) where id is not null order by cast(id as integer)),
    '[]'
  ),
  message_count = (select count(*) from dm_messages where conversation_id = dm_conversations.id),
  first_at = coalesce(
    (select min(created_at) from dm_messages where conversation_id = dm_conversations.id),
    (select min(created_at) from dm_events where conversation_id = dm_conversations.id)
  ),
  last_at = coalesce(
    (select max(created_at) from dm_messages where conversation_id = dm_conversations.id),
    (select max(created_at) from dm_events where conversation_id = dm_conversations.id)
  )
where id in (select conversation_id from parser_conversations)
"""


TEMP_TABLES = (
    "parser_handles",
    "parser_dm",
    "parser_persons",
    "parser_keys",
    "parser_conversations",
)


def place_messages(db: sqlite_utils.Database, handles: list[tuple[str, int]]) -> None:
    """The staged messages into the dm_ tables; `handles`: the owners' (handle, id)."""
    conn = db.conn
    conn.create_function("dm_fingerprint", 1, fingerprint, deterministic=True)
    conn.create_function("user_id", 1, lambda v: person_id(v) if v else None, deterministic=True)
    for name in TEMP_TABLES:
        db.execute(f"drop table if exists temp.{name}")
    db.execute(HANDLES_SQL)
    conn.executemany("insert or ignore into parser_handles (handle, id) values (?, ?)", handles)
    for sql in PLACE_SQL:
        db.execute(sql)
    db.execute(UPDATE_SQL)
    for name in TEMP_TABLES:
        db.execute(f"drop table if exists temp.{name}")
