"""The owner's conversations on a private site (/messages, .json and .csv): newest first by
their last message or event, each with its last message for the preview. Keyset pagination
over (last_at, id): a conversation's id is text ("<id>-<id>" for 1:1, a number for a group),
so the cursor is this list's own."""

import re

from tweet_site.lists import Query, where

COLUMNS = (
    "conversation_id",
    "kind",
    "name",
    "participant_ids",
    "first_at",
    "last_at",
    "message_count",
    "last_message_id",
    "last_sender_id",
    "last_text",
)
# (coalesce: a conversation of events only with no date sorts last, and is still reachable.)
SQL = """select
  dm_conversations.id as conversation_id,
  dm_conversations.kind,
  dm_conversations.name,
  dm_conversations.participant_ids,
  dm_conversations.first_at,
  dm_conversations.last_at,
  dm_conversations.message_count,
  last.id as last_message_id,
  last.sender_id as last_sender_id,
  {sender_name} as last_sender_screen_name,
  last.text as last_text,
  last.urls as last_urls,
  last.media as last_media
from dm_conversations
left join dm_messages as last on last.id = (
  select dm_messages.id
  from dm_messages
  where dm_messages.conversation_id = dm_conversations.id
  order by dm_messages.created_at desc, dm_messages.id desc
  limit 1
)
{where}
order by coalesce(dm_conversations.last_at, '') desc, dm_conversations.id desc
limit :size"""
_CURSOR = re.compile(r"(?P<at>[0-9T:.+Z-]{0,40})~(?P<id>.{1,1000})", re.S)


def encode_cursor(last_at: str | None, conversation_id: str) -> str:
    return f"{last_at or ''}~{conversation_id}"


def decode_cursor(text: str | None):
    """(last_at or '', conversation id) from a cursor this list made, else None."""
    match = _CURSOR.fullmatch(text or "")
    return (match["at"], match["id"]) if match else None


def query(before: str | None, sender_name: str = "null") -> Query:
    """The page after the cursor `before`; `sender_name`: the SQL of the last message's
    sender's handle (dm_messages.sender_name)."""
    params = {}
    keyset = None
    after = decode_cursor(before)
    if after:
        keyset = (
            "(coalesce(dm_conversations.last_at, ''), dm_conversations.id) < (:after_at, :after_id)"
        )
        params.update(after_at=after[0], after_id=after[1])
    sql = SQL.format(where=where(keyset), sender_name=sender_name.replace("dm_messages.", "last."))
    return Query(sql, params)


def cursor(row) -> str:
    return encode_cursor(row["last_at"], row["conversation_id"])
