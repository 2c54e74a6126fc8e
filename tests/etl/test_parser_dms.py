"""twitter-archive-parser's DM Markdown in a private build (etl/parser_dms.py reads it,
etl/parser_dm_import.py places it). The fixtures are invented, written as the parser's
parser.py (2022-11-19 to 29) writes them: tests/fixtures/parser-private (Markdown alone, every
layout) and tests/fixtures/parser-private-export (an export with the Markdown made from it)."""

import io
import shutil

import sqlite_utils

from etl.parser_dm_import import conversation_key, synthetic_id
from etl.parser_dms import (
    Conversation,
    Item,
    fingerprint,
    group_names,
    media_file,
    media_folder,
    parse_dm_markdown,
    restore_text,
)
from etl.private_parser import text_lines
from etl.records import Problem
from tests.helpers.build import run_build
from tests.helpers.paths import FIXTURES

PARSER = FIXTURES / "parser-private"
WITH_EXPORT = FIXTURES / "parser-private-export"
AT = "2022-03-01T10:00:00.000Z"


def parsed(text: str, limit: int = 10_000) -> list:
    return list(parse_dm_markdown(text_lines(io.BytesIO(text.encode()), limit)))


def test_a_newer_one_to_one_file():
    text = (
        "### Conversation between me\\_too and https://twitter.com/i/user/42: ###\n\n----\n\n"
        f"https://twitter.com/i/user/42 -> me\\_too: ({AT}) \n\n"
        "> Hi \\*you\\* \\(1\\+1\\)\\.  \n> next line\\!\n\n----\n\n"
        f"me\\_too -> https://twitter.com/i/user/42: (2022-03-01T10:01:00.250Z) \n\n> "
    )
    assert parsed(text) == [
        Conversation("one_to_one", ["me_too", "https://twitter.com/i/user/42"], None, 1),
        Item(
            5,
            "https://twitter.com/i/user/42",
            "me_too",
            "2022-03-01T10:00:00+00:00",
            "Hi *you* (1+1).\nnext line!",
        ),
        Item(12, "me_too", "https://twitter.com/i/user/42", "2022-03-01T10:01:00+00:00", ""),
    ]


def test_a_group_file_with_events_and_a_part_number():
    text = (
        "## Book club! ##\n\n"
        "### Group conversation between a\\_b, c and https://twitter.com/i/user/7, part 2: ###"
        f"\n\n----\n\nc: ({AT})\n\n_c added me to the group_\n\n----\n\n"
        f"a\\_b: ({AT})\n\n> hello: \\(2022\\-01\\-01T00:00:00\\.000Z\\)\n\n----\n\n"
        f"a\\_b and c: ({AT})\n\n_a\\_b and c left the group_\n\n----\n\n"
        f"c: ({AT})\n\n_changed group name to: Book club\\!_"
    )
    items = parsed(text)
    assert items[0] == Conversation(
        "group", ["a_b", "c", "https://twitter.com/i/user/7"], "Book club!", 3
    )
    hostile = parsed(
        f"### Group conversation between a and b: ###\n\n----\n\n<script>x</script>: ({AT})\n\n> hi"
    )
    assert hostile[1:] == [
        Problem("", 5, "a message whose sender is no handle", raw="<script>x</script>")
    ]
    assert [(i.sender, i.text, i.event) for i in items[1:]] == [
        ("c", None, "participants_join"),
        ("a_b", "hello: (2022-01-01T00:00:00.000Z)", None),
        ("a_b and c", None, "leave"),
        ("c", None, "rename"),
    ]


def test_the_older_layouts_with_code_blocks():
    text = (
        "\n\n----\n\n## Conversation between me and you: ##\n"
        f"\n\n### you -> me: ({AT}) ###\n```\nraw *text*\n\n### not a header\n```"
        f"\n\n### me -> you: ({AT}) ###\n```\nlook \n![](media/15-a.jpg)\n\n```"
        "\n\n----\n\n## Conversation between me and them: ##\n"
        f"\n\n### them -> me: ({AT}) ###\n```\nbye\n```"
    )
    items = parsed(text)
    assert [type(i).__name__ for i in items] == [
        "Conversation",
        "Item",
        "Item",
        "Conversation",
        "Item",
    ]
    assert [(i.text, i.media) for i in items if isinstance(i, Item)] == [
        ("raw *text*\n\n### not a header", []),
        ("look", ["media/15-a.jpg"]),
        ("bye", []),
    ]
    group = parsed(
        "# Our group\n## Group conversation between a, b and me: ##\n"
        f"\n\n### a: ({AT}) ###\n```\nhi\n```\n\n### a: ({AT}) ###\n\n_a added b to the group_\n"
    )
    assert group[0] == Conversation("group", ["a", "b", "me"], "Our group", 2)
    assert [(i.text, i.event) for i in group[1:]] == [("hi", None), (None, "participants_join")]


def test_damage_costs_only_the_damaged_item():
    long_body = "> " + "x" * 200 + "\n"
    text = (
        "stray before any heading\n"
        "### Conversation between me and you: ###\n\n----\n\n"
        f"you -> me: ({AT}) \n\n" + long_body * 600 + "\n----\n\n"
        f"you -> me: (2022-13-45T99:00:00.000Z) \n\n> bad date\n\n----\n\n"
        "not a message line\n\n"
        f"you -> me: ({AT}) \n\nunquoted text is neither\n\n----\n\n"
        f"me -> you: ({AT}) \n\n> fine"
    )
    items = parsed(text)
    assert [i for i in items if isinstance(i, Problem)] == [
        Problem("", 1, "not a conversation's heading", raw="stray before any heading"),
        Problem("", 6, "a message of over 100,000 characters"),
        Problem("", 611, "a message time that is no date"),
        Problem("", 617, "not part of a message", raw="not a message line"),
        Problem("", 619, "neither a message nor an event", raw="\nunquoted text is neither\n"),
    ]
    assert [i.text for i in items if isinstance(i, Item)] == ["fine"]
    # A line too long or not UTF-8 damages its item only.
    lines = [(1, "### Conversation between me and you: ###"), (2, f"you -> me: ({AT}) ")]
    lines += [(3, None), (4, "----"), (5, f"me -> you: ({AT}) "), (6, "> ok")]
    items = list(parse_dm_markdown(lines))
    assert items[1:] == [
        Problem("", 2, "line 3 is overlong or not UTF-8"),
        Item(5, "me", "you", "2022-03-01T10:00:00+00:00", "ok"),
    ]


def test_restore_text_undoes_the_escaping_and_takes_media_out():
    assert restore_text(["> a \\_b\\_  ", ">   ", "> c\\\\d"], "new") == ("a _b_\n\nc\\d", [])
    assert restore_text(["> &amp; &lt;3"], "new") == ("& <3", [])
    video = '<video controls><source src="C:\\x\\media\\15-v.mp4">Your browser does not support'
    video += " the video tag.</video>"
    assert restore_text(["> ", f"> {video}"], "new") == ("", ["C:\\x\\media\\15-v.mp4"])
    assert restore_text(["_an event_"], "new") is None
    assert restore_text(["```", "kept *as is*", "```"], "old") == ("kept *as is*", [])


def test_group_names_and_conversation_keys():
    assert group_names("a\\_b") == ["a_b"]
    assert group_names("a, b and c") == ["a", "b", "c"]
    one = Conversation("one_to_one", ["Me", "https://twitter.com/i/user/42"])
    assert conversation_key(one, "DMs/DMs-42.md") == "md:42-me"
    assert conversation_key(Conversation("group", [], "123"), "x.md") == "123"
    assert conversation_key(Conversation("group", [], "Club"), "x.md") == "md-group:Club"
    assert conversation_key(Conversation("group", [], None), "G/DMs-Group-x.md") == (
        "md-group:DMs-Group-x"
    )
    assert synthetic_id("t", "A", "w") == synthetic_id("t", "a", "w") < 0


def test_the_export_text_and_the_parser_text_have_one_fingerprint():
    export = "See https://t.co/x1 & more\n:)"
    parser = "See https://example.com/a_b & more\n:)"
    assert fingerprint(export) == fingerprint(parser) == "seemore"
    assert fingerprint("日本語 です") == "日本語です"
    assert fingerprint("") == fingerprint(None) == ""


def test_media_only_from_the_parser_media_folder_by_last_name():
    present = {"parser-output/media/15-a.jpg", "parser-output/media/16-b.txt", "etc/17-c.jpg"}
    folder = media_folder("parser-output/DMs/DMs-x.md")
    assert folder == "parser-output/media/"
    assert media_folder("DMs-Archive-x.md") == "media/"
    assert media_folder("sub/DMs.md") == "sub/media/"
    assert [
        media_file(ref, folder, present)
        for ref in (
            "./parser-output/media/15-a.jpg",
            "/home/someone/archive/parser-output/media/15-a.jpg",
            "../../etc/17-c.jpg",
            "parser-output/media/16-b.txt",
            "parser-output/media/18-missing.png",
            "../../etc/passwd",
        )
    ] == [
        ("15-a.jpg", "parser-output/media/15-a.jpg"),
        ("15-a.jpg", "parser-output/media/15-a.jpg"),
        ("17-c.jpg", None),
        None,
        ("18-missing.png", None),
        None,
    ]


def rows(db, sql):
    return [tuple(r) for r in db.execute(sql).fetchall()]


def test_a_private_build_of_the_markdown_alone(tmp_path):
    result = run_build(tmp_path / "p.db", PARSER, args=["--private"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "DMs                12    in                  5 conversations" in lines
    assert "DM events           3    DM media            3 (missing 0)" in lines
    assert "group DMs           4    in                  2 groups" in lines
    assert "  DMs-Archive-Dora.md:2: not part of a message" in lines
    db = sqlite_utils.Database(tmp_path / "p.db")
    assert rows(
        db,
        "select id, kind, participant_ids, first_at, last_at, message_count, name "
        "from dm_conversations order by id",
    ) == [
        # Never renamed: the heading gives the group's conversation id.
        (
            "4000000000000000001",
            "group",
            '["3000000000000000002","3000000000000000003"]',
            "2018-06-01T12:00:00+00:00",
            "2018-06-01T12:00:00+00:00",
            1,
            None,
        ),
        (
            "md-group:Book club!",
            "group",
            '["3000000000000000002","3000000000000000003","3000000000000000010"]',
            "2019-01-01T00:01:00+00:00",
            "2019-01-01T00:04:00+00:00",
            3,
            "Book club!",
        ),
        # Bea_Reader's id is in followers.txt; the owner's is nowhere.
        (
            "md:3000000000000000002-parser_owner",
            "one_to_one",
            '["3000000000000000002"]',
            "2022-03-01T10:00:00+00:00",
            "2022-03-01T10:04:00+00:00",
            5,
            None,
        ),
        # DMs.md (the id) and DMs-Archive-Dora.md (the handle, in following.txt): one pair.
        (
            "md:3000000000000000006-parser_owner",
            "one_to_one",
            '["3000000000000000006"]',
            "2016-01-01T01:01:01+00:00",
            "2017-02-02T02:03:00+00:00",
            3,
            None,
        ),
        (
            "md:3000000000000000009-parser_owner",
            "one_to_one",
            '["3000000000000000009"]',
            "2021-01-02T03:04:05+00:00",
            "2021-01-02T03:05:00+00:00",
            2,
            None,
        ),
        (
            "md:3000000000000000011-parser_owner",
            "one_to_one",
            '["3000000000000000011"]',
            "2016-01-02T01:01:01+00:00",
            "2016-01-02T01:01:01+00:00",
            1,
            None,
        ),
        # A conversation with oneself.
        (
            "md:parser_owner-parser_owner",
            "one_to_one",
            "[]",
            "2020-05-05T05:05:05+00:00",
            "2020-05-05T05:05:05+00:00",
            1,
            None,
        ),
    ]
    assert rows(
        db,
        "select id, sender_id, recipient_id, sender_screen_name, text, media from dm_messages "
        "where conversation_id in ('md:3000000000000000002-parser_owner', "
        "'md:3000000000000000009-parser_owner') order by created_at",
    ) == [
        (-144279463744815586, 3000000000000000009, None, None, "", None),
        (
            1500000000000000002,
            None,
            3000000000000000009,
            "parser_owner",
            "",
            '[{"url": null, "path": "parser-output/media/1500000000000000002-clip.mp4"}]',
        ),
        (
            -910084114836736486,
            3000000000000000002,
            None,
            None,
            "Hello *there* [friend] (1 + 1 = 2) #tag.\nSecond line!",
            None,
        ),
        (
            -756007895253989463,
            None,
            3000000000000000002,
            "parser_owner",
            "tea & cake? https://example.org/page\n\nsee you",
            None,
        ),
        (
            1500000000000000001,
            None,
            3000000000000000002,
            "parser_owner",
            "photo",
            '[{"url": null, "path": "parser-output/media/1500000000000000001-photo.jpg"}]',
        ),
        # Its media is a .txt file: no media at all.
        (-697961368931062647, 3000000000000000002, None, None, "", None),
        (
            -827096908441330347,
            3000000000000000002,
            None,
            None,
            "DMSECRETWORD <3 unicode: 日本語",
            None,
        ),
    ]
    assert rows(db, "select count(*) from dm_messages where sender_screen_name is not null") == [
        (7,)
    ]
    # Group events, ids where the archive ties the handles to them (Bea_Reader, Carl99).
    assert rows(db, "select * from dm_events order by id") == [
        (
            1,
            "md-group:Book club!",
            "participants_join",
            3000000000000000003,
            None,
            None,
            "2019-01-01T00:00:00+00:00",
        ),
        (
            2,
            "md-group:Book club!",
            "rename",
            3000000000000000003,
            None,
            "Book club!",
            "2019-01-01T00:02:00+00:00",
        ),
        (
            3,
            "md-group:Book club!",
            "leave",
            None,
            '["3000000000000000002"]',
            None,
            "2019-01-01T00:05:00+00:00",
        ),
    ]


def test_the_markdown_of_an_export_in_the_same_build_is_not_counted_twice(tmp_path):
    result = run_build(tmp_path / "p.db", WITH_EXPORT, args=["--private"])
    assert result.exit_code == 0, result.output
    db = sqlite_utils.Database(tmp_path / "p.db")
    conversation = "5000000000000000001-5000000000000000002"
    assert rows(
        db, "select id, participant_ids, message_count, first_at from dm_conversations order by id"
    ) == [
        (
            conversation,
            '["5000000000000000001","5000000000000000002"]',
            4,
            "2022-04-30T09:00:00+00:00",
        ),
        (
            "6000000000000000001",
            '["5000000000000000001","5000000000000000002","5000000000000000003"]',
            1,
            "2022-06-01T10:01:00+00:00",
        ),
    ]
    # The export's join is not added again; the Markdown's own event is, Eve by her id.
    assert rows(db, "select kind, initiating_user_id, user_ids, created_at from dm_events") == [
        (
            "join",
            5000000000000000003,
            '["5000000000000000001", "5000000000000000002", "5000000000000000003"]',
            "2022-06-01T10:00:00+00:00",
        ),
        (
            "participants_join",
            5000000000000000003,
            '["5000000000000000002"]',
            "2022-06-01T10:02:00+00:00",
        ),
    ]
    # The export's three messages as the export gives them (one found by the id its media
    # file's name holds, one by its words, one with no text by its time), and the one only the
    # Markdown has, in the export's conversation, its sender named by the handle the parser
    # gave a message of the export's.
    assert rows(
        db,
        "select id, sender_id, recipient_id, text, sender_screen_name from dm_messages "
        f"where conversation_id = '{conversation}' order by created_at",
    ) == [
        (
            synthetic_id("2022-04-30T09:00:00+00:00", "Eve", fingerprint("only in the Markdown")),
            5000000000000000002,
            5000000000000000001,
            "only in the Markdown",
            None,
        ),
        (
            1600000000000000001,
            5000000000000000002,
            5000000000000000001,
            "See https://t.co/x1 & more",
            None,
        ),
        (
            1600000000000000002,
            5000000000000000001,
            5000000000000000002,
            "pic https://t.co/m2",
            None,
        ),
        (1600000000000000003, 5000000000000000002, 5000000000000000001, "", None),
    ]
    assert rows(db, "select account_id, screen_name, source from account_names") == [
        (5000000000000000001, "export_owner", "account.js"),
        (5000000000000000002, "Eve", "twitter-archive-parser"),
        (5000000000000000003, "Fred", "twitter-archive-parser"),
    ]
    # A second copy of the Markdown (an older run's, at the root) adds nothing either.
    folder = tmp_path / "twice"
    shutil.copytree(WITH_EXPORT, folder)
    shutil.copy(folder / "parser-output" / "DMs" / "DMs-Eve.md", folder / "DMs-Archive-Eve.md")
    result = run_build(tmp_path / "q.db", folder, args=["--private"])
    assert result.exit_code == 0, result.output
    twice = sqlite_utils.Database(tmp_path / "q.db")
    assert (twice["dm_messages"].count, twice["dm_events"].count) == (5, 2)


def test_a_long_text_is_cut_as_the_exports_are(tmp_path):
    folder = tmp_path / "long" / "DMs"
    folder.mkdir(parents=True)
    body = "> " + "word " * 12_000
    (folder / "DMs-you.md").write_text(
        f"### Conversation between me and you: ###\n\n----\n\nyou -> me: ({AT}) \n\n{body}"
    )
    result = run_build(tmp_path / "p.db", tmp_path / "long", args=["--private"])
    assert result.exit_code == 0, result.output
    db = sqlite_utils.Database(tmp_path / "p.db")
    assert rows(db, "select length(text) from dm_messages") == [(50_000,)]
    assert rows(db, "select file, line, reason from etl_problems") == [
        ("DMs/DMs-you.md", 5, "text cut at 50,000 characters")
    ]
