"""Invented exports with direct messages of a test's own: the private fixture
(tests/fixtures/private) with its DM files replaced, for tests that need many messages or
texts of their own (search, paging)."""

import json
import shutil
from pathlib import Path

from .paths import FIXTURES

OWNER, FRIEND = "2000000000000000001", "2000000000000000002"
PAIR = f"{OWNER}-{FRIEND}"
GROUP = "1500000000000000000"
FIRST_MESSAGE = 1600000000000000000


def message(n: int, text: str, sender: str = OWNER, day: str = "2023-05-01", **fields) -> dict:
    """The n-th message (ids and times in the order of n: later n, later message)."""
    body = {
        "id": str(FIRST_MESSAGE + n),
        "senderId": sender,
        "text": text,
        "createdAt": f"{day}T{n // 3600 % 24:02}:{n // 60 % 60:02}:{n % 60:02}.000Z",
        "mediaUrls": [],
        "urls": [],
        "reactions": [],
        **fields,
    }
    return {"messageCreate": body}


def ytd(name: str, conversations: list[tuple[str, list[dict]]]) -> str:
    items = [
        {"dmConversation": {"conversationId": cid, "messages": list(reversed(messages))}}
        for cid, messages in conversations
    ]
    return f"window.YTD.{name}.part0 = " + json.dumps(items, ensure_ascii=False, indent=1)


def dm_export(root: Path, one_to_one: list[str], group: list[str], group_name: str) -> Path:
    """The private fixture with a 1:1 conversation of the owner and a friend holding
    `one_to_one` (alternating senders, oldest first) and a named group holding `group`."""
    shutil.copytree(FIXTURES / "private", root)
    data = root / "data"
    pair = [
        message(n, text, OWNER if n % 2 else FRIEND, recipientId=FRIEND if n % 2 else OWNER)
        for n, text in enumerate(one_to_one, 1)
    ]
    start = len(one_to_one) + 1
    chat = [message(n, text, FRIEND) for n, text in enumerate(group, start)]
    rename = {
        "conversationNameUpdate": {
            "initiatingUserId": OWNER,
            "name": group_name,
            "createdAt": "2023-04-30T00:00:00.000Z",
        }
    }
    (data / "direct-messages.js").write_text(ytd("direct_messages", [(PAIR, pair)]))
    (data / "direct-messages-group.js").write_text(
        ytd("direct_messages_group", [(GROUP, [rename, *chat])])
    )
    return root
