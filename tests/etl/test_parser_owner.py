"""The owner of twitter-archive-parser's DM Markdown alone (etl/parser_owner.py): from the
files' names, the newer headings' order, the handle every 1:1 heading names; the owner's
id where a heading names them by handle and their messages by id. Invented Markdown,
written as parser.py writes it."""

import io

import pytest

from etl.parser_dms import Conversation, Item, parse_dm_markdown
from etl.parser_owner import OwnerClues
from etl.private_parser import text_lines

USER = "https://twitter.com/i/user/"


def new_file(a: str, b: str, *messages: tuple[str, str]) -> str:
    """A 1:1 file of the newer layout: heading '<a> and <b>', messages (sender, recipient)."""
    text = f"### Conversation between {a} and {b}: ###\n\n----\n\n"
    return text + "\n\n----\n\n".join(
        f"{s} -> {r}: (2022-03-01T10:00:0{n}.000Z) \n\n> hi" for n, (s, r) in enumerate(messages)
    )


def old_file(a: str, b: str) -> str:
    return (
        f"## Conversation between {a} and {b}: ##\n\n\n"
        f"### {b} -> {a}: (2017-02-02T02:02:02.000Z) ###\n```\nhi\n```\n"
    )


def clues_of(*files: tuple[str, str]) -> OwnerClues:
    clues = OwnerClues()
    for path, text in files:
        for item in parse_dm_markdown(text_lines(io.BytesIO(text.encode()))):
            if isinstance(item, Conversation):
                clues.conversation(item, path)
            elif isinstance(item, Item):
                clues.item(item)
    return clues


@pytest.mark.parametrize(
    ("files", "owner"),
    [
        # Newer headings name the owner first, whatever the file is called.
        (
            [("parser-output/DMs/DMs-x.md", new_file("me\\_too", "Bea", ("Bea", "me\\_too")))],
            "me_too",
        ),
        # The file names the other side (their id when the parser had no handle for them):
        # the heading's other person is the owner, in either order.
        ([("DMs-Archive-Bea.md", old_file("Bea", "Owner1"))], "Owner1"),
        ([("DMs-Archive-42_part001.md", old_file("Owner1", f"{USER}42"))], "Owner1"),
        ([("DMs-Archive-bob_part001.md", old_file("bob_part001", "Owner1"))], "Owner1"),
        # DMs.md holds every conversation: the handle all of them name.
        ([("DMs.md", old_file("Bea", "Owner1") + old_file("Owner1", "Carl"))], "Owner1"),
        ([("DMs.md", old_file("Owner1", "Owner1") + old_file("Bea", "Owner1"))], "Owner1"),
        # One conversation, no file to tell: either could be the owner.
        ([("DMs.md", old_file("Bea", "Owner1"))], None),
        # Two owners' Markdown as often each: no telling.
        (
            [
                ("a/DMs-Archive-Bea.md", old_file("Bea", "Owner1")),
                ("b/DMs-Archive-Bea.md", old_file("Bea", "Owner2")),
            ],
            None,
        ),
        # Groups tell nothing.
        (
            [
                (
                    "DMs-Group/DMs-Group-x.md",
                    "## 1 ##\n\n### Group conversation between a, b and c: ###\n",
                )
            ],
            None,
        ),
        ([], None),
    ],
)
def test_the_owner_handle(files, owner):
    assert clues_of(*files).handle() == owner


def test_the_owner_id_where_the_heading_has_the_handle_and_the_messages_the_id():
    looked_up = new_file("me", "Bea", ("Bea", f"{USER}7"), (f"{USER}7", "Bea"))
    clues = clues_of(("DMs/DMs-Bea.md", looked_up))
    assert (clues.handle(), clues.owner_id("ME")) == ("me", 7)
    # The other side's id is never the owner's; two ids for one owner: none.
    unknown_other = new_file("me", f"{USER}9", (f"{USER}9", "me"))
    assert clues_of(("DMs/DMs-9.md", unknown_other)).owner_id("me") is None
    two = (
        new_file("me", "Bea", (f"{USER}7", "Bea"))
        + "\n\n----\n\n"
        + new_file("me", "Carl", (f"{USER}8", "Carl"))
    )
    assert clues_of(("DMs/x.md", two)).owner_id("me") is None
