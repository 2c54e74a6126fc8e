"""What the private site's message pages show, from the rows of dm_conversations.py and
dm_messages.py: people by the names the archive knows (else their bare ids), a
conversation's title and preview, and a page of a chat as a list of day separators, message
bubbles and group events. Pure: the hook (hooks/private_messages.py) runs the queries.

Everything from the archive stays text until the templates escape it, but a message's
text, which render_text escapes and links itself."""

import json
import re
from datetime import UTC, datetime
from urllib.parse import urlencode

from tweet_site.core import mime_type
from tweet_site.hooks.media_files import safe_relative
from tweet_site.lists.dm_messages import id_list
from tweet_site.text import render_text, safe_href
from tweet_site.tweets import readable_time
from tweet_site.zones import abbreviation, local

INTENT = "https://twitter.com/intent/user?"
# The only folders a message's file is served from: the export's DM media folders
# (etl/readers/official.py: DM_FILES), and twitter-archive-parser's media/ folder, where
# it copied the DMs' files (etl/parser_dms.py: media_folder).
DM_MEDIA_FOLDERS = ("direct_messages_media", "direct_messages_group_media", "media")
# A preview's length, and the most links or media one message is read for (a hostile
# archive's message could list thousands).
PREVIEW = 100
MAX_URLS = 50
# What a page shows of a message's text and of a name at most (Twitter's own limits are
# 10,000 and 50 characters; a hostile archive's may be any length).
MAX_TEXT = 20_000
MAX_NAME = 100
MAX_MEDIA = 20
# The names a group's title, and an event, list before "and N others".
TITLE_NAMES = 3
EVENT_NAMES = 10
# A message's link to its own photo or video (its t.co stands for
# twitter.com/messages/media/<id>, shown as pic.twitter.com/...): the media stand for it.
MEDIA_LINK = re.compile(
    r"https?://(?:(?:www|mobile)\.)?(?:twitter|x)\.com/messages/media/[0-9]+(?:[/?#]|$)", re.I
)
MEDIA_DISPLAY = re.compile(r"(?:https?://)?pic\.(?:twitter|x)\.com/", re.I)
# Twitter's DM reactions by their key; a key that is an emoji itself shows as it is.
REACTIONS = {
    "like": ("❤️", "loved"),
    "agree": ("👍", "agreed"),
    "disagree": ("👎", "disagreed"),
    "funny": ("😂", "laughed"),
    "excited": ("🔥", "was excited"),
    "sad": ("😢", "was sad"),
    "surprised": ("😲", "was surprised"),
    "emoji": ("😀", "reacted"),
}


def cut(text, limit: int):
    """`text` at most `limit` characters long, "…" ending it where it was cut."""
    if not isinstance(text, str) or len(text) <= limit:
        return text
    return text[: limit - 1] + "…"


class Owners(frozenset):
    """The owner's account ids, and in `names` their handles, lowercase."""

    def __new__(cls, ids=(), names=()):
        owners = super().__new__(cls, ids)
        owners.names = frozenset(names)
        return owners

    def __bool__(self) -> bool:
        return bool(len(self) or self.names)

    def sent(self, account_id, screen_name=None) -> bool:
        if account_id is not None:
            return account_id in self
        return isinstance(screen_name, str) and screen_name.lower() in self.names


NOBODY = Owners()


def person(account_id, known: dict, owners=NOBODY, screen_name=None) -> dict:
    """An account as a page names it: "@screen_name" when the archive knows it, else its
    bare id; both link to the account on twitter.com by its id (names change, ids don't).
    An account known only by its handle (`screen_name`: twitter-archive-parser's
    Markdown) links by handle."""
    found = known.get(account_id) or {}
    screen_name = found.get("screen_name") or (None if account_id is not None else screen_name)
    screen_name, name = cut(screen_name, MAX_NAME), cut(found.get("name"), MAX_NAME)
    label = f"@{screen_name}" if screen_name else str(account_id or "someone")
    href = None
    if account_id is not None:
        href = INTENT + urlencode({"user_id": account_id})
    elif screen_name:
        href = INTENT + urlencode({"screen_name": screen_name})
    return {
        "id": account_id,
        "label": label,
        "name": name if name and name != screen_name else None,
        "href": href,
        "is_owner": owners.sent(account_id, screen_name),
    }


def others(participant_ids, owners) -> list[int]:
    ids = id_list(participant_ids)
    rest = [i for i in ids if i not in owners]
    return rest if rest or not ids else ids[:1]


def handles(conversation_id: str, owners) -> list[str]:
    """The handles a conversation of twitter-archive-parser's Markdown is named after
    (`md:<id or handle>-<id or handle>`), the owner's left out unless it is all there is."""
    if not conversation_id.startswith("md:"):
        return []
    parts = [p for p in conversation_id[3:].split("-") if p and not p.isdigit()]
    rest = [p for p in parts if p.lower() not in owners.names]
    return (rest or parts)[:1] if len(set(parts)) == 1 else rest


def title(conversation: dict, known: dict, owners) -> dict:
    """{"text": a conversation's title, "with": who it is with in words ("@a, @b and 3
    others"), "people": the first of them (as person() makes them), "repeats": whether the
    title is all a page would say of them}: a group's latest name, else the other side's
    name, else who it is with."""
    ids = others(conversation["participant_ids"], owners)
    people = [person(i, known, owners) for i in ids[:TITLE_NAMES]]
    if not ids:  # (twitter-archive-parser's conversations between handles)
        ids = handles(conversation.get("conversation_id") or conversation.get("id") or "", owners)
        people = [person(None, known, owners, name) for name in ids[:TITLE_NAMES]]
    more = max(len(ids) - TITLE_NAMES, 0)
    names = ", ".join(p["label"] for p in people)
    if more:
        names += f" and {more:,} other" + ("s" if more > 1 else "")
    text = names = names or "nobody"
    if conversation["kind"] == "group" and conversation["name"]:
        text = conversation["name"]
    elif people and all(p["is_owner"] for p in people):
        text, names = "Notes to yourself", "yourself"
    elif len(people) == 1 and people[0]["name"]:
        text = people[0]["name"]
    # (A 1:1's title that is the other side's @name or bare id: a page says it once.)
    repeats = conversation["kind"] != "group" and len(people) == 1 and text == people[0]["label"]
    return {"text": text, "with": names, "people": people, "more": more, "repeats": repeats}


def media_links(urls) -> set[str]:
    """The short links (t.co) a message's text holds for its own photos and videos."""
    found = set()
    for item in loads(urls, MAX_URLS):
        short, full, shown = item.get("url"), item.get("expanded"), item.get("display")
        if not isinstance(short, str) or not short:
            continue
        if (isinstance(full, str) and MEDIA_LINK.match(full)) or (
            isinstance(shown, str) and MEDIA_DISPLAY.match(shown)
        ):
            found.add(short)
    return found


def without_links(text: str, links) -> str:
    """`text` without the short links `links` (and the spaces they leave at either end)."""
    if not links:
        return text
    for link in sorted(links, key=len, reverse=True):
        text = text.replace(link, "")
    return text.strip()


def preview(row: dict, known: dict, owners) -> str:
    """A conversation's last message on one line, "You: " before the owner's own; a photo
    or video's own link is the photo or video."""
    text = row.get("last_text") or ""
    if loads(row.get("last_media"), 1):
        text = without_links(text, media_links(row.get("last_urls")))
    for item in loads(row.get("last_urls"), MAX_URLS):
        short, shown = item.get("url"), item.get("display")
        if isinstance(short, str) and short and isinstance(shown, str):
            text = text.replace(short, shown)
    text = " ".join(text.split())
    if not text and row.get("last_media"):
        first = (loads(row["last_media"], 1) or [{}])[0]
        address = first.get("path") or first.get("url") or ""
        kind = mime_type(address.split("?")[0]) if isinstance(address, str) else None
        text = {"image/": "(photo)", "video/": "(video)"}.get((kind or "")[:6], "(media)")
    if len(text) > PREVIEW:
        text = text[: PREVIEW - 1].rstrip() + "…"
    sender, handle = row.get("last_sender_id"), row.get("last_sender_screen_name")
    if (sender is None and not handle) or not row.get("last_message_id"):
        return text
    if owners.sent(sender, handle):
        return f"You: {text}"
    if row.get("kind") == "group":
        return f"{person(sender, known, owners, handle)['label']}: {text}"
    return text


def moment(value):
    try:
        at = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return None
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def short_date(value, key) -> str:
    """'5 Jun 2019' in the owner's zone."""
    at = moment(value)
    if at is None:
        return ""
    at = local(at, key)
    return f"{at.day} {at:%b %Y}"


def loads(value, limit):
    try:
        items = json.loads(value) if value else []
    except (TypeError, ValueError):
        return []
    if not isinstance(items, list):
        return []
    return [item for item in items if isinstance(item, dict)][:limit]


def message_html(text: str | None, urls: str | None, media_shown: bool = False):
    """The text escaped, line breaks kept, each of its short links (t.co) shown and linked
    as the address it stands for (http and https only; rel nofollow); with `media_shown`,
    without the links to the message's own media (as a tweet's card shows its media, not
    their links)."""
    text = cut(text or "", MAX_TEXT)
    if media_shown:
        text = without_links(text, media_links(urls))
    expanded = {}
    for item in loads(urls, MAX_URLS):
        short, full = item.get("url"), item.get("expanded")
        if isinstance(short, str) and short and isinstance(full, str) and safe_href(full):
            expanded.setdefault(short, full)
    out, entities, pos = [], [], 0
    if expanded:
        pattern = re.compile("|".join(map(re.escape, sorted(expanded, key=len, reverse=True))))
        length = 0
        for match in pattern.finditer(text):
            out.append(text[pos : match.start()])
            length += match.start() - pos
            full = expanded[match[0]]
            entities.append((length, length + len(full), "url", full))
            out.append(full)
            length += len(full)
            pos = match.end()
    out.append(text[pos:])
    return render_text("".join(out), entities)


def stored_parts(path, message_id) -> list[str] | None:
    """The parts of a message's stored media path when the private site serves it: a file
    of a DM media folder named after the message (as the build names them),
    an image or a video, inside the archive; else None."""
    parts = safe_relative(path) if isinstance(path, str) else None
    if not parts or len(parts) < 2 or parts[-2] not in DM_MEDIA_FOLDERS:
        return None
    if not parts[-1].startswith(f"{message_id}-") or not mime_type(parts[-1]):
        return None
    return parts


def media_items(row: dict, src) -> list[dict]:
    """A message's media: {"kind": image|video|missing, "src"}; `src(position)` is the
    address the private site serves a stored file at."""
    found = []
    for position, item in enumerate(loads(row.get("media"), MAX_MEDIA)):
        parts = stored_parts(item.get("path"), row["message_id"])
        if parts is None:
            found.append({"kind": "missing", "src": None})
        else:
            kind = mime_type(parts[-1]).split("/")[0]
            found.append({"kind": kind, "src": src(position)})
    return found


def reaction(row: dict, known: dict, owners) -> dict:
    key = row["reaction_key"] or ""
    emoji, verb = REACTIONS.get(key, (key if key and not key.isascii() else "•", "reacted"))
    who = person(row["sender_id"], known, owners)
    return {"emoji": emoji, "person": who, "verb": verb, "key": key}


def event_parts(row: dict, known: dict, owners) -> list[dict]:
    """A group event as parts to show in order: {"person": ...} or {"text": ...}."""
    actor = row["initiating_user_id"]
    users = id_list(row["user_ids"])

    def who(account_id):
        if account_id in owners:
            return {"text": "You"}
        return {"person": person(account_id, known, owners)}

    def listed(ids):
        parts = []
        shown = ids[:EVENT_NAMES]
        for n, account_id in enumerate(shown):
            if n:
                last = n == len(shown) - 1 and len(ids) == len(shown)
                parts.append({"text": " and " if last else ", "})
            parts.append({"text": "you"} if account_id in owners else who(account_id))
        if len(ids) > len(shown):
            parts.append({"text": f" and {len(ids) - len(shown):,} others"})
        return parts

    kind = row["kind"]
    if kind == "join":
        if actor is None or actor in owners:
            return [{"text": "You joined"}]
        return [{"text": "You joined (added by "}, who(actor), {"text": ")"}]
    if kind == "participants_join":
        if actor is None:
            return [*listed(users), {"text": " joined"}]
        return [who(actor), {"text": " added "}, *(listed(users) or [{"text": "someone"}])]
    if kind == "leave":
        return [*(listed(users) or [{"text": "Someone"}]), {"text": " left"}]
    if kind == "rename":
        start = [who(actor)] if actor is not None else [{"text": "Someone"}]
        if not row["name"]:
            return [*start, {"text": " removed the group's name"}]
        return [*start, {"text": f" renamed the group to “{row['name']}”"}]
    return [{"text": f"Event: {kind}"}]


def clock(value, key) -> dict:
    """{"time": '20:15', "datetime": the stored time, "title": the whole date}."""
    at = moment(value)
    if at is None:
        return {"time": "", "datetime": None, "title": "", "day": None}
    shown = local(at, key)
    return {
        "time": f"{shown:%H:%M}",
        "datetime": value,
        "title": readable_time(value),
        "day": f"{shown:%A} {shown.day} {shown:%B %Y}",
        "zone": abbreviation(shown),
    }


def timeline(
    messages, events, reactions, known, owners, key, group, src, current=None
) -> list[dict]:
    """A page of a chat, oldest first: {"type": "day"} separators where the owner's date
    changes, {"type": "event"} and {"type": "message"} items. `messages` are rows of
    dm_messages.SQL, `reactions` of REACTIONS_SQL; `src(message id, position)` is a media
    file's address; the message `current` is the one a link asked for (?at=)."""
    by_message = {}
    for row in reactions:
        by_message.setdefault(row["message_id"], []).append(reaction(row, known, owners))
    entries = [(row["created_at"] or "", 0, row["id"], "event", row) for row in events]
    entries += [(row["created_at"] or "", 1, row["message_id"], "message", row) for row in messages]
    items, day = [], None
    for at, _, item_id, kind, row in sorted(entries, key=lambda entry: entry[:3]):
        when = clock(at, key)
        if when["day"] and when["day"] != day:
            day = when["day"]
            items.append({"type": "day", "label": day})
        if kind == "event":
            items.append({"type": "event", "parts": event_parts(row, known, owners), **when})
            continue
        sender = person(row["sender_id"], known, owners, row.get("sender_screen_name"))
        media = media_items(row, lambda position, i=item_id: src(i, position))
        shown = any(m["kind"] != "missing" for m in media)
        items.append(
            {
                "type": "message",
                "id": item_id,
                "current": item_id == current,
                "mine": sender["is_owner"],
                "sender": sender,
                # (Where the owner is unknown, every bubble says whose it is.)
                "show_sender": (group or not owners) and not sender["is_owner"],
                "html": message_html(row["text"], row["urls"], shown),
                "media": media,
                "reactions": by_message.get(item_id, []),
                "welcome": bool(row["is_welcome"]),
                # (The versions before the last, as the export lists them.)
                "edited": bool(loads(row.get("edit_history"), 1)),
                **when,
            }
        )
    return items
