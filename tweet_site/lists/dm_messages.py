"""A conversation as a chat on a private site (/messages/<id>, .json and .csv): its messages
a page at a time, the page opening at the newest and "Earlier messages" stepping back (keyset
over (created_at, id): page 30 costs what page 1 does), the group events and reactions that
go with the page, and the names of the accounts in it.

A page's cursor is the oldest message the page after it (newer) shows: the page holds the
messages before it."""

import json

from tweet_site.lists import Query, where
from tweet_site.pages import decode_cursor, encode_cursor

COLUMNS = (
    "message_id",
    "conversation_id",
    "sender_id",
    "recipient_id",
    "created_at",
    "text",
    "urls",
    "media",
    "edit_history",
    "is_welcome",
    "sender_screen_name",
)
# (coalesce: a message the export gave no date stays reachable, at the oldest end.)
AT = "coalesce(dm_messages.created_at, '')"
SQL = """select
  dm_messages.id as message_id,
  dm_messages.conversation_id,
  dm_messages.sender_id,
  dm_messages.recipient_id,
  dm_messages.created_at,
  dm_messages.text,
  dm_messages.urls,
  dm_messages.media,
  dm_messages.edit_history,
  dm_messages.is_welcome,
  {sender_name} as sender_screen_name
from dm_messages
{where}
order by {at} desc, dm_messages.id desc
limit :size"""
# The messages from a page's cursor on, oldest first: the newer page's cursor is the one
# `size` messages on (none: the newest page), and counting them says where the page is.
NEWER_SQL = """select
  dm_messages.id,
  dm_messages.created_at
from dm_messages
where dm_messages.conversation_id = :conversation_id
  and ({at}, dm_messages.id) >= (:at, :id)
order by {at}, dm_messages.id
limit :size"""
COUNT_NEWER_SQL = """select count(*)
from dm_messages
where dm_messages.conversation_id = :conversation_id
  and ({at}, dm_messages.id) >= (:at, :id)"""
# Where the page holding a message starts (page_of): the message in its conversation, how
# many are newer, and the oldest message of the page before it, among the newer ones.
MESSAGE_SQL = """select
  dm_messages.id,
  dm_messages.created_at
from dm_messages
where dm_messages.id = :id
  and dm_messages.conversation_id = :conversation_id"""
COUNT_AFTER_SQL = """select count(*)
from dm_messages
where dm_messages.conversation_id = :conversation_id
  and ({at}, dm_messages.id) > (:at, :id)"""
PAGE_START_SQL = """select
  dm_messages.id,
  dm_messages.created_at
from dm_messages
where dm_messages.conversation_id = :conversation_id
  and ({at}, dm_messages.id) > (:at, :id)
order by {at}, dm_messages.id
limit 1 offset :offset"""
CONVERSATION_SQL = """select
  dm_conversations.id,
  dm_conversations.kind,
  dm_conversations.name,
  dm_conversations.participant_ids,
  dm_conversations.first_at,
  dm_conversations.last_at,
  dm_conversations.message_count
from dm_conversations
where dm_conversations.id = :conversation_id"""
# The group's events between a page's oldest message and the next page's first (the oldest
# page takes those before, the newest those after), a page's worth at most.
EVENTS_SQL = """select
  dm_events.id,
  dm_events.kind,
  dm_events.initiating_user_id,
  dm_events.user_ids,
  dm_events.name,
  dm_events.created_at
from dm_events
where dm_events.conversation_id = :conversation_id
  and (:since = '' or dm_events.created_at >= :since)
  and (:until = '' or dm_events.created_at < :until)
order by dm_events.created_at, dm_events.id
limit :limit"""
REACTIONS_SQL = """select
  dm_reactions.message_id,
  dm_reactions.sender_id,
  dm_reactions.reaction_key,
  dm_reactions.created_at
from dm_reactions
where dm_reactions.message_id in (select value from json_each(:ids))
order by dm_reactions.message_id, dm_reactions.created_at, dm_reactions.id
limit :limit"""
# The names the archive knows for these accounts: the resolved ones (account_names, which
# a private build made before it existed lacks), else the archive's own users.
NAMES_SQL = {
    "account_names": """select
  account_names.account_id,
  account_names.screen_name,
  account_names.name
from account_names
where account_names.account_id in (select value from json_each(:ids))""",
    "users": """select
  users.id as account_id,
  users.screen_name,
  users.name
from users
where users.id in (select value from json_each(:ids))""",
}
# The owner's ids and handles (a handle names a sender where twitter-archive-parser's
# Markdown gave no id).
OWNER_SQL = """select users.id, lower(users.screen_name)
from users
where users.is_owner = 1
union
select profile.user_id, lower(profile.screen_name)
from profile"""
# A sender known only by handle (twitter-archive-parser's Markdown): in a column a private
# build adds when it reads such files.
SENDER_NAME = "dm_messages.sender_screen_name"


def sender_name(columns) -> str:
    """The SQL of a message's sender_screen_name, NULL where the table has no such column."""
    return SENDER_NAME if "sender_screen_name" in columns else "null"


def query(conversation_id: str, before: str | None, columns=()) -> Query:
    """A page of the conversation's messages before the cursor `before`; `columns`: the
    dm_messages table's."""
    params = {"conversation_id": conversation_id}
    keyset = None
    after = decode_cursor(before)
    if after:
        keyset = f"({AT}, dm_messages.id) < (:after_at, :after_id)"
        params.update(after_at=after[0], after_id=after[1])
    clauses = where("dm_messages.conversation_id = :conversation_id", keyset)
    return Query(SQL.format(where=clauses, at=AT, sender_name=sender_name(columns)), params)


def cursor(row) -> str:
    return encode_cursor(row["created_at"] or "", row["message_id"])


async def newer(db, conversation_id: str, before: str | None, size: int):
    """(the newer page's cursor: '' for the newest page, None on the newest page itself;
    how many messages the newer pages hold)."""
    at_cursor = decode_cursor(before)
    if not at_cursor:
        return None, 0
    bound = {"conversation_id": conversation_id, "at": at_cursor[0], "id": at_cursor[1]}
    rows = (await db.execute(NEWER_SQL.format(at=AT), dict(bound, size=size + 1))).rows
    previous = ""
    if len(rows) > size:
        previous = encode_cursor(rows[size]["created_at"] or "", rows[size]["id"])
    count = (await db.execute(COUNT_NEWER_SQL.format(at=AT), bound)).single_value()
    return previous, count


async def page_of(db, conversation_id: str, message_id: int, size: int) -> str | None:
    """The cursor of the page holding the message `message_id` ('' for the newest page),
    the page the pager reaches it on; None when the conversation has no such message."""
    found = (
        await db.execute(MESSAGE_SQL, {"id": message_id, "conversation_id": conversation_id})
    ).rows
    if not found:
        return None
    at = found[0]["created_at"] or ""
    bound = {"conversation_id": conversation_id, "at": at, "id": message_id}
    newer_count = (await db.execute(COUNT_AFTER_SQL.format(at=AT), bound)).single_value()
    if newer_count < size:
        return ""
    # The oldest message of the page before (newer), `newer_count % size` on from the message.
    offset = newer_count % size
    start = (await db.execute(PAGE_START_SQL.format(at=AT), dict(bound, offset=offset))).rows[0]
    return encode_cursor(start["created_at"] or "", start["id"])


def id_list(value) -> list[int]:
    """A JSON list of ids as stored (participant_ids, user_ids), as integers; [] for
    anything else."""
    try:
        items = json.loads(value) if value else []
    except (TypeError, ValueError):
        return []
    found = []
    for item in items if isinstance(items, list) else []:
        text = str(item)
        if text.isascii() and text.isdigit() and len(text) <= 19:
            found.append(int(text))
    return found


async def names(db, ids) -> dict[int, dict]:
    """{account id: {"screen_name", "name"}} of the accounts `ids` the archive can name."""
    wanted = sorted({int(i) for i in ids if i is not None})
    if not wanted:
        return {}
    found = {}
    for table, sql in NAMES_SQL.items():
        if await db.table_exists(table):
            for row in (await db.execute(sql, {"ids": json.dumps(wanted)})).rows:
                known = found.setdefault(row["account_id"], {"screen_name": None, "name": None})
                known["screen_name"] = known["screen_name"] or row["screen_name"]
                known["name"] = known["name"] or row["name"]
    return found
