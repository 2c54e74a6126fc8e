"""Private builds for the message pages' tests: the invented export (tests/fixtures/private)
built with --private, and copies of it with more in them (names, a long group chat, hostile
text, tampered media paths), written straight into the dm_ tables as the build writes them."""

import json
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlite_utils

from .build import run_build
from .paths import FIXTURES

OWNER = 2000000000000000001
FRIEND = 2000000000000000002
THIRD = 2000000000000000003
LONG_GROUP = "1500000000000000000"
LONG_GROUP_MEMBERS = [OWNER, FRIEND, THIRD, *range(4000, 4005)]
HOSTILE_CHAT = f"{OWNER}-2000000000000000009"
HOSTILE_TEXT = (
    '<script>alert(1)</script> "><img src=x onerror=alert(2)> https://t.co/bad https://t.co/ok'
)
TAMPERED_MESSAGE = 1600000000000000001
HUGE_TEXT = 100_000
# Stored media paths the route must refuse: another message's file, a tweet media file,
# no image or video, leaving the archive, a detour through a DM folder.
TAMPERED_PATHS = [
    "data/direct_messages_media/1300000000000000004-photo1.jpg",
    "data/tweets_media/1300000000000000003-passwd",
    "data/direct_messages_media/1300000000000000003-notes.txt",
    "../../etc/passwd",
    f"data/direct_messages_media/../direct_messages_media/{TAMPERED_MESSAGE}-x.jpg",
    f"/etc/{TAMPERED_MESSAGE}-x.jpg",
]


def build_private(db_path: Path) -> Path:
    """The invented export built with --private, with no account names: which ids the
    build resolves is etl/private_names.py's to test; these tests name whom they need."""
    result = run_build(db_path, FIXTURES / "private", args=["--private"])
    assert result.exit_code == 0, result.output
    db = sqlite_utils.Database(db_path)
    db.execute("delete from account_names")
    db.conn.commit()
    db.close()
    return db_path


def at(start: datetime, minutes: int) -> str:
    return (start + timedelta(minutes=minutes)).isoformat()


def add_long_group(db, messages: int, start=datetime(2024, 1, 1, tzinfo=UTC)) -> list[int]:
    """A group of eight with `messages` messages a minute apart (senders in turn, one in
    ten with two lines, every 25th with a reaction) and a member leaving and a rename
    among them; the message ids, oldest first."""
    ids = [1500000000000000001 + n for n in range(messages)]
    senders = [OWNER, FRIEND, THIRD, 4000]
    db["dm_messages"].insert_all(
        {
            "id": message_id,
            "conversation_id": LONG_GROUP,
            "sender_id": senders[n % len(senders)],
            "created_at": at(start, n),
            "text": f"message {n + 1}" + ("\nsecond line" if n % 10 == 0 else ""),
            "is_welcome": 0,
        }
        for n, message_id in enumerate(ids)
    )
    db["dm_reactions"].insert_all(
        {
            "message_id": message_id,
            "conversation_id": LONG_GROUP,
            "sender_id": FRIEND,
            "reaction_key": "funny",
            "created_at": at(start, n + 1),
        }
        for n, message_id in enumerate(ids)
        if n % 25 == 0
    )
    db["dm_events"].insert_all(
        [
            {
                "conversation_id": LONG_GROUP,
                "kind": "leave",
                "user_ids": json.dumps(["4004"]),
                "created_at": (start + timedelta(minutes=messages // 2, seconds=30)).isoformat(),
            },
            {
                "conversation_id": LONG_GROUP,
                "kind": "rename",
                "initiating_user_id": OWNER,
                "name": None,
                "created_at": at(start, -5),
            },
        ]
    )
    db["dm_conversations"].insert(
        {
            "id": LONG_GROUP,
            "kind": "group",
            "participant_ids": json.dumps([str(i) for i in LONG_GROUP_MEMBERS]),
            "first_at": at(start, -5),
            "last_at": at(start, messages - 1),
            "message_count": messages,
            "name": None,
        }
    )
    return ids


def add_hostile_chat(db) -> None:
    """A 1:1 chat, the newest of all: a message of HUGE_TEXT characters, one whose text
    tries to break out of the page, with a link to javascript: and a link to an https
    page, and one with tampered media."""
    urls = [
        {"url": "https://t.co/bad", "expanded": "javascript:alert(3)", "display": "x"},
        {"url": "https://t.co/ok", "expanded": "https://ok.example/page?a=1&b=2", "display": "ok"},
    ]
    media = [{"url": "https://ton.twitter.com/x", "path": path} for path in TAMPERED_PATHS]
    db["dm_messages"].insert_all(
        [
            {
                "id": TAMPERED_MESSAGE - 1,
                "conversation_id": HOSTILE_CHAT,
                "sender_id": 2000000000000000009,
                "recipient_id": OWNER,
                "created_at": "2025-05-05T05:00:00+00:00",
                "text": HOSTILE_TEXT,
                "urls": json.dumps(urls),
                "is_welcome": 0,
            },
            {
                "id": TAMPERED_MESSAGE - 2,
                "conversation_id": HOSTILE_CHAT,
                "sender_id": 2000000000000000009,
                "recipient_id": OWNER,
                "created_at": "2025-05-05T04:59:00+00:00",
                "text": "x" * HUGE_TEXT,
                "is_welcome": 0,
            },
            {
                "id": TAMPERED_MESSAGE,
                "conversation_id": HOSTILE_CHAT,
                "sender_id": 2000000000000000009,
                "recipient_id": OWNER,
                "created_at": "2025-05-05T05:01:00+00:00",
                "text": "",
                "media": json.dumps(media),
                "is_welcome": 0,
            },
        ]
    )
    db["dm_conversations"].insert(
        {
            "id": HOSTILE_CHAT,
            "kind": "one_to_one",
            "participant_ids": json.dumps([str(OWNER), "2000000000000000009"]),
            "first_at": "2025-05-05T04:59:00+00:00",
            "last_at": "2025-05-05T05:01:00+00:00",
            "message_count": 3,
        }
    )


def add_names(db) -> None:
    db["account_names"].insert_all(
        [
            {"account_id": FRIEND, "screen_name": "friend_two", "name": "Friend Two"},
            {
                "account_id": 2000000000000000009,
                "screen_name": "hostile",
                "name": '"><img src=x onerror=alert(4)>',
            },
        ]
    )


def rich_copy(built: Path, copy: Path, messages: int = 1178, time_zone="Asia/Tokyo") -> Path:
    """A copy of a private build with names, the long group chat and the hostile chat, its
    times in `time_zone`."""
    shutil.copy(built, copy)
    db = sqlite_utils.Database(copy)
    add_names(db)
    add_long_group(db, messages)
    add_hostile_chat(db)
    db.execute("update archive_totals set time_zone = ?", [time_zone])
    db.conn.commit()
    db.close()
    return copy
