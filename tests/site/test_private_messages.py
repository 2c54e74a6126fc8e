"""The owner's direct messages on a private site (hooks/private_messages.py): the
conversations newest first with names, previews and counts; a conversation as a chat with
bubbles by sender, day separators in the owner's zone, group events, reactions, welcome
messages, media served only from what the build stored; paging both ways through a long
chat; .json and .csv; escaping; 404s; and none of it on a public site."""

import asyncio
import csv
import html
import io
import json
import re
import shutil

import pytest
import sqlite_utils
from datasette.utils import tilde_decode

from tests.helpers.build import run_build
from tests.helpers.paths import FIXTURES
from tests.helpers.private_messages import (
    HOSTILE_CHAT,
    LONG_GROUP,
    OWNER,
    TAMPERED_MESSAGE,
    TAMPERED_PATHS,
    build_private,
    rich_copy,
)
from tests.helpers.site import make_datasette

ONE_TO_ONE = "2000000000000000001-2000000000000000002"
GROUP = "1400000000000000000"
WELCOMED = "999-2000000000000000001"
MEDIA = FIXTURES / "private" / "data"


@pytest.fixture(scope="module")
def private_db(tmp_path_factory):
    """The invented export built with --private, as it is (no names resolved, UTC)."""
    return build_private(tmp_path_factory.mktemp("private-dm") / "archive.db")


@pytest.fixture(scope="module")
def rich_db(private_db, tmp_path_factory):
    """The same with names, a group chat of 1,178 messages, a hostile chat, in Tokyo time."""
    return rich_copy(private_db, tmp_path_factory.mktemp("private-dm-rich") / "archive.db")


@pytest.fixture
def pds(private_db, metadata, monkeypatch):
    monkeypatch.delenv("TWEET_ARCHIVE_MEDIA_ROOT", raising=False)
    return make_datasette(private_db, metadata)


@pytest.fixture
def rds(rich_db, metadata, monkeypatch):
    monkeypatch.delenv("TWEET_ARCHIVE_MEDIA_ROOT", raising=False)
    return make_datasette(rich_db, metadata)


def text_of(fragment: str) -> str:
    fragment = fragment.replace("<br>", " ")
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", fragment)).split())


def conversations(page: str) -> list[dict]:
    found = []
    for item in re.findall(r'<li class="dm-item">(.*?)</li>', page, re.S):
        title = re.search(
            r'<h2 class="dm-title"><a href="([^"]+)"[^>]*>(.*?)</a>\s*'
            r'<span class="dm-kind">(.*?)</span>',
            item,
            re.S,
        )
        preview = re.search(r'<p class="dm-preview"[^>]*>(.*?)</p>', item, re.S)
        meta = re.search(r'<p class="dm-meta[^"]*">(.*?)</p>', item, re.S)
        people = re.search(r'<p class="dm-people">(.*?)</p>', item, re.S)
        found.append(
            {
                "href": title[1],
                "title": text_of(title[2]),
                "kind": title[3],
                "people": text_of(people[1]) if people else None,
                "preview": text_of(preview[1]) if preview else None,
                "meta": text_of(meta[1]),
            }
        )
    return found


def chat_items(page: str) -> list[tuple]:
    """The chat as (kind, what it says): day, event, mine or theirs (the text)."""
    chat = re.search(r'<ol class="chat[^"]*">(.*?)</ol>', page, re.S)[1]
    items = []
    for item in chat.split('<li class="chat-')[1:]:
        kind, body = item.split('"', 1)
        if kind.startswith("message"):
            side = "mine" if "chat-mine" in kind else "theirs"
            text = re.search(r'<p class="chat-text"[^>]*>(.*?)</p>', body, re.S)
            items.append((side, text_of(text[1]) if text else ""))
        else:
            items.append((kind, text_of(body.partition(">")[2])))
    return items


def message_ids(page: str) -> list[int]:
    return [int(i) for i in re.findall(r'<li class="chat-message[^"]*" id="m(-?\d+)"', page)]


def link(page: str, css_class: str) -> str | None:
    found = re.search(rf'<a class="{css_class}" href="([^"]+)"', page)
    return html.unescape(found[1]) if found else None


def chat_position(page: str) -> str | None:
    found = re.search(r'<span class="chat-position">(.*?)</span>', page)
    return found[1] if found else None


@pytest.mark.asyncio
async def test_the_conversations_newest_first_with_names_previews_and_counts(pds):
    response = await pds.client.get("/messages")
    assert response.status_code == 200
    assert "<title>Messages — " in response.text
    assert conversations(response.text) == [
        {
            "href": f"/messages/{ONE_TO_ONE}",
            "title": "2000000000000000002",
            "kind": "1:1",
            # (An unnamed person's id is the title: said once.)
            "people": None,
            "preview": "You: DMSECRETWORD tea & cake? example.org/page",
            "meta": "1 Mar 2023 · 3 messages",
        },
        {
            "href": f"/messages/{OWNER}-{OWNER}",
            "title": "Notes to yourself",
            "kind": "1:1",
            "people": "@fixture_owner (Fixture Owner)",
            "preview": "You: note to self DMSECRETWORD",
            "meta": "1 Jan 2021 · 1 message",
        },
        {
            "href": f"/messages/{GROUP}",
            "title": "Picnic DMSECRETWORD crew",
            "kind": "Group",
            "people": "With 999, 2000000000000000002, 2000000000000000003",
            "preview": "2000000000000000002: see you there DMSECRETWORD",
            "meta": "2 Jul 2020 · 1 message",
        },
        {
            "href": f"/messages/{WELCOMED}",
            "title": "999",
            "kind": "1:1",
            "people": None,
            "preview": "You: Thanks <3 DMSECRETWORD",
            "meta": "1 Jun 2019 · 2 messages",
        },
    ]
    assert '<a href="/archive/dm_conversations?_sort_desc=last_at">View as table</a>' in (
        response.text
    )
    # An account the archive can't name is its bare id, linked to twitter.com by that id.
    assert (
        '<a class="dm-person" href="https://twitter.com/intent/user?user_id=999" '
        'rel="nofollow noopener noreferrer" dir="auto">999</a>'
    ) in response.text


@pytest.mark.asyncio
async def test_known_names_and_a_group_without_a_name(rds):
    found = conversations((await rds.client.get("/messages")).text)
    assert [(c["title"], c["kind"], c["people"], c["preview"]) for c in found[:3]] == [
        (
            '"><img src=x onerror=alert(4)>',
            "1:1",
            "@hostile",
            "(photo)",
        ),
        (
            "@friend_two, 2000000000000000003, 4000 and 4 others",
            "Group",
            "With @friend_two (Friend Two), 2000000000000000003, 4000 and 4 others",
            "@friend_two: message 1178",
        ),
        (
            "Friend Two",
            "1:1",
            "@friend_two",  # (their name is the title)
            "You: DMSECRETWORD tea & cake? example.org/page",
        ),
    ]
    # Dates in the owner's zone: 19:37 UTC on 1 January is 2 January in Tokyo.
    assert found[1]["meta"] == "2 Jan 2024 · 1,178 messages"


@pytest.mark.asyncio
async def test_the_list_pages_by_keyset_and_gives_its_rows(rds):
    every = (await rds.client.get("/messages.json?_shape=array")).json()
    ids = [row["conversation_id"] for row in every]
    assert ids == [HOSTILE_CHAT, LONG_GROUP, ONE_TO_ONE, f"{OWNER}-{OWNER}", GROUP, WELCOMED]
    first = (await rds.client.get("/messages.json?_size=4")).json()
    assert [row["conversation_id"] for row in first["rows"]] == ids[:4]
    assert first["next"] == f"2021-01-01T00:00:00+00:00~{OWNER}-{OWNER}"
    rest = (
        await rds.client.get("/messages.json", params={"_size": 4, "before": first["next"]})
    ).json()
    assert [row["conversation_id"] for row in rest["rows"]] == ids[4:]
    assert rest["next"] is None
    # The page itself: 50 a page, so one page here; its CSV has every column.
    rows = list(csv.reader(io.StringIO((await rds.client.get("/messages.csv")).text)))
    assert rows[0] == [
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
    ]
    assert [row[0] for row in rows[1:]] == ids


@pytest.mark.asyncio
async def test_a_conversation_as_a_chat(pds):
    response = await pds.client.get(f"/messages/{ONE_TO_ONE}")
    assert response.status_code == 200
    page = response.text
    assert "<title>Messages with 2000000000000000002 — " in page
    # The unnamed other side's id is the heading, and said no second time: their account
    # is a link of its own.
    assert re.search(r"<h1[^>]*>(.*?)</h1>", page)[1] == "2000000000000000002"
    assert re.findall(r'<p class="dm-people">(.*?)</p>', page) == [
        '<a class="dm-person" href="https://twitter.com/intent/user?user_id=2000000000000000002" '
        'rel="nofollow noopener noreferrer">Their account on twitter.com</a>'
    ]
    assert chat_items(page) == [
        ("day", "Saturday 31 December 2022"),
        ("mine", "older half DMSECRETWORD second line"),
        ("day", "Wednesday 1 March 2023"),
        ("theirs", ""),
        ("mine", "DMSECRETWORD tea & cake? example.org/page"),
    ]
    # Line breaks kept; the link is the address its t.co stands for.
    assert "older half DMSECRETWORD<br>second line" in page
    assert (
        '<a href="https://example.org/page" title="https://example.org/page" '
        'rel="nofollow noopener noreferrer">example.org/page</a>'
    ) in page
    # The stored photo inline, from the private media route; the files the build did not
    # store (a path in a URL, a .txt) are said to be missing, never linked.
    assert re.findall(r'<img src="([^"]+)"', page) == ["/-/dm-media/1300000000000000004/0"]
    assert page.count("A photo or video this archive doesn't hold.") == 2
    # A reaction under its message, as an emoji and who gave it.
    reactions = re.findall(r'<ul class="chat-reactions"[^>]*>(.*?)</ul>', page, re.S)
    assert [text_of(r) for r in reactions] == ["❤️ like by 2000000000000000002"]
    # A message edited (an edit history of earlier versions) says so; an empty one doesn't.
    times = re.findall(r'<p class="chat-time">(.*?)</p>', page)
    assert [text_of(t) for t in times] == ["23:59", "10:04 · edited", "10:05"]
    # Times are UTC here, said once.
    assert "times in UTC" in page
    assert (
        '<time datetime="2023-03-01T10:05:00+00:00" title="Wed 1 Mar 2023, 10:05 UTC">10:05' in page
    )
    # For explorers: the table filtered to the conversation, its SQL, the rows.
    assert (
        f'<a href="/archive/dm_messages?conversation_id={ONE_TO_ONE}&amp;_sort=created_at">'
        "View as table</a>"
    ) in page
    assert f'<a href="/messages/{ONE_TO_ONE}.json?_shape=array">JSON</a>' in page


@pytest.mark.asyncio
async def test_times_and_days_in_the_owners_zone(rds):
    page = (await rds.client.get(f"/messages/{ONE_TO_ONE}")).text
    assert chat_items(page)[:2] == [
        ("day", "Sunday 1 January 2023"),
        ("mine", "older half DMSECRETWORD second line"),
    ]
    assert (
        '<time datetime="2022-12-31T23:59:59+00:00" title="Sun 1 Jan 2023, 08:59 JST">08:59' in page
    )
    assert "times in Tokyo time (Asia/Tokyo)" in page


@pytest.mark.asyncio
async def test_group_events_inline_and_each_bubble_names_its_sender(rds):
    page = (await rds.client.get(f"/messages/{GROUP}")).text
    assert "<title>Group “Picnic DMSECRETWORD crew”: messages with 999, @friend_two, " in page
    assert chat_items(page) == [
        ("day", "Wednesday 1 July 2020"),
        ("event", "You joined (added by @friend_two) · 21:00"),
        ("event", "@friend_two added 999 · 21:10"),
        ("event", "You renamed the group to “Picnic” · 21:30"),
        ("event", "999 left · 22:00"),
        ("day", "Thursday 2 July 2020"),
        ("theirs", "see you there DMSECRETWORD"),
        ("day", "Friday 3 July 2020"),
        (
            "event",
            "@friend_two renamed the group to “Picnic DMSECRETWORD crew” · 21:00",
        ),
    ]
    senders = re.findall(r'<p class="chat-sender">(.*?)</p>', page, re.S)
    assert [text_of(s) for s in senders] == ["@friend_two (Friend Two)"]
    assert re.findall(r'<video class="chat-media" src="([^"]+)" controls', page) == [
        "/-/dm-media/1400000000000000010/0"
    ]


@pytest.mark.asyncio
async def test_a_crowded_group_lists_a_hundred_members_and_ten_in_an_event(
    private_db, tmp_path, metadata
):
    copy = tmp_path / "archive.db"
    shutil.copy(private_db, copy)
    db = sqlite_utils.Database(copy)
    crowd = [str(i) for i in range(5000, 5150)]
    db.execute(
        "update dm_conversations set participant_ids = ? where id = ?",
        [json.dumps([str(OWNER), *crowd]), GROUP],
    )
    db.execute(
        "update dm_events set user_ids = ? where conversation_id = ? and kind = 'leave'",
        [json.dumps(crowd[:12]), GROUP],
    )
    db.conn.commit()
    db.close()
    page = (await make_datasette(copy, metadata).client.get(f"/messages/{GROUP}")).text
    members = re.search(r'<p class="dm-people">(.*?)</p>', page, re.S)[1]
    assert text_of(members) == "Members: you, " + ", ".join(crowd[:99]) + " and 51 others"
    left = [text for kind, text in chat_items(page) if kind == "event" and " left" in text]
    assert left == [", ".join(crowd[:10]) + " and 2 others left · 13:00"]


@pytest.mark.asyncio
async def test_a_welcome_message_is_marked(pds):
    page = (await pds.client.get(f"/messages/{WELCOMED}")).text
    welcome = re.findall(
        r'<li class="chat-message chat-theirs chat-welcome"[^>]*>(.*?)</li>', page, re.S
    )
    assert len(welcome) == 1
    assert '<p class="chat-flag">Welcome message</p>' in welcome[0]
    assert "Welcome to Example Shop DMSECRETWORD" in welcome[0]
    assert page.count("chat-welcome") == 1
    reactions = re.findall(r'<ul class="chat-reactions"[^>]*>(.*?)</ul>', page, re.S)
    assert [text_of(r) for r in reactions] == ["😂 funny by 999"]


@pytest.mark.asyncio
async def test_a_long_chat_opens_at_its_newest_page_and_pages_both_ways(rds, rich_db):
    path = f"/messages/{LONG_GROUP}"
    page = (await rds.client.get(path)).text
    assert chat_position(page) == "Messages 1,129–1,178 of 1,178"
    assert link(page, "chat-later") is None and link(page, "chat-latest") is None
    seen, positions, pages = [], [], []
    while True:
        ids = message_ids(page)
        seen[:0] = ids
        positions.append(chat_position(page))
        pages.append(path)
        earlier = link(page, "chat-earlier")
        if earlier is None:
            break
        path = earlier
        page = (await rds.client.get(path)).text
    every = list(range(1500000000000000001, 1500000000000000001 + 1178))
    assert seen == every
    assert len(pages) == 24
    assert positions[1] == "Messages 1,079–1,128 of 1,178"
    assert positions[-2] == "Messages 29–78 of 1,178"
    assert positions[-1] == "Messages 1–28 of 1,178"
    # Back from the oldest page: each later page is the one the earlier link came from.
    back = []
    while True:
        later = link(page, "chat-later")
        if later is None:
            break
        back.append(later if "before=" in later else later.split("?")[0])
        page = (await rds.client.get(later)).text
    assert back == [p for p in reversed(pages[:-1])]
    assert link(page, "chat-latest") is None and chat_position(page).startswith("Messages 1,129")
    # The events fall on the page of their time, once: the rename before the first message,
    # the leave between messages 589 and 590.
    events = []
    for path in reversed(pages):
        page = (await rds.client.get(path)).text
        events += [text for kind, text in chat_items(page) if kind == "event"]
    assert events == ["You removed the group's name · 08:55", "4004 left · 18:49"]


def current(page: str) -> list[int]:
    """The messages a page marks as the one its link asked for."""
    return [
        int(i)
        for i in re.findall(
            r'<li class="chat-message[^"]*chat-current" id="m(-?\d+)" aria-current="true">', page
        )
    ]


@pytest.mark.asyncio
async def test_a_link_to_a_message_opens_the_page_holding_it_marked(rds):
    # Message search links to /messages/<id>?at=<message id>#m<message id>: the page the
    # pager reaches that message on, its pager leading on from there, the message marked.
    path = f"/messages/{LONG_GROUP}"
    walked = []  # (the page's messages, its earlier and later links), newest page first
    while path:
        page = (await rds.client.get(path)).text
        walked.append((message_ids(page), link(page, "chat-earlier"), link(page, "chat-later")))
        path = link(page, "chat-earlier")
    first = 1500000000000000001
    # The newest, the oldest on the newest page, the newest on the next, one in the middle,
    # the oldest of all.
    for n in (1177, 1128, 1127, 600, 0):
        message_id = first + n
        response = await rds.client.get(f"/messages/{LONG_GROUP}?at={message_id}")
        assert response.status_code == 200
        page = response.text
        expected = next(w for w in walked if message_id in w[0])
        found = (message_ids(page), link(page, "chat-earlier"), link(page, "chat-later"))
        assert found == expected, n
        assert current(page) == [message_id]
        assert "at=" not in (link(page, "chat-earlier") or "") + (link(page, "chat-later") or "")
    # A message of another conversation, or no message id: the newest page, nothing marked.
    for at in (TAMPERED_MESSAGE, "x1", "99999999999999999999999"):
        page = (await rds.client.get(f"/messages/{LONG_GROUP}?at={at}")).text
        assert (message_ids(page), current(page)) == (walked[0][0], [])
    page = (await rds.client.get(f"/messages/{LONG_GROUP}?at={TAMPERED_MESSAGE}")).text
    assert "is not in this conversation" in page
    # Given a page (?before=), that page, the message marked only if it is on it.
    later = walked[1][1]
    page = (await rds.client.get(f"{later}&at={first + 1127}")).text
    assert (message_ids(page), current(page)) == (walked[2][0], [])


def search_boxes(page: str) -> list[tuple]:
    """Each search box of the page's content: (where it sends, its label, hidden fields)."""
    content = re.search(r'<main id="content".*?</main>', page, re.S)[0]
    return [
        (
            re.search(r'action="([^"]*)"', form)[1],
            re.search(r"<label[^>]*>(.*?)</label>", form, re.S)[1],
            re.findall(r'<input type="hidden" name="([^"]*)" value="([^"]*)">', form),
        )
        for form in re.findall(r'<form [^>]*role="search".*?</form>', content, re.S)
    ]


@pytest.mark.asyncio
async def test_the_messages_and_a_chat_lead_to_message_search(pds, private_db, tmp_path, metadata):
    page = (await pds.client.get("/messages")).text
    assert search_boxes(page) == [("/messages/search", "Search your messages", [])]
    page = (await pds.client.get(f"/messages/{GROUP}")).text
    assert search_boxes(page) == [
        ("/messages/search", "Search this conversation", [("conversation", GROUP)])
    ]
    # A build without the messages' index has no search to lead to.
    copy = tmp_path / "archive.db"
    shutil.copy(private_db, copy)
    db = sqlite_utils.Database(copy)
    db.execute("drop table dm_messages_fts")
    db.conn.commit()
    db.close()
    unindexed = make_datasette(copy, metadata)
    for path in ("/messages", f"/messages/{GROUP}"):
        assert search_boxes((await unindexed.client.get(path)).text) == [], path


def media_message(message_id, conversation_id, minute, text, path, sender=OWNER):
    """A message whose text holds the t.co link Twitter gives its photo or video."""
    short = f"https://t.co/m{message_id % 1000}"
    return {
        "id": message_id,
        "conversation_id": conversation_id,
        "sender_id": sender,
        "created_at": f"2026-01-01T00:{minute:02}:00+00:00",
        "text": text.format(link=short),
        "urls": json.dumps(
            [
                {
                    "url": short,
                    "expanded": f"https://twitter.com/messages/media/{message_id}",
                    "display": f"pic.twitter.com/m{message_id % 1000}",
                }
            ]
        ),
        "media": json.dumps([{"url": "https://ton.twitter.com/dm/1/2/x.jpg", "path": path}]),
        "is_welcome": 0,
    }


@pytest.mark.asyncio
async def test_a_photos_own_link_is_the_photo(private_db, tmp_path, metadata):
    # Twitter writes a photo's or video's t.co link into the message's text: a preview
    # says (photo) or (video) for it, a bubble showing the media leaves it out, and keeps
    # it where the archive lacks the file.
    copy = tmp_path / "archive.db"
    shutil.copy(private_db, copy)
    db = sqlite_utils.Database(copy)
    folder = "data/direct_messages_media/"
    first, second = f"{OWNER}-2000000000000000007", f"{OWNER}-2000000000000000008"
    db["dm_messages"].insert_all(
        [
            media_message(1700000000000000001, first, 1, "lost {link}", None, 2000000000000000007),
            media_message(
                1700000000000000002, first, 2, " {link} ", f"{folder}1700000000000000002-a.mp4"
            ),
            media_message(
                1700000000000000003, second, 3, "look {link}", f"{folder}1700000000000000003-b.jpg"
            ),
        ]
    )
    for conversation_id, other in ((first, 7), (second, 8)):
        db["dm_conversations"].insert(
            {
                "id": conversation_id,
                "kind": "one_to_one",
                "participant_ids": json.dumps([str(OWNER), f"200000000000000000{other}"]),
                "last_at": "2026-01-01T00:03:00+00:00",
                "message_count": 2,
            }
        )
    db.conn.commit()
    db.close()
    ds = make_datasette(copy, metadata)
    found = conversations((await ds.client.get("/messages")).text)
    assert [c["preview"] for c in found[:2]] == ["You: look", "You: (video)"]
    page = (await ds.client.get(f"/messages/{first}")).text
    assert chat_items(page) == [
        ("day", "Thursday 1 January 2026"),
        ("theirs", "lost twitter.com/messages/media/1700…"),
        ("mine", ""),
    ]
    assert "pic.twitter.com" not in page and "t.co/m" not in page
    assert re.findall(r'<video class="chat-media" src="([^"]+)"', page) == [
        "/-/dm-media/1700000000000000002/0"
    ]
    page = (await ds.client.get(f"/messages/{second}")).text
    assert chat_items(page)[1:] == [("mine", "look")]


@pytest.mark.asyncio
async def test_a_page_of_a_chat_as_json_and_csv(rds):
    path = f"/messages/{LONG_GROUP}"
    newest = (await rds.client.get(f"{path}.json")).json()
    assert [row["message_id"] for row in newest["rows"]][:2] == [
        1500000000000001178,
        1500000000000001177,
    ]
    assert len(newest["rows"]) == 50
    assert newest["next"] == "2024-01-01T18:48:00+00:00~1500000000000001129"
    rows = list(csv.reader(io.StringIO((await rds.client.get(f"{path}.csv?_size=max")).text)))
    assert rows[0] == [
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
    ]
    assert len(rows) == 1001


@pytest.mark.asyncio
async def test_hostile_text_and_names_are_escaped(rds):
    page = (await rds.client.get(f"/messages/{HOSTILE_CHAT}")).text
    assert "<script>alert" not in page
    assert "<img src=x" not in page
    assert (
        "&lt;script&gt;alert(1)&lt;/script&gt; &#34;&gt;&lt;img src=x onerror=alert(2)&gt;" in page
    )
    assert "<title>Messages with @hostile — " in page
    assert "javascript:" not in page
    # The https link is linked; the javascript: one stays its t.co text, unlinked.
    assert (
        '<a href="https://ok.example/page?a=1&amp;b=2" title="https://ok.example/page?a=1&amp;b=2" '
        'rel="nofollow noopener noreferrer">'
    ) in page
    assert "https://t.co/bad" in page and 'href="https://t.co/bad"' not in page
    # A message of 100,000 characters shows its first 20,000.
    assert re.findall(r"x{1000,}…?", page) == ["x" * 19_999 + "…"]
    listing = (await rds.client.get("/messages")).text
    assert "<img src=x" not in listing and "onerror=alert(4)&gt;" in listing


@pytest.mark.asyncio
async def test_media_are_served_only_as_the_build_stored_them(pds, rds):
    photo = await pds.client.get("/-/dm-media/1300000000000000004/0")
    assert photo.status_code == 200
    assert (
        photo.content
        == (MEDIA / "direct_messages_media/1300000000000000004-photo1.jpg").read_bytes()
    )
    assert photo.headers["content-type"] == "image/jpeg"
    assert photo.headers["x-content-type-options"] == "nosniff"
    video = await pds.client.get("/-/dm-media/1400000000000000010/0")
    assert video.status_code == 200 and video.headers["content-type"] == "video/mp4"
    refused = [
        "/-/dm-media/1300000000000000004/1",  # no such position
        "/-/dm-media/1300000000000000003/0",  # a path in a URL: not stored
        "/-/dm-media/1300000000000000003/1",  # a .txt: not stored
        "/-/dm-media/1200000000000000002/0",  # not in the export
        "/-/dm-media/1999999999999999999/0",  # no such message
        "/-/dm-media/1300000000000000004/../../etc/passwd",
        "/-/dm-media/1300000000000000004/0?path=../../etc/passwd",
    ]
    for path in refused[:-1]:
        assert (await pds.client.get(path)).status_code == 404, path
    # (The query string is nothing to the route: the stored file, still.)
    assert (await pds.client.get(refused[-1])).content == photo.content
    # Paths a tampered database stores: none leaves the DM media folders or the message.
    for position, stored in enumerate(TAMPERED_PATHS):
        response = await rds.client.get(f"/-/dm-media/{TAMPERED_MESSAGE}/{position}")
        assert response.status_code == 404, stored
    page = (await rds.client.get(f"/messages/{HOSTILE_CHAT}")).text
    assert "/-/dm-media/" not in page
    assert page.count("A photo or video this archive doesn't hold.") == len(TAMPERED_PATHS)


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "path",
    [
        "/messages/1234567890",
        "/messages/1-2",
        "/messages/1-2-3",
        "/messages/abc",
        f"/messages/{ONE_TO_ONE}x",
    ],
)
async def test_an_unknown_conversation_is_a_404_reader_page(pds, path):
    response = await pds.client.get(path)
    assert response.status_code == 404
    assert "<title>Page not found</title>" in response.text
    data = await pds.client.get("/messages/123.json")
    assert data.status_code == 404
    assert data.json()["error"] == "The archive has no conversation with that id"


@pytest.mark.asyncio
async def test_the_search_path_is_left_to_dm_search(pds):
    # /messages/search is DM full-text search's (another page): never read as an id.
    response = await pds.client.get("/messages/search")
    assert "The archive has no conversation with that id" not in response.text


@pytest.fixture(scope="module")
def parser_db(tmp_path_factory):
    """twitter-archive-parser's Markdown alone, built with --private: conversations named
    "md:..." and "md-group:...", senders known by handle only, media in its media/."""
    db_path = tmp_path_factory.mktemp("private-dm-parser") / "archive.db"
    result = run_build(db_path, FIXTURES / "parser-private", args=["--private"])
    assert result.exit_code == 0, result.output
    return db_path


@pytest.mark.asyncio
async def test_the_parsers_conversations_open_with_every_message_and_file(
    parser_db, metadata, monkeypatch
):
    # (The build records the parser's folder as a source: its media are found there.)
    monkeypatch.delenv("TWEET_ARCHIVE_MEDIA_ROOT", raising=False)
    pds = make_datasette(parser_db, metadata)
    db = sqlite_utils.Database(parser_db)
    ids = {row[0] for row in db.execute("select id from dm_conversations")}
    messages = db.execute("select count(*) from dm_messages").fetchone()[0]
    handles = [r[0] for r in db.execute("select distinct sender_screen_name from dm_messages")]
    db.close()
    assert any(i.startswith("md:") for i in ids) and any(i.startswith("md-group:") for i in ids)
    listing = (await pds.client.get("/messages")).text
    links = [html.unescape(c["href"]) for c in conversations(listing)]
    # Tilde-encoded as Datasette encodes names: "md:a-b" is /messages/md~3Aa-b.
    assert {tilde_decode(link.removeprefix("/messages/")) for link in links} == ids
    shown, files = 0, []
    for link in links:
        response = await pds.client.get(link)
        assert response.status_code == 200, link
        shown += len(message_ids(response.text))
        files += re.findall(r'(?:<img|<video class="chat-media") src="([^"]+)"', response.text)
        for name in filter(None, handles):
            # A sender known by handle only is named by it, linked by it.
            if f"@{name}</a>" in response.text:
                assert f"intent/user?screen_name={name}" in response.text
    assert shown == messages
    assert files
    for src in files:
        assert (await pds.client.get(src)).status_code == 200, src


PRIVATE_PATHS = [
    "/messages",
    "/messages.json",
    "/messages.csv",
    f"/messages/{ONE_TO_ONE}",
    f"/messages/{ONE_TO_ONE}.json",
    "/-/dm-media/1300000000000000004/0",
]


@pytest.mark.asyncio
async def test_no_message_page_on_a_public_site(ds):
    for path in PRIVATE_PATHS:
        assert (await ds.client.get(path)).status_code == 404, path
    home = (await ds.client.get("/")).text
    assert 'href="/messages' not in home and "/-/dm-media/" not in home


@pytest.mark.asyncio
async def test_no_message_page_on_a_normal_build_of_an_export_with_dms(tmp_path, metadata):
    db_path = tmp_path / "archive.db"
    assert (FIXTURES / "official/modern/data/direct-messages.js").exists()
    result = run_build(db_path, FIXTURES / "official" / "modern")
    assert result.exit_code == 0, result.output
    public = make_datasette(db_path, metadata)
    for path in PRIVATE_PATHS:
        assert (await public.client.get(path)).status_code == 404, path
    assert 'href="/messages' not in (await public.client.get("/")).text


@pytest.mark.asyncio
async def test_a_request_arriving_while_the_first_reads_the_owner_gets_its_page(pds, monkeypatch):
    # The owner and dm_messages' columns are read once, by the first request: one arriving
    # while it reads must not find the one without the other (a 500 the fuzzer met).
    fresh = make_datasette(pds.files[0], pds.metadata())
    db = fresh.get_database("archive")
    read_columns = db.table_columns

    async def slow_columns(table):
        if table == "dm_messages":
            await asyncio.sleep(0.3)
        return await read_columns(table)

    monkeypatch.setattr(db, "table_columns", slow_columns)

    async def later(path):
        await asyncio.sleep(0.15)
        return await fresh.client.get(path)

    first, second = await asyncio.gather(fresh.client.get("/messages"), later("/messages"))
    assert (first.status_code, second.status_code) == (200, 200)
