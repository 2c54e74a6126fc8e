"""Hostile and damaged DM files, read end to end through `tweets-etl build --private` (issue 19,
item 4): damage costs only the damaged items, each a problem row naming file and position;
texts and names are bounded; no file outside the export's DM media folders is referenced.

Every export is written here, in tmp_path, and invented.
"""

import json
import tracemalloc

import pytest
import sqlite_utils

from etl import private_dms
from etl.jsfiles import ITEM_LIMIT
from etl.schema import create_dm_tables
from tests.helpers.build import run_build

OWNER, FRIEND = 42, 43
PAIR = f"{OWNER}-{FRIEND}"
DM = "data/direct-messages.js"
GROUP_DM = "data/direct-messages-group.js"
ACCOUNT = json.dumps([{"account": {"username": "owner_a", "accountId": str(OWNER)}}])


def message(message_id, text="hi", **fields) -> dict:
    body = {
        "id": message_id,
        "senderId": str(FRIEND),
        "recipientId": str(OWNER),
        "text": text,
        "createdAt": "2023-03-01T10:05:00.000Z",
        "mediaUrls": [],
        "urls": [],
        "reactions": [],
    }
    return {"messageCreate": {**body, **fields}}


def conversation(messages, conversation_id=PAIR) -> dict:
    return {"dmConversation": {"conversationId": conversation_id, "messages": messages}}


def entries(count: int, first_id: int = 100) -> list[dict]:
    """`count` conversations of one message each, message ids first_id, first_id + 1, ..."""
    return [
        conversation([message(str(first_id + i), f"m{i}")], f"{OWNER}-{1000 + i}")
        for i in range(count)
    ]


def export(folder, items, group=None, media: dict[str, list[str]] | None = None):
    """An export without tweets: account.js, direct-messages.js holding `items` (a list, or
    the file's text or bytes), the group file if given, and media files by folder."""
    data = folder / "data"
    data.mkdir(parents=True)
    (data / "account.js").write_text(f"window.YTD.account.part0 = {ACCOUNT}")
    for name, value in [("direct-messages.js", items), ("direct-messages-group.js", group)]:
        if value is None:
            continue
        if isinstance(value, list):
            value = f"window.YTD.direct_messages.part0 = {json.dumps(value, indent=1)}"
        path = data / name
        path.write_bytes(value if isinstance(value, bytes) else value.encode())
    for folder_name, names in (media or {}).items():
        (data / folder_name).mkdir(parents=True, exist_ok=True)
        for name in names:
            (data / folder_name / name).write_bytes(b"\xff\xd8 not much of a picture")
    return folder


def build(tmp_path, source) -> sqlite_utils.Database:
    result = run_build(tmp_path / "private.db", source, args=["--private"])
    assert result.exit_code == 0, result.output
    return sqlite_utils.Database(tmp_path / "private.db")


def rows(db, sql: str) -> list[tuple]:
    return [tuple(row) for row in db.execute(sql).fetchall()]


def problems(db) -> list[tuple]:
    return rows(db, "select file, line, reason from etl_problems order by id")


def message_ids(db) -> list[int]:
    return [i for (i,) in rows(db, "select id from dm_messages order by id")]


# --- Damaged files ---------------------------------------------------------------------------


def test_a_truncated_file_keeps_every_whole_entry_and_names_where_it_ends(tmp_path):
    text = f"window.YTD.direct_messages.part0 = {json.dumps(entries(5), indent=1)}"
    cut = text.index('"m3"')  # inside the fourth entry
    db = build(tmp_path, export(tmp_path / "x", text[:cut]))
    assert message_ids(db) == [100, 101, 102]
    assert problems(db) == [(DM, 4, "unreadable from item 4: the file ends inside an item")]


@pytest.mark.parametrize(
    "damage, text",
    [(b"caf\xe9", "caf\ufffd"), (b"x\\udc00y", "x\ufffdy"), (b"\xff\xfe", "\ufffd" * 2)],
)
def test_a_bad_byte_in_the_middle_costs_nothing_but_itself(tmp_path, damage, text):
    items = entries(3)
    items[1]["dmConversation"]["messages"][0]["messageCreate"]["text"] = "DAMAGE"
    body = f"window.YTD.direct_messages.part0 = {json.dumps(items)}".encode()
    db = build(tmp_path, export(tmp_path / "x", body.replace(b"DAMAGE", damage)))
    assert rows(db, "select id, text from dm_messages order by id") == [
        (100, "m0"),
        (101, text),
        (102, "m2"),
    ]
    assert problems(db) == [(DM, 2, "item 2 has bytes that are not UTF-8 (replaced with U+FFFD)")]


def test_a_bad_byte_that_breaks_an_entry_costs_that_entry_only(tmp_path):
    body = f"window.YTD.direct_messages.part0 = {json.dumps(entries(3), indent=1)}".encode()
    broken = body.replace(b'"conversationId": "42-1001"', b'"conversationId\xff: "42-1001"')
    db = build(tmp_path, export(tmp_path / "x", broken))
    assert message_ids(db) == [100, 102]
    assert problems(db) == [
        (
            DM,
            2,
            "item 2 is unreadable (the file ends inside an item): read on from the next one",
        )
    ]


def test_broken_quotes_in_several_entries_cost_those_entries_only(tmp_path):
    body = f"window.YTD.direct_messages.part0 = {json.dumps(entries(6), indent=1)}".encode()
    for i in (1, 3, 4):
        body = body.replace(f'"text": "m{i}"'.encode(), f'"text": "m{i}\xff}}'.encode())
    db = build(tmp_path, export(tmp_path / "x", body))
    assert message_ids(db) == [100, 102, 105]
    # Read on from entry 3: the two broken quotes of entries 4 and 5 cancel out there.
    assert [(line, reason.split(" is ")[0]) for _, line, reason in problems(db)] == [
        (2, "item 2"),
        (4, "item 4"),
        (5, "item 5"),
    ]


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-8-sig"])
def test_a_file_in_utf16_with_its_byte_order_mark_is_read_whole(tmp_path, encoding):
    items = entries(3)
    items[0]["dmConversation"]["messages"][0]["messageCreate"]["text"] = "日本語 😀 é"
    text = f"window.YTD.direct_messages.part0 = {json.dumps(items, ensure_ascii=False)}"
    data = text.encode(encoding)
    if encoding == "utf-16-be":
        data = b"\xfe\xff" + data
    db = build(tmp_path, export(tmp_path / "x", data))
    assert rows(db, "select id, text from dm_messages order by id") == [
        (100, "日本語 😀 é"),
        (101, "m1"),
        (102, "m2"),
    ]
    assert problems(db) == []


def test_a_file_in_utf16_without_a_mark_is_problems_not_a_failure(tmp_path):
    text = f"window.YTD.direct_messages.part0 = {json.dumps(entries(3))}"
    db = build(tmp_path, export(tmp_path / "x", text.encode("utf-16-le")))
    assert message_ids(db) == []
    assert problems(db) and {f for f, _, _ in problems(db)} == {DM}


# --- Wrong types ------------------------------------------------------------------------------


BAD_IDS = [1.3e18, 1300000000000000001.0, True, False, {"id": "7"}, ["7"], None, "", "12ab",
           -5, 0, "1e18", str(2**63), " ", "0x10", "１２"]  # fmt: skip


def test_a_message_id_that_is_not_a_whole_number_costs_that_message(tmp_path):
    items = [conversation([message("100"), *map(message, BAD_IDS), message("102")])]
    db = build(tmp_path, export(tmp_path / "x", items))
    assert message_ids(db) == [100, 102]
    assert [(f, line, reason.split(": ")[-1]) for f, line, reason in problems(db)] == [
        (DM, 1, "no message id from 1 to 2^63-1")
    ] * len(BAD_IDS)


@pytest.mark.parametrize("value", [1.5, True, {"a": 1}, [43], "4e1", -43])
def test_other_ids_of_the_wrong_type_are_left_empty_and_reported(tmp_path, value):
    items = [
        conversation(
            [
                message("100", senderId=value, recipientId=value),
                {"reactionCreate": {"messageId": "100", "senderId": value, "eventId": value}},
            ]
        )
    ]
    db = build(tmp_path, export(tmp_path / "x", items))
    assert rows(db, "select id, sender_id, recipient_id from dm_messages") == [(100, None, None)]
    assert rows(db, "select message_id, sender_id, event_id from dm_reactions") == [
        (100, None, None)
    ]
    assert rows(db, "select participant_ids from dm_conversations") == [
        (f'["{OWNER}", "{FRIEND}"]',)
    ]
    assert [(line, reason.split(": ", 1)[1]) for _, line, reason in problems(db)] == [
        (1, "senderId, recipientId not as expected (left empty)"),
        (1, "senderId, eventId not as expected (left empty)"),
    ]


@pytest.mark.parametrize("value", [12345, 1.5, True, ["a"], {"text": "a"}])
def test_a_text_that_is_not_a_string_is_left_empty_and_reported(tmp_path, value):
    items = [conversation([message("100", value), message("101", "fine")])]
    db = build(tmp_path, export(tmp_path / "x", items))
    assert rows(db, "select id, text from dm_messages order by id") == [(100, ""), (101, "fine")]
    assert problems(db) == [
        (DM, 1, f"conversation #1 ({PAIR}), message #1: text not as expected (left empty)")
    ]


BAD_ENTRIES = [
    {"dmConversation": {"conversationId": PAIR, "messages": {"0": message("7")}}},
    {"dmConversation": {"conversationId": PAIR, "messages": "many"}},
    {"dmConversation": {"conversationId": 4243, "messages": [message("7")]}},
    {"dmConversation": {"conversationId": ["42-43"], "messages": [message("7")]}},
    {"dmConversation": {"conversationId": "x" * 300, "messages": [message("7")]}},
    {"dmConversation": {"conversationId": "../../etc", "messages": [message("7")]}},
    {"dmConversation": {"conversationId": "42-43-44", "messages": [message("7")]}},
    {"dmConversation": [PAIR]},
    {"conversation": {"conversationId": PAIR, "messages": [message("7")]}},
    [1, 2],
    "text",
    12,
    None,
]


def test_an_entry_of_the_wrong_shape_costs_that_entry(tmp_path):
    items = [conversation([message("100")]), *BAD_ENTRIES, conversation([message("102")])]
    db = build(tmp_path, export(tmp_path / "x", items))
    assert message_ids(db) == [100, 102]
    assert [(f, line, reason.split(": ")[-1]) for f, line, reason in problems(db)] == [
        (DM, position, "no conversationId or no list of messages")
        for position in range(2, 2 + len(BAD_ENTRIES))
    ]


def test_fields_of_the_wrong_type_inside_a_message_are_dropped_not_fatal(tmp_path):
    items = [
        conversation(
            [
                message(
                    "100",
                    createdAt=1677665100,
                    urls={"url": "x"},
                    mediaUrls="https://ton.twitter.com/dm/100/1/a.jpg",
                    reactions=[1, "like", None, {"reactionKey": ["like"], "senderId": "43"}],
                    editHistory=[{"deep": [[[1]]]}],
                ),
                message("101", urls=[1, None, {"url": 5, "expanded": ["x"]}], mediaUrls=[7, None]),
                {"messageCreate": "text"},
                {"messageCreate": {}},
                {"a": {}, "b": {}},
                7,
            ]
        )
    ]
    db = build(tmp_path, export(tmp_path / "x", items))
    assert rows(db, "select id, created_at, urls, media, edit_history from dm_messages") == [
        (100, None, None, None, '[{"deep": [[[1]]]}]'),
        (101, "2023-03-01T10:05:00+00:00", None, None, None),
    ]
    assert rows(db, "select message_id, sender_id, reaction_key from dm_reactions") == [
        (100, FRIEND, None)
    ]
    assert [(line, reason.split(": ", 1)[1]) for _, line, reason in problems(db)] == [
        (1, "createdAt, urls, mediaUrls, reactions not as expected (left empty)"),
        (1, "reactionKey not as expected (left empty)"),
        (1, "urls, mediaUrls not as expected (left empty)"),
        (1, "not an event"),
        (1, "not an event"),
        (1, "not an event"),
        (1, "not an event"),
    ]


# --- Sizes -------------------------------------------------------------------------------------


def test_a_huge_text_is_cut_at_the_bound_and_reported(tmp_path):
    bound = private_dms.MAX_TEXT
    items = [conversation([message("100", "a" * (bound + 5000)), message("101", "b" * bound)])]
    db = build(tmp_path, export(tmp_path / "x", items))
    assert rows(db, "select id, length(text) from dm_messages order by id") == [
        (100, bound),
        (101, bound),
    ]
    assert problems(db) == [
        (
            DM,
            1,
            f"conversation #1 ({PAIR}), message #1: text of {bound + 5000:,} characters cut "
            f"to {bound:,}",
        )
    ]


def test_huge_names_keys_and_links_are_cut_or_dropped(tmp_path):
    bound = private_dms.MAX_NAME
    group = [
        conversation(
            [
                {
                    "conversationNameUpdate": {
                        "initiatingUserId": "43",
                        "name": "n" * (bound * 10),
                        "createdAt": "2023-03-01T10:05:00.000Z",
                    }
                },
                message(
                    "200",
                    recipientId=None,
                    reactions=[{"senderId": "43", "reactionKey": "k" * 10_000, "eventId": "9"}],
                    urls=[{"url": "https://t.co/" + "u" * 10_000, "expanded": "https://e.org/"}],
                    mediaUrls=["https://ton.twitter.com/dm/200/1/" + "p" * 10_000 + ".jpg"],
                ),
            ],
            "777",
        )
    ]
    db = build(tmp_path, export(tmp_path / "x", [], group=group))
    assert rows(db, "select length(name) from dm_conversations") == [(bound,)]
    assert rows(db, "select length(name) from dm_events") == [(bound,)]
    assert rows(db, "select length(reaction_key) from dm_reactions") == [(bound,)]
    assert rows(db, "select urls, media from dm_messages") == [
        (
            '[{"url": null, "expanded": "https://e.org/", "display": null}]',
            '[{"url": null, "path": null}]',
        )
    ]
    where = "conversation #1 (777), message #"
    assert problems(db) == [
        (GROUP_DM, 1, f"{where}1: name of {bound * 10:,} characters cut to {bound:,}"),
        (GROUP_DM, 1, f"{where}2: urls, mediaUrls not as expected (left empty)"),
        (GROUP_DM, 1, f"{where}2: reactionKey of 10,000 characters cut to {bound:,}"),
    ]


def test_more_than_a_hundred_links_media_or_reactions_are_cut(tmp_path):
    many = private_dms.MAX_ENTITIES + 50
    items = [
        conversation(
            [
                message(
                    "100",
                    urls=[{"url": f"https://t.co/{i}"} for i in range(many)],
                    mediaUrls=[f"https://ton.twitter.com/dm/100/{i}/a.jpg" for i in range(many)],
                    reactions=[
                        {"senderId": "43", "reactionKey": "like", "eventId": str(i + 1)}
                        for i in range(many)
                    ],
                )
            ]
        )
    ]
    db = build(tmp_path, export(tmp_path / "x", items))
    assert rows(
        db,
        "select json_array_length(urls), json_array_length(media), "
        "(select count(*) from dm_reactions) from dm_messages",
    ) == [(100, 100, 100)]
    assert [reason.split(": ", 1)[1] for _, _, reason in problems(db)] == [
        "more than 100 urls, mediaUrls, reactions (the rest left out)"
    ]


def test_an_entry_over_the_item_bound_costs_that_entry_only(tmp_path):
    items = entries(3)
    items[1]["dmConversation"]["messages"][0]["messageCreate"]["text"] = "x" * (ITEM_LIMIT + 10)
    db = build(tmp_path, export(tmp_path / "x", items))
    assert message_ids(db) == [100, 102]
    assert problems(db) == [(DM, 2, "item 2 is larger than 10 MB")]


def test_a_deeply_nested_entry_costs_that_entry_only(tmp_path):
    depth = 20_000
    items = entries(3)
    items[1]["dmConversation"]["messages"][0]["messageCreate"]["editHistory"] = "DEEP"
    text = f"window.YTD.direct_messages.part0 = {json.dumps(items)}"
    text = text.replace('"DEEP"', "[" * depth + "]" * depth)
    db = build(tmp_path, export(tmp_path / "x", text))
    assert message_ids(db) == [100, 102]
    assert problems(db) == [(DM, 2, "item 2 is nested too deeply to read")]


def test_nesting_the_decoder_takes_is_stored_or_reported_not_fatal(tmp_path):
    items = entries(2)
    nested = []
    for _ in range(400):
        nested = [nested]
    body = items[0]["dmConversation"]["messages"][0]["messageCreate"]
    body["editHistory"] = [nested]
    body["text"] = {"a": nested}
    db = build(tmp_path, export(tmp_path / "x", items))
    assert message_ids(db) == [100, 101]
    assert rows(db, "select text from dm_messages where id = 100") == [("",)]


# --- Media -------------------------------------------------------------------------------------

MEDIA_FOLDER = "direct_messages_media"


HOSTILE_MEDIA = [
    "../../etc/passwd",
    "/etc/passwd",
    "file:///etc/passwd",
    "https://ton.twitter.com/dm/100/1/../../../../etc/passwd",
    "https://ton.twitter.com/dm/100/1/..%2F..%2Fetc%2Fpasswd",
    "https://ton.twitter.com/dm/100/1/..\\..\\secret.jpg",
    "https://ton.twitter.com/dm/100/1/../../tweets_media/100-photo.jpg",
    "/abs/direct_messages_media/100-photo.jpg/",
    "C:\\Windows\\100-photo.jpg",
    "https://ton.twitter.com/dm/100/1/notes.txt",
    "https://ton.twitter.com/dm/100/1/page.html",
    "https://ton.twitter.com/dm/100/1/",
    "https://ton.twitter.com/dm/100/1/..",
    "https://ton.twitter.com/dm/100/1/.",
    "javascript:alert(1)//photo.jpg",
    "https://ton.twitter.com/dm/100/1/sub%2F100-photo.jpg",
]


def test_no_media_path_outside_the_dm_media_folders_nor_of_other_types(tmp_path):
    files = {
        MEDIA_FOLDER: ["100-notes.txt", "100-page.html", "100-passwd", "100-", "101-photo.jpg"],
        f"{MEDIA_FOLDER}/sub": ["100-photo.jpg"],
        "tweets_media": ["100-photo.jpg"],
    }
    items = [conversation([message("100", mediaUrls=HOSTILE_MEDIA)])]
    db = build(tmp_path, export(tmp_path / "x", items, media=files))
    ((media,),) = rows(db, "select media from dm_messages")
    found = json.loads(media)
    assert [m["path"] for m in found] == [None] * len(HOSTILE_MEDIA)
    # Only web links are kept as links: the rest would be a path or a script on a page.
    assert [m["url"] for m in found] == [
        u if u.startswith("https://") else None for u in HOSTILE_MEDIA
    ]


def test_media_of_the_dm_folders_are_found_by_message_id_and_last_part_only(tmp_path):
    files = {MEDIA_FOLDER: ["100-photo.jpg", "100-clip.mp4", "101-photo.jpg"]}
    group_files = {"direct_messages_group_media": ["200-pic.png"]}
    items = [
        conversation(
            [
                message(
                    "100",
                    mediaUrls=[
                        "https://ton.twitter.com/dm/100/1/photo.jpg",
                        "https://video.twimg.com/dm_video/100/vid/clip.mp4?tag=1",
                        "https://ton.twitter.com/dm/100/1/missing.jpg",
                    ],
                )
            ]
        )
    ]
    group = [
        conversation(
            [message("200", mediaUrls=["https://ton.twitter.com/dm/200/2/pic.png"])], "777"
        )
    ]
    db = build(tmp_path, export(tmp_path / "x", items, group, {**files, **group_files}))
    assert [
        [m["path"] for m in json.loads(media)]
        for (media,) in rows(db, "select media from dm_messages order by id")
    ] == [
        [f"data/{MEDIA_FOLDER}/100-photo.jpg", f"data/{MEDIA_FOLDER}/100-clip.mp4", None],
        ["data/direct_messages_group_media/200-pic.png"],
    ]


# --- Odd but real conversations -----------------------------------------------------------------


def test_a_conversation_with_oneself(tmp_path):
    items = [
        conversation(
            [message("100", "note to self", senderId=str(OWNER), recipientId=str(OWNER))],
            f"{OWNER}-{OWNER}",
        )
    ]
    db = build(tmp_path, export(tmp_path / "x", items))
    assert rows(db, "select id, kind, participant_ids, message_count from dm_conversations") == [
        (f"{OWNER}-{OWNER}", "one_to_one", f'["{OWNER}"]', 1)
    ]
    assert rows(db, "select sender_id, recipient_id, text from dm_messages") == [
        (OWNER, OWNER, "note to self")
    ]
    assert problems(db) == []


def test_messages_with_no_text(tmp_path):
    no_text = message("101")
    del no_text["messageCreate"]["text"]
    items = [
        conversation(
            [
                message("100", "", mediaUrls=["https://ton.twitter.com/dm/100/1/a.jpg"]),
                no_text,
                message("102", None),
            ]
        )
    ]
    db = build(tmp_path, export(tmp_path / "x", items))
    assert rows(db, "select id, text from dm_messages order by id") == [
        (100, ""),
        (101, ""),
        (102, ""),
    ]
    assert problems(db) == []


def test_message_ids_duplicated_across_split_entries_are_one_row(tmp_path):
    items = [
        conversation([message("103", "newest"), message("102", "first copy")]),
        conversation([message("1", "elsewhere")], f"{OWNER}-44"),
        conversation([message("102", "second copy"), message("101", "oldest")]),
        conversation([message("103", "in another conversation")], f"{OWNER}-45"),
    ]
    db = build(tmp_path, export(tmp_path / "x", items))
    assert rows(db, "select id, conversation_id, text from dm_messages order by id") == [
        (1, f"{OWNER}-44", "elsewhere"),
        (101, PAIR, "oldest"),
        (102, PAIR, "first copy"),
        (103, PAIR, "newest"),
    ]
    assert rows(db, "select id, message_count from dm_conversations order by id") == [
        (PAIR, 3),
        (f"{OWNER}-44", 1),
        (f"{OWNER}-45", 0),
    ]


# --- The account lists (etl/private_accounts.py) ----------------------------------------------


def test_account_lists_take_whole_number_ids_only_and_name_where_a_cut_file_ends(tmp_path):
    source = export(tmp_path / "x", entries(1))
    ids = ["7", 8, 1.5e18, True, {"id": 9}, "1e3", "-4", str(2**63)]
    followers = [{"follower": {"accountId": i, "userLink": "https://x.invalid/"}} for i in ids]
    followers.append({"follower": {"accountId": "10", "userLink": "javascript:alert(1)"}})
    followers.append({"follower": {"accountId": "11", "userLink": "https://e.org/" + "x" * 600}})
    text = f"window.YTD.follower.part0 = {json.dumps(followers)}"
    (source / "data" / "follower.js").write_text(text)
    cut = f"window.YTD.mute.part0 = {json.dumps([{'muting': {'accountId': '5'}}] * 3)}"
    (source / "data" / "mute.js").write_text(cut[: cut.rindex("accountId")])
    db = build(tmp_path, source)
    assert rows(db, "select account_id, user_link from followers order by account_id") == [
        (7, "https://x.invalid/"),
        (8, "https://x.invalid/"),
        (10, None),
        (11, None),
    ]
    assert rows(db, "select account_id from mutes") == [(5,)]
    assert [(f, line, reason) for f, line, reason in problems(db) if not f.startswith(DM)] == [
        *[("data/follower.js", n, "no readable accountId") for n in range(3, 9)],
        ("data/mute.js", 3, "unreadable from item 3: the file ends inside an item"),
    ]


def test_entries_larger_than_a_chunk_are_read_whole_or_cost_only_themselves(tmp_path):
    """An entry of 1,000 messages is hundreds of KB, more than jsfiles reads at a time."""
    big = [message(str(1000 + i), "x" * 600) for i in range(1000)]
    items = [
        conversation(big),
        conversation([message("5")], f"{OWNER}-44"),
        conversation(big),
        conversation([message("6")], f"{OWNER}-45"),
    ]
    text = f"window.YTD.direct_messages.part0 = {json.dumps(items, indent=1)}"
    # The third entry breaks in its middle.
    middle = text.rindex('"id": "1500"')
    text = text[:middle] + '"id"; "1500"' + text[middle + 12 :]
    db = build(tmp_path, export(tmp_path / "x", text))
    assert rows(db, "select count(*), min(id), max(id) from dm_messages") == [(1002, 5, 1999)]
    assert [(line, reason.split(" (")[0]) for _, line, reason in problems(db)] == [
        (3, "item 3 is not JSON nor an object literal")
    ]


def test_memory_does_not_grow_with_the_number_of_conversations(tmp_path):
    # A file of millions of tiny conversations: their facts are merged in SQLite, entry by
    # entry, not kept in memory (bench/dm_speed.py --conversations measures a whole build).
    db = sqlite_utils.Database(tmp_path / "dms.db")
    create_dm_tables(db, indexes=False)
    dms = private_dms.DMImport(db)

    def read(first: int, count: int) -> None:
        for i in range(first, first + count):
            item = conversation([message(str(10**6 + i))], f"{OWNER}-{10**6 + i}")
            dms.read_entry(1, DM, i, item, "one_to_one", OWNER)

    read(0, 2_000)
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        read(2_000, 30_000)
        grown = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    # Batches of rows come and go; a record per conversation would be megabytes here.
    assert grown < 500_000, grown
    dms.finish()
    assert rows(db, "select count(*), count(distinct participant_ids) from dm_conversations") == [
        (32_000, 32_000)
    ]
