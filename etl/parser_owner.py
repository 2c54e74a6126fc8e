"""Whose archive twitter-archive-parser's DM Markdown is, when nothing else in the build
says (a private build of the parser's output alone).

parser.py knows the owner's handle (account.js) and names a 1:1 conversation's file after
the other side (`DMs-Archive-<other>.md`, later `DMs/DMs-<other>[-partNNN].md`; their
handle, or their id when it has none), so the heading's other person is the owner. Its
newer headings (`### Conversation between <owner> and <other>: ###`) also name the owner
first, whatever the file's name; older ones (`## … ##`) first named the two in the
conversation id's order, so where no file names the other side (`DMs.md` holds them all)
the owner is the one handle every 1:1 heading names. Group headings list whoever spoke:
they tell nothing.

A heading names the owner by handle even where its messages could not (a sender the
parser could not look up is `https://twitter.com/i/user/<id>`): an id of such a
conversation's messages that is not the other side's is the owner's.
"""

from __future__ import annotations

import posixpath
import re
from collections import Counter
from dataclasses import dataclass, field

from .parser_dms import Conversation, Item, person_id

# The other side of a 1:1 file: DMs-Archive-<other>[_partNNN].md, DMs-<other>[-partNNN].md.
FILE_OTHER = re.compile(r"^DMs-(?:Archive-)?(?P<other>.+)\.md$")
PART = re.compile(r"[_-]part[0-9]{1,6}$")


def others_in_name(path: str) -> list[str]:
    """What a 1:1 file's name may call the other side, lowercase (a handle may itself end
    like a part number: both readings)."""
    found = FILE_OTHER.match(posixpath.basename(path))
    if not found or found["other"].startswith("Group-"):
        return []
    other = found["other"].lower()
    return [other, PART.sub("", other)]


def same_person(person: str, name: str) -> bool:
    """Does a heading's person (handle or user URL) answer to a file's name for them?"""
    number = person_id(person)
    return str(number) == name if number is not None else person.lower() == name


@dataclass
class OwnerClues:
    # The owner's side of each 1:1 conversation that tells it (a handle), lowercase → count.
    sides: Counter = field(default_factory=Counter)
    spelled: dict[str, str] = field(default_factory=dict)  # lowercase → as written
    # Handles (lowercase) every 1:1 heading names; None before the first one.
    common: set[str] | None = None
    # (owner's handle lowercase, id) → messages saying that id is the owner's.
    ids: Counter = field(default_factory=Counter)
    # The conversation being read: (owner's side, other side), when it tells them.
    current: tuple[str, str] | None = None

    def conversation(self, conversation: Conversation, path: str) -> None:
        self.current = None
        if conversation.kind != "one_to_one":
            return
        persons = conversation.persons
        handles = {p.lower() for p in persons if person_id(p) is None}
        for p in persons:
            if person_id(p) is None:
                self.spelled.setdefault(p.lower(), p)
        self.common = handles if self.common is None else self.common & handles
        named = others_in_name(path)
        if any(same_person(persons[1], name) for name in named):
            self.current = persons[0], persons[1]
        elif any(same_person(persons[0], name) for name in named):
            self.current = persons[1], persons[0]
        elif conversation.fmt == "new":
            self.current = persons[0], persons[1]
        if self.current and person_id(self.current[0]) is None:
            self.sides[self.current[0].lower()] += 1

    def item(self, item: Item) -> None:
        if self.current is None or person_id(self.current[0]) is not None:
            return
        owner, other = self.current
        for who in (item.sender, item.recipient):
            number = person_id(who or "")
            if number is not None and who != other:
                self.ids[owner.lower(), number] += 1

    def handle(self) -> str | None:
        """The owner's handle, as the Markdown spells it; None when it can't tell."""
        ranked = self.sides.most_common(2)
        if ranked:
            if len(ranked) > 1 and ranked[0][1] == ranked[1][1]:
                return None  # the Markdown of two archives, as often each: no telling
            return self.spelled[ranked[0][0]]
        if self.common and len(self.common) == 1:
            return self.spelled[next(iter(self.common))]
        return None

    def owner_id(self, handle: str) -> int | None:
        """The owner's account id where the Markdown ties one (and one only) to `handle`."""
        found = {number for (owner, number) in self.ids if owner == handle.lower()}
        return found.pop() if len(found) == 1 else None
