"""twitter-archive-parser's DM Markdown, for a private build only (`--private`).

The format, from parser.py's own history (2022-11-19 to 2022-11-29, when its DM output
settled). Handles are the parser's lookups, `_` escaped as `\\_`, or, for an account it could
not look up, `https://twitter.com/i/user/<id>`; times are the export's `createdAt`.

Newer (2022-11-27 on): `parser-output/DMs/DMs-<other>[-partNNN].md`:

    ### Conversation between <owner> and <other>[, part N]: ###
    (blank) ---- (blank)
    <sender> -> <recipient>: (<createdAt>)␠
    (blank)
    > <text, Markdown-escaped, `  ` before each line break>

messages separated by a blank line, `----`, a blank line. `parser-output/DMs-Group/
DMs-Group-<name>[-partNNN].md` starts `## <group name, or its id> ##`, then `### Group
conversation between <a>, <b> and <c>[, part N]: ###`; each item is `<sender>: (<createdAt>)`
then the quoted text, or an event in `_…_` (`_changed group name to: …_`, `_<a> added <b>
to the group_`, `_<a> and <b> left the group_`). A message's media (one at most) is a line
`![](<path>)` or `<video controls><source src="<path>">…</video>` in its text; the file is
`<message id>-<name>` in `parser-output/media/`.

Older (2022-11-19 to 27): `DMs.md` (every conversation in one file), then
`DMs-Archive-<other>.md` and `DMs-Group-Archive-<name>.md` at the archive's root, media in
`media/`: `## Conversation between <a> and <b>: ##` (`# <name>` and `## Group conversation
between …: ##` for a group), each item `### <sender> -> <recipient>: (<createdAt>) ###` (or
`### <sender>: (<createdAt>) ###`) and the text, unescaped, between ``` lines (an event's
`_…_` without them).

Reading: files are streamed line by line; an item too long, or a line that is no part of the
format, costs only itself (a problem row). Media come only from the parser's media folder
beside the Markdown, by the last part of the path the Markdown gives, images and videos
only. A message the export's own DMs hold too (the same second and the same words, links
aside: the parser wrote expanded links and escaped the text) is not stored twice; its
handle then names the export's sender id (account_names, etl/private_names.py). A normal
build never imports this module.
"""

from __future__ import annotations

import html
import posixpath
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from operator import itemgetter

from .dates import normalise_iso
from .media import is_media_file
from .private_files import is_dm_file
from .records import Problem
from .sources import Tree

PERSON = r"(?:https?://twitter\.com/i/user/[0-9]{1,19}|(?:[A-Za-z0-9]|\\?_){1,50})"
ONE_PERSON = re.compile(rf"^{PERSON}$")
TIME = r"\((?P<at>[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]{1,9})?Z)\)"
PART = r"(?:, part [0-9]{1,6})?"
HEADS = [  # (pattern, kind, format)
    (
        re.compile(rf"^### Conversation between (?P<a>{PERSON}) and (?P<b>{PERSON}){PART}: ###$"),
        "one_to_one",
        "new",
    ),
    (
        re.compile(rf"^## Conversation between (?P<a>{PERSON}) and (?P<b>{PERSON}){PART}: ##$"),
        "one_to_one",
        "old",
    ),
    (
        re.compile(rf"^### Group conversation between (?P<names>.{{1,5000}}?){PART}: ###$"),
        "group",
        "new",
    ),
    (
        re.compile(rf"^## Group conversation between (?P<names>.{{1,5000}}?){PART}: ##$"),
        "group",
        "old",
    ),
]
GROUP_NAME = {"new": re.compile(r"^## (?P<name>.*) ##$"), "old": re.compile(r"^# (?P<name>.+)$")}
ITEMS = {  # (kind, format): the line that starts a message or event
    ("one_to_one", "new"): re.compile(
        rf"^(?P<sender>{PERSON}) -> (?P<recipient>{PERSON}): {TIME} ?$"
    ),
    ("one_to_one", "old"): re.compile(
        rf"^### (?P<sender>{PERSON}) -> (?P<recipient>{PERSON}): {TIME} ###$"
    ),
    ("group", "new"): re.compile(rf"^(?P<sender>[^>\s].{{0,4999}}?): {TIME}$"),
    ("group", "old"): re.compile(rf"^### (?P<sender>.{{1,5000}}?): {TIME} ###$"),
}
SEPARATOR = "----"
FENCE = "```"
IMAGE = re.compile(r"^!\[\]\((?P<ref>[^\n]+)\)$")
VIDEO = re.compile(
    r'^<video controls><source src="(?P<ref>[^"]+)">'
    r"Your browser does not support the video tag\.</video>$"
)
EVENT = re.compile(r"^_(?P<body>.*)_$", re.S)
UNESCAPE = re.compile(r"\\([\\_*\[\]()~`>#+\-=|{}.!])")
USER_URL = re.compile(r"^https?://twitter\.com/i/user/(?P<id>[0-9]{1,19})$")
MEDIA_NAME = re.compile(r"^(?P<id>[0-9]{1,19})-[^/\\]+$")
LINK = re.compile(r"https?://\S+")
NOT_WORD = re.compile(r"[\W_]+")
MAX_LINE = 256 * 1024  # bytes
MAX_TEXT = 100_000  # characters of one item: a DM is at most 10,000
MAX_NAME = 500  # characters of a group's name


@dataclass
class Conversation:
    kind: str
    persons: list[str]  # as the header gives them (unescaped handles or user URLs)
    name: str | None = None  # a group's, as its header gives it
    line: int = 0
    # The heading's layout, "new" (### …) or "old" (## …): a newer 1:1 heading names the
    # owner first (etl/parser_owner.py).
    fmt: str = field(default="", compare=False)


@dataclass
class Item:
    """A message (text not None) or an event, as the Markdown gives it."""

    line: int
    sender: str
    recipient: str | None
    created_at: str
    text: str | None = None
    media: list[str] = field(default_factory=list)  # the paths the Markdown gives
    event: str | None = None  # dm_events.kind
    event_users: list[str] = field(default_factory=list)  # added or left
    event_name: str | None = None  # a rename's


def unescape(text: str) -> str:
    """Text without the backslashes the parser's Markdown escaping put in."""
    return UNESCAPE.sub(itemgetter(1), text) if "\\" in text else text


def person(raw: str) -> str:
    """A handle unescaped, or a user URL as it is."""
    return raw if USER_URL.match(raw) else raw.replace("\\_", "_")


def person_id(value: str) -> int | None:
    found = USER_URL.match(value)
    return int(found["id"]) if found and 0 < int(found["id"]) < 2**63 else None


def group_names(names: str) -> list[str]:
    """'a, b and c' → ['a', 'b', 'c'] (the parser's list of handles)."""
    *rest, last = names.rsplit(" and ", 1) if " and " in names else [names]
    return [person(n.strip()) for n in [*", ".join(rest).split(", "), last] if n.strip()]


def restore_text(lines: list[str], fmt: str) -> tuple[str, list[str]] | None:
    """A message's text and media paths from its body lines, or None when the body is no
    message (an event)."""
    while lines and not lines[0].strip():
        lines = lines[1:]
    while lines and lines[-1].strip() in ("", SEPARATOR):
        lines = lines[:-1]
    if fmt == "new":
        if not lines or not all(line.startswith(">") for line in lines):
            return None
        lines = [line[2:] if line.startswith("> ") else line[1:] for line in lines]
    else:
        if not lines or lines[0] != FENCE:
            return None
        closing = max((n for n, line in enumerate(lines) if line == FENCE), default=0)
        lines = lines[1:closing] if closing else lines[1:]
    media, kept = [], []
    for number, line in enumerate(lines):
        found = IMAGE.match(line) or VIDEO.match(line)
        if found:
            media.append(found["ref"])
        else:
            # The escaping wrote two spaces before each line break of the text.
            last = number == len(lines) - 1
            kept.append(line[:-2] if fmt == "new" and not last and line.endswith("  ") else line)
    text = "\n".join(kept).strip("\n")
    if media:  # the link the media took the place of leaves its space behind
        text = text.rstrip()
    if fmt == "new":
        text = unescape(text)
    return html.unescape(text), media


def parse_event(body: str) -> tuple[str, list[str], str | None]:
    """(kind, the handles added or left, a rename's name) of an event's unescaped text. The
    parser writes the owner's own joining as '<who> added <owner> to the group', like an
    addition of others: both are participants_join."""
    if body.startswith("changed group name to: "):
        return "rename", [], body.removeprefix("changed group name to: ")[:MAX_NAME]
    if body.endswith(" left the group"):
        return "leave", group_names(body.removesuffix(" left the group")), None
    if " added " in body and body.endswith(" to the group"):
        added = body.split(" added ", 1)[1].removesuffix(" to the group")
        return "participants_join", group_names(added), None
    return "event", [], None


def parse_dm_markdown(
    lines: Iterable[tuple[int, str | None]],
) -> Iterator[Conversation | Item | Problem]:
    """Conversations, their messages and events, and problems, of one DM Markdown file's
    (line number, text) pairs (text None: a line that could not be read), in file order."""
    conversation: Conversation | None = None
    fmt = "new"
    name: str | None = None
    head: tuple[int, re.Match] | None = None
    body: list[str] = []
    size = 0
    damaged = ""

    def finish() -> Iterator[Item | Problem]:
        nonlocal head, body, size, damaged
        if head is None:
            return
        line, found = head
        if damaged:
            yield Problem("", line, damaged)
        else:
            yield item_of(line, found, body, fmt)
        head, body, size, damaged = None, [], 0, ""

    for number, text in lines:
        if text is None:
            if head is not None:
                damaged = damaged or f"line {number} is overlong or not UTF-8"
            else:
                yield Problem("", number, "an overlong or non-UTF-8 line")
            continue
        if head is not None and fmt == "new" and text.startswith(">"):
            # A quoted line of a message: never a heading or an item (the common case, fast).
            size += len(text) + 1
            if size > MAX_TEXT:
                damaged = damaged or f"a message of over {MAX_TEXT:,} characters"
            elif not damaged:
                body.append(text)
            continue
        started = heading(text) if text.startswith("#") else None
        if started:
            yield from finish()
            found, kind, fmt = started
            persons = (
                [person(found["a"]), person(found["b"])]
                if kind == "one_to_one"
                else (group_names(found["names"]))
            )
            group_name = name[:MAX_NAME] if kind == "group" and name else None
            conversation = Conversation(kind, persons, group_name, number, fmt)
            name = None
            yield conversation
            continue
        if head is None and conversation is None:
            for f, pattern in GROUP_NAME.items():
                if found := pattern.match(text):
                    name, fmt = found["name"], f
                    break
            else:
                if text.strip() not in ("", SEPARATOR):
                    yield Problem("", number, "not a conversation's heading", raw=text[:200])
            continue
        item = conversation and ITEMS[conversation.kind, fmt].match(text)
        if item:
            yield from finish()
            head = (number, item)
        elif fmt == "new" and text == SEPARATOR and head is not None:
            yield from finish()
        elif head is not None:
            size += len(text) + 1
            if size > MAX_TEXT:
                damaged = damaged or f"a message of over {MAX_TEXT:,} characters"
            elif not damaged:
                body.append(text)
        elif text.strip() not in ("", SEPARATOR):
            yield Problem("", number, "not part of a message", raw=text[:200])
    yield from finish()


def heading(text: str) -> tuple[re.Match, str, str] | None:
    """(match, kind, format) of a conversation's heading."""
    for pattern, kind, fmt in HEADS:
        if found := pattern.match(text):
            return found, kind, fmt
    return None


def item_of(line: int, found: re.Match, body: list[str], fmt: str) -> Item | Problem:
    created_at = normalise_iso(found["at"])
    if created_at is None:
        return Problem("", line, "a message time that is no date")
    recipient = found.groupdict().get("recipient")
    item = Item(line, person(found["sender"]), recipient and person(recipient), created_at)
    restored = restore_text(body, fmt)
    if restored is not None:
        if not ONE_PERSON.match(found["sender"]):  # a group's: its line takes any text
            return Problem(
                "", line, "a message whose sender is no handle", raw=found["sender"][:200]
            )
        item.text, item.media = restored
        return item
    lines = [b for b in body if b.strip()]
    event = EVENT.match(" ".join(lines)) if lines else None
    if event is None:
        return Problem("", line, "neither a message nor an event", raw="\n".join(body)[:200])
    item.event, item.event_users, item.event_name = parse_event(unescape(event["body"]))
    return item


def fingerprint(text: str | None) -> str:
    """The words of a DM, links aside: the same for the export's text (t.co links, entities
    decoded) and the parser's (expanded links, Markdown-escaped)."""
    return NOT_WORD.sub("", LINK.sub("", text or "")).lower()


def media_folder(path: str) -> str:
    """The folder the parser copied a DM file's media to: parser-output/media/ beside a
    DMs/ or DMs-Group/ folder, media/ beside a root-level file."""
    folder = posixpath.dirname(path)
    if posixpath.basename(folder) in ("DMs", "DMs-Group"):
        folder = posixpath.dirname(folder)
    return posixpath.join(folder, "media") + "/" if folder else "media/"


def media_file(ref: str, folder: str, present: set[str]) -> tuple[str, str | None] | None:
    """(name, file or None when absent) for a media path of the Markdown, None when it is
    no image or video: its last part, looked for in the parser's media folder only, never
    the path itself."""
    name = ref.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1]
    if not MEDIA_NAME.match(name) or not is_media_file(name):
        return None
    return name, folder + name if folder + name in present else None


def dm_files(tree: Tree) -> list[str]:
    """The parser's DM Markdown files of a tree, by name."""
    return sorted(p for p in tree.files() if p.endswith(".md") and is_dm_file(p))
