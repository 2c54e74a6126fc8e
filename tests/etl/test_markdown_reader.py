import codecs
import time

import pytest

from etl.readers import detect
from etl.readers.markdown import IMAGE, VIDEO, read
from etl.records import Hashtag, Link, MediaRef, Mention, Problem, Tweet, UserRef
from etl.sources import FolderTree, SourceError, open_tree
from tests.corpus import BOMS
from tests.helpers.paths import MARKDOWN


def read_all(folder):
    (found,) = detect(FolderTree(folder), str(folder))
    assert found.format == "markdown"
    return [item for path in found.files for item in read(found.tree, path)]


def test_plain_layout_reads_every_tweet_with_footer_dates_and_media():
    items = read_all(MARKDOWN / "plain")
    assert [(t.id, t.created_at, t.input_file, t.input_line) for t in items] == [
        (1134400000000000000, "2019-05-31T10:00:00+00:00", "tweets_2019-05.md", 1),
        # filed under May by the parser's local time zone; the footer says June in UTC
        (1134650000000000000, "2019-06-01T02:30:00+00:00", "tweets_2019-05.md", 7),
        (1136365946841513984, "2019-06-05T20:15:29+00:00", "tweets_2019-06.md", 1),
        (1136622189627809793, "2019-06-06T13:13:42+00:00", "tweets_2019-06.md", 7),
        (1139278208925405186, "2019-06-13T21:07:46+00:00", "tweets_2019-06.md", 13),
        (1139629759095349249, "2019-06-14T20:24:42+00:00", "tweets_2019-06.md", 19),
        (1141733842312732672, "2019-06-20T15:45:35+00:00", "tweets_2019-06.md", 28),
        (1141902923984789505, "2019-06-21T02:57:27+00:00", "tweets_2019-06.md", 37),
        (1142633936507547648, "2019-06-23T03:22:14+00:00", "tweets_2019-06.md", 43),
    ]


def test_plain_layout_decodes_entities_and_removes_media_markup():
    by_id = {t.id: t for t in read_all(MARKDOWN / "plain")}
    assert by_id[1134400000000000000].text == "Hello & welcome to my <archive> #FirstTweet"
    assert by_id[1134400000000000000].hashtags == [Hashtag("FirstTweet", 32, 43)]
    assert by_id[1139629759095349249].text == "Fire across the street"
    assert by_id[1142633936507547648].text == (
        "東京タワーに行きました #東京\nПривет, мир! Бегущие коты.\nWrite to me: someone@example.com"
    )
    assert by_id[1142633936507547648].mentions == []
    assert by_id[1142633936507547648].hashtags == [Hashtag("東京", 12, 15)]


def test_plain_layout_retweet_with_two_photos():
    retweet = {t.id: t for t in read_all(MARKDOWN / "plain")}[1136622189627809793]
    assert retweet == Tweet(
        id=1136622189627809793,
        created_at="2019-06-06T13:13:42+00:00",
        text="RT @gregyoung: Who wants to play?",
        author=UserRef(screen_name="owner_a"),
        url="https://twitter.com/owner_a/status/1136622189627809793",
        input_file="tweets_2019-06.md",
        input_line=7,
        is_retweet=True,
        retweeted_screen_name="gregyoung",
        mentions=[Mention("gregyoung", start=3, end=13)],
        media=[
            MediaRef(
                type="photo",
                path="media/1136622189627809793-D8RwpR5XYAAxm79.png",
                filename="1136622189627809793-D8RwpR5XYAAxm79.png",
                mime_type="image/png",
                bytes=73,
                width=4,
                height=3,
            ),
            MediaRef(
                type="photo",
                path="media/1136622189627809793-D8RwpR5XYAAxm80.png",
                filename="1136622189627809793-D8RwpR5XYAAxm80.png",
                mime_type="image/png",
                bytes=73,
                width=2,
                height=5,
            ),
        ],
    )


def test_plain_layout_media_present_absent_and_linked_only():
    by_id = {t.id: t for t in read_all(MARKDOWN / "plain")}
    assert by_id[1139629759095349249].media == [
        MediaRef(
            type="video",
            path="media/1139629759095349249-abcdefghijklmnop.mp4",
            filename="1139629759095349249-abcdefghijklmnop.mp4",
            mime_type="video/mp4",
            bytes=52,
        )
    ]
    assert by_id[1141733842312732672].media == [
        MediaRef(type="video", path=None, filename="1141733842312732672-ZyXwVuTsRqPoNmLk.mp4")
    ]
    assert by_id[1139278208925405186].media == [
        MediaRef(type="photo", path=None, url="https://t.co/AbCdEf1234")
    ]
    assert by_id[1139278208925405186].text == "Look at this"


def test_plain_layout_replies_and_quotes_from_text():
    by_id = {t.id: t for t in read_all(MARKDOWN / "plain")}
    reply = by_id[1136365946841513984]
    assert (reply.in_reply_to_screen_name, reply.in_reply_to_id) == ("friend_b", None)
    assert reply.mentions == [
        Mention("friend_b", None, None, 0, 9),
        Mention("friend_c", None, None, 10, 19),
    ]
    assert reply.urls == [Link("https://example.com/path", 38, 62)]
    quote = by_id[1141902923984789505]
    assert (quote.quoted_id, quote.in_reply_to_screen_name) == (1136365946841513984, None)


def test_quoted_layout_reply_headers_front_matter_and_icon_footer():
    items = read_all(MARKDOWN / "quoted")
    assert [
        (
            t.id,
            t.text,
            t.in_reply_to_id,
            t.in_reply_to_screen_name,
            [m.screen_name for m in t.mentions],
        )
        for t in items
    ] == [
        (1587489297460264960, "First of a thread about #Markdown 👇🏼", None, None, []),
        # a reply to oneself: the header names the owner, the body had no @names
        (1587491585784418305, "Second, replying to myself.", 1587489297460264960, "owner_b", []),
        (
            1588220342795137025,
            "@amy_h @bob @carol_c Indeed, thanks all!",
            1587400000000000000,
            "amy_h",
            ["amy_h", "bob", "carol_c"],
        ),
        (
            1588590362872147968,
            "RT @QueenOfRats: Hi! Yes! It's me, a freelancer…",
            None,
            None,
            ["QueenOfRats"],
        ),
        (1598200000000000000, "A December tweet from the Jekyll posts folder", None, None, []),
    ]
    assert items[0].media == [
        MediaRef(
            type="photo",
            path="media/1587489297460264960-Fgfhu4eaYAII9WA.png",
            filename="1587489297460264960-Fgfhu4eaYAII9WA.png",
            mime_type="image/png",
            bytes=73,
            width=6,
            height=4,
        )
    ]
    assert items[3].is_retweet and items[3].retweeted_screen_name == "QueenOfRats"


def test_escaped_layout_unescapes_text_and_resolves_parent_media_paths():
    first, reply = read_all(MARKDOWN / "escaped")
    assert first.text == (
        "Escaped: snake_case *stars* and a path C:\\Users (really)! "
        "See https://example.com/a_b-c.\nSecond line with #real_tag"
    )
    assert first.urls == [Link("https://example.com/a_b-c", 62, 87)]
    assert first.hashtags == [Hashtag("real_tag", 106, 115)]
    assert [m.path for m in first.media] == [
        "parser-output/media/1590000000000000001-FhAbCdEfGhIjKlM.png"
    ]
    assert reply.text == "@under_score @plain A reply with a GIF."
    assert (reply.in_reply_to_id, reply.in_reply_to_screen_name) == (
        1589999999999999999,
        "under_score",
    )
    assert reply.media == [
        MediaRef(
            type="animated_gif",
            path="parser-output/media/1590000000000000002-FhZzZzZzZzZzZzZ.mp4",
            filename="1590000000000000002-FhZzZzZzZzZzZzZ.mp4",
            mime_type="video/mp4",
            bytes=32,
        )
    ]


def test_broken_entries_become_problems_naming_file_and_line():
    items = read_all(MARKDOWN / "broken")
    problems = [(p.file, p.line, p.reason) for p in items if isinstance(p, Problem)]
    assert problems == [
        ("tweets_2020-01.md", 7, "unreadable date 'Wed Jan 99 10:00:00 +0000 2020' in footer"),
        ("tweets_2020-01.md", 13, "entry has no footer with the tweet's date and link"),
    ]
    assert [t.id for t in items if isinstance(t, Tweet)] == [
        1212300000000000000,
        1212600000000000000,
    ]
    assert items[2].raw == "A tweet whose footer was lost"


def test_media_reference_outside_the_archive_is_never_read(tmp_path):
    (tmp_path / "secret.jpg").write_bytes(b"private")
    archive = tmp_path / "archive"
    archive.mkdir()
    (archive / "tweets_2020-01.md").write_text(
        "Sneaky ![](../secret.jpg)\n\n"
        "(Originally on Twitter: [Wed Jan 01 10:00:00 +0000 2020]"
        "(https://twitter.com/x/status/1212300000000000000))\n\n----\n\n"
    )
    tweet, problem = read_all(archive)
    assert tweet.media == [MediaRef(type="photo", path=None)]
    assert problem == Problem(
        "tweets_2020-01.md",
        1,
        "media reference '../secret.jpg' refused: not in the archive's media folder",
        entry=False,
    )


def test_dm_markdown_is_never_read(tmp_path):
    (tmp_path / "DMs").mkdir()
    (tmp_path / "DMs" / "DMs-friend.md").write_text(
        "(Originally on Twitter: [Wed Jan 01 10:00:00 +0000 2020](https://twitter.com/x/status/1))"
    )
    (tmp_path / "tweets_2020-01.md").write_text("")
    (found,) = detect(open_tree(str(tmp_path)), str(tmp_path))
    assert found.files == ["tweets_2020-01.md"]


@pytest.mark.parametrize(
    "entry",
    ["![" * 500_000, "![x](" * 200_000, "<video " * 150_000, '<video><source src="a">' * 50_000],
)
def test_media_markup_is_found_in_time_linear_in_the_entry(entry):
    # Each unclosed `![` or `<video` used to be scanned to the end of the text: 200 KB of
    # `![` took 35 s, 1 MB of `![x](` hours.
    started = time.perf_counter()
    assert [*IMAGE.finditer(entry), *VIDEO.finditer(entry)] == []
    assert time.perf_counter() - started < 1


ENTRIES = (
    "Hello from a Windows editor 🐱 #bom\n\n"
    "(Originally on Twitter: [Wed Jan 01 10:00:00 +0000 2020]"
    "(https://twitter.com/x/status/1212300000000000000))\n\n----\n\n"
    "Привет, мир\n\n"
    "(Originally on Twitter: [Wed Jan 01 11:00:00 +0000 2020]"
    "(https://twitter.com/x/status/1212300000000000001))\n\n----\n\n"
)


@pytest.mark.parametrize("name", ["tweets_2020-01.md", "saved from the parser.md"])
@pytest.mark.parametrize("encoding", BOMS)
def test_markdown_with_a_byte_order_mark_reads_as_in_utf8(tmp_path, encoding, name):
    # A name the parser never writes: the file is recognised by its text, decoded first.
    bom, codec = BOMS[encoding]
    (tmp_path / "utf8").mkdir()
    (tmp_path / "utf8" / name).write_text(ENTRIES, encoding="utf-8")
    (tmp_path / "bom").mkdir()
    (tmp_path / "bom" / name).write_bytes(bom + ENTRIES.encode(codec))
    items = read_all(tmp_path / "bom")
    assert items == read_all(tmp_path / "utf8")
    assert [(t.text, t.input_line) for t in items] == [
        ("Hello from a Windows editor 🐱 #bom", 1),
        ("Привет, мир", 7),
    ]


def test_a_bad_utf16_code_unit_costs_only_its_line(tmp_path):
    first, second = ENTRIES.split("Привет")
    data = (
        codecs.BOM_UTF16_BE
        + first.encode("utf-16-be")
        + b"\xdc\x00"  # a low surrogate with no high one before it
        + ("Привет" + second).encode("utf-16-be")
    )
    (tmp_path / "tweets_2020-01.md").write_bytes(data)
    items = read_all(tmp_path)
    assert [(t.text, t.input_line) for t in items if isinstance(t, Tweet)] == [
        ("Hello from a Windows editor 🐱 #bom", 1),
        ("\ufffdПривет, мир", 7),
    ]
    assert [p for p in items if isinstance(p, Problem)] == [
        Problem(
            "tweets_2020-01.md",
            7,
            "bytes that are not UTF-16, or NUL, on this line (replaced with U+FFFD)",
            entry=False,
        )
    ]


@pytest.mark.parametrize(
    "data, message",
    [
        (codecs.BOM_UTF16_LE + "just some notes".encode("utf-16-le"), "txt: not a Twitter"),
        (codecs.BOM_UTF32_BE + "just some notes".encode("utf-32-be"), "txt: not a Twitter"),
        (b"just\x00some\x00notes", "txt: a binary file"),
    ],
    ids=["UTF-16 LE", "UTF-32 BE", "NUL bytes"],
)
def test_utf16_text_is_not_called_a_binary_file(tmp_path, data, message):
    path = tmp_path / "notes.txt"
    path.write_bytes(data)
    with pytest.raises(SourceError, match=message):
        detect(open_tree(str(path)), str(path))
