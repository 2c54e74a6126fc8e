"""Entity offsets: every mention, hashtag and URL row says where the tweet's stored text
writes it (`text[start:end]`), for text-only formats (the extraction's own spans) and for
exports (their `indices` mapped into the changed text, checked, and searched for when they
miss), and NULL only when the text doesn't hold the entity."""

import json
import sqlite3
import time

import pytest
import sqlite_utils

from etl.entities import extract_entities
from etl.load import Loader
from etl.offsets import HASHTAG, MENTION, URL, fill_in, locate
from etl.readers import textmap
from etl.readers.official import Note, NoteIndex
from etl.readers.tweetjson import Context, convert
from etl.records import Hashtag, Link, Mention, Tweet, UserRef
from etl.sources import FolderTree
from tests.helpers.build import run_build


def written(text, entities):
    """[(kind, text[start:end], start, end)] of extract_entities' results."""
    found = [
        (kind, text[start:end], start, end)
        for kind, spans in (
            ("mention", entities.mention_spans),
            ("hashtag", entities.hashtag_spans),
            ("url", entities.url_spans),
        )
        for start, end in spans
    ]
    return sorted(found, key=lambda f: f[2])


# ----------------------------------------------------------------------- text-only formats


@pytest.mark.parametrize(
    "text, expected",
    [
        ("see example.com/foo", [("url", "example.com/foo", 4, 19)]),
        ("rt@bob says hi", [("mention", "@bob", 2, 6)]),
        ("RT:@bob and x@not", [("mention", "@bob", 3, 7)]),
        (
            "＠full and ＃タグ",
            [("mention", "＠full", 0, 5), ("hashtag", "＃タグ", 10, 13)],
        ),
        ("(see https://x.co/a).", [("url", "https://x.co/a", 5, 19)]),
        (
            "Look (https://en.wikipedia.org/wiki/Foo_(bar)) ok",
            [("url", "https://en.wikipedia.org/wiki/Foo_(bar)", 6, 45)],
        ),
        (
            "😀👍🏽 @bob #tag https://a.com/x",
            [
                ("mention", "@bob", 4, 8),
                ("hashtag", "#tag", 9, 13),
                ("url", "https://a.com/x", 14, 29),
            ],
        ),
        # One row per account: where it is first written.
        ("@bob hi @Bob and @BOB", [("mention", "@bob", 0, 4)]),
        ("#Tag and #tag", [("hashtag", "#Tag", 0, 4)]),
        ("mail me@bob.com or @bob.", [("mention", "@bob", 19, 23)]),
        (
            "see https://medium.com/@bob/post #x",
            [("url", "https://medium.com/@bob/post", 4, 32), ("hashtag", "#x", 33, 35)],
        ),
        ("a & b @x", [("mention", "@x", 6, 8)]),
    ],
)
def test_extracted_entities_carry_where_they_are_written(text, expected):
    assert written(text, extract_entities(text)) == expected


# ----------------------------------------------------------------------------------- locate


@pytest.mark.parametrize(
    "text, wanted, expected",
    [
        # The offsets given hold the entity: kept (a name in any case, either sign).
        ("hi @Bob", [(MENTION, "bob", 3, 7)], [(3, 7)]),
        ("hi ＠bob ＃tag", [(MENTION, "bob", 3, 7), (HASHTAG, "tag", 8, 12)], [(3, 7), (8, 12)]),
        # Counted in UTF-16 (an emoji is two): off by one, found nearest.
        ("😀 @bob 😀 @bob", [(MENTION, "bob", 3, 7), (MENTION, "bob", 10, 14)], [(2, 6), (9, 13)]),
        # None given: found in order, each place once.
        ("@bob hi @bob", [(MENTION, "bob", None, None)] * 3, [(0, 4), (8, 12), None]),
        # Not run on into a longer name, tag or URL, nor inside a link.
        ("RT @Schmidtlepp", [(MENTION, "Schmidt", None, None)], [None]),
        ("#bildungsstreik", [(HASHTAG, "bildun", None, None)], [None]),
        ("https://a.com/xy", [(URL, "https://a.com/x", 0, 15)], [None]),
        ("see https://medium.com/@bob/post", [(MENTION, "bob", None, None)], [None]),
        ("see example.com/#tag", [(HASHTAG, "tag", None, None)], [None]),
        # A URL ends where a sentence does; written once, it is placed once.
        ("(see https://x.co/a).", [(URL, "https://x.co/a", None, None)], [(5, 19)]),
        ("a https://x.co/a", [(URL, "https://x.co/a", 2, 16)] * 2, [(2, 16), None]),
        # Where twitter-text would find it is preferred to where it is doubtful.
        ("ab@x @x", [(MENTION, "x", None, None)], [(5, 7)]),
        ("rt@x", [(MENTION, "x", None, None)], [(2, 4)]),
        # Not in the text at all.
        ("a retweet rebuilt", [(MENTION, "Scytale", 3, 11)], [None]),
        ("", [(URL, "https://a.com", 0, 13)], [None]),
    ],
)
def test_locate(text, wanted, expected):
    assert locate(text, wanted) == expected


def test_locate_with_thousands_of_missing_entities_is_quick():
    text = "@a #b https://c.com/d " * 20_000
    wanted = [(HASHTAG, f"t{n}", n, n + 3) for n in range(100_000)]
    started = time.perf_counter()
    found = locate(text, wanted)
    assert time.perf_counter() - started < 5
    assert found == [None] * len(wanted)


# ------------------------------------------------------------------------------- exports


@pytest.mark.parametrize(
    "source, swaps",
    [
        ("see https://t.co/a and @x https://t.co/m", [("https://t.co/a", "https://e.com/long")]),
        ("  https://t.co/m @x #y https://t.co/m ", [("https://t.co/m", "")]),
        (
            "https://t.co/a https://t.co/a @x https://t.co/b",
            [
                ("https://t.co/a", "https://a.example/1"),
                ("https://t.co/b", "b"),
                ("https://t.co/a", "2"),
            ],
        ),
        ("😀 @x https://t.co/a", [("https://t.co/a", "https://t.co/ab")]),  # swaps into a swap
        ("a https://t.co/ab @x", [("https://t.co/a", "A"), ("https://t.co/ab", "B")]),  # overlap
    ],
)
def test_offsets_move_as_the_text_changes(source, swaps):
    full = textmap.changed(source, swaps)
    inside = {
        i for old, _ in swaps for at in find_all(source, old) for i in range(at + 1, at + len(old))
    }
    offsets = [o for o in range(len(source) + 1) if o not in inside]
    by_edits = textmap.by_edits(source, swaps, offsets)
    by_marks = textmap.by_marks(source, swaps, full, offsets)
    if by_edits is not None:  # followed by arithmetic: the same as marking every offset
        assert {o: p for o, p in by_edits.items() if p is not None} == by_marks
    moved = textmap.offsets_in(source, swaps, full, offsets)
    at = source.index("@x")
    assert full.strip()[moved[at] : moved[at + 2]] == "@x"
    # An offset inside a replaced link falls nowhere (followed by arithmetic), or leaves
    # every offset to be searched for (marks inside a link keep it from being replaced).
    moved = textmap.offsets_in(source, swaps, full, [at, source.index("t.co")])
    assert moved in ({at: moved.get(at)}, {})


def find_all(text, part):
    at = text.find(part)
    while at >= 0:
        yield at
        at = text.find(part, at + 1)


def export_tweet(full_text, mentions=(), hashtags=(), urls=(), media=()):
    return {
        "id_str": "20",
        "created_at": "Thu Nov 07 18:26:50 +0000 2024",
        "full_text": full_text,
        "entities": {
            "user_mentions": [
                {"screen_name": name, "id_str": str(100 + n), "indices": list(span)}
                for n, (name, span) in enumerate(mentions)
            ],
            "hashtags": [{"text": tag, "indices": list(span)} for tag, span in hashtags],
            "urls": [
                {"url": short, "expanded_url": expanded, "indices": list(span)}
                for short, expanded, span in urls
            ],
            "media": [{"url": short, "indices": list(span)} for short, span in media],
        },
    }


def spans(tweet):
    return [
        (tweet.text[e.start : e.end] if e.start is not None else None, e.start, e.end)
        for e in (*tweet.mentions, *tweet.hashtags, *tweet.urls)
    ]


def converted(tmp_path, raw):
    return convert(raw, Context(tree=FolderTree(tmp_path), owner=UserRef("owner")), "t.js", 1)


def test_export_offsets_count_the_text_before_links_are_expanded_and_amp_decoded(tmp_path):
    # indices count "&amp;" as five characters and "https://t.co/1" as it is written.
    raw = export_tweet(
        "a &amp; b https://t.co/1 &lt;3 @x #t",
        mentions=[("x", ("31", "33"))],
        hashtags=[("t", ("34", "36"))],
        urls=[("https://t.co/1", "https://example.com/long/path", ("10", "24"))],
    )
    tweet = converted(tmp_path, raw)
    assert tweet.text == "a & b https://example.com/long/path <3 @x #t"
    assert spans(tweet) == [
        ("@x", 39, 41),
        ("#t", 42, 44),
        ("https://example.com/long/path", 6, 35),
    ]


def test_export_offsets_past_emoji_count_code_points(tmp_path):
    raw = export_tweet("😀👍🏽 @bob #tag", mentions=[("bob", (4, 8))], hashtags=[("tag", (9, 13))])
    assert spans(converted(tmp_path, raw)) == [("@bob", 4, 8), ("#tag", 9, 13)]


def test_offsets_counted_otherwise_are_found_in_the_text(tmp_path):
    # An exporter counting UTF-16 (the emoji as two), or offsets that are plain wrong.
    raw = export_tweet("😀 @bob #tag", mentions=[("bob", (3, 7))], hashtags=[("tag", ("0", "x"))])
    assert spans(converted(tmp_path, raw)) == [("@bob", 2, 6), ("#tag", 7, 11)]


def test_media_links_removed_and_whitespace_trimmed_move_the_offsets(tmp_path):
    raw = export_tweet(
        "  https://t.co/m @x look https://t.co/m",
        mentions=[("x", (17, 19))],
        media=[("https://t.co/m", (25, 39))],
    )
    tweet = converted(tmp_path, raw)
    assert tweet.text == "@x look"
    assert spans(tweet) == [("@x", 0, 2)]


def test_an_account_mentioned_twice_is_one_row_where_it_is_first_written(tmp_path):
    raw = export_tweet("@Bob hi @bob", mentions=[("Bob", (0, 4)), ("bob", (8, 12))])
    raw["entities"]["user_mentions"][1]["id_str"] = "100"  # the same account
    tweet = converted(tmp_path, raw)
    assert spans(tweet) == [("@Bob", 0, 4), ("@bob", 8, 12)]
    db = sqlite_utils.Database(memory=True)
    loader = Loader(db)
    loader.stage(1, [tweet])
    loader.finish()
    assert db.execute("select user_id, position, start, end from mentions").fetchall() == [
        (100, 0, 0, 4)
    ]


def test_a_long_posts_text_moves_the_offsets(tmp_path):
    tweet = Tweet(
        id=20,
        created_at="2024-11-07T18:26:50+00:00",
        text="@amy See https://example.com/a/long/path #one and…",
        author=UserRef("owner"),
        url="u",
        input_file="t.js",
        input_line=1,
        mentions=[Mention("amy", None, None, 0, 4)],
        hashtags=[Hashtag("one", 41, 45)],
        urls=[Link("https://example.com/a/long/path", 9, 40)],
    )
    # The note's own links are left short when it lists none. What the tweet's lists lack
    # (the note's link and what follows the cut) is filled in from the text.
    NoteIndex([Note(7, tweet.created_at, "See https://t.co/abc #one and more #two", 1)]).apply(
        tweet
    )
    assert tweet.text == "@amy See https://t.co/abc #one and more #two"
    assert spans(tweet) == [
        ("@amy", 0, 4),
        ("#one", 26, 30),
        ("#two", 40, 44),
        (None, None, None),
        ("https://t.co/abc", 9, 25),
    ]


def test_what_an_exports_lists_leave_out_is_filled_in_from_its_text(tmp_path):
    # Old exports list no links for 2009's tweets, nor accounts since suspended.
    text = "see example.com/foo rt@bob ＠name ＃tag (see https://x.co/a). @listed"
    raw = export_tweet(text, mentions=[("listed", (60, 67))])
    tweet = converted(tmp_path, raw)
    assert spans(tweet) == [
        ("@listed", 60, 67),
        ("@bob", 22, 26),
        ("＠name", 27, 32),
        ("＃tag", 33, 37),
        ("example.com/foo", 4, 19),
        ("https://x.co/a", 43, 57),
    ]
    # The names found name no account id (as the Markdown reader's): the loader finds one.
    assert [(m.screen_name, m.id) for m in tweet.mentions] == [
        ("listed", 100),
        ("bob", None),
        ("name", None),
    ]


def tweet_of(text, **entities):
    return Tweet(
        id=20,
        created_at="2024-11-07T18:26:50+00:00",
        text=text,
        author=UserRef("owner"),
        url="u",
        input_file="t.js",
        input_line=1,
        **entities,
    )


def test_filling_in_takes_no_character_an_entity_holds_and_adds_no_name_twice():
    # The export says its link is the domain: the longer one found there is not added.
    tweet = tweet_of("see example.com/foo", urls=[Link("example.com", 4, 15)])
    fill_in(tweet)
    assert spans(tweet) == [("example.com", 4, 15)]
    # A name placed where it is written again is one row: not added where it is first.
    tweet = tweet_of("@bob hi @Bob #t #T", mentions=[Mention("Bob", 1, None, 8, 12)])
    fill_in(tweet)
    assert spans(tweet) == [("@Bob", 8, 12), ("#t", 13, 15)]
    # A name listed without a place gets the place found.
    tweet = tweet_of("hi #Tag", hashtags=[Hashtag("tag", None, None)])
    fill_in(tweet)
    assert spans(tweet) == [("#Tag", 3, 7)]
    assert tweet.hashtags == [Hashtag("tag", 3, 7)]


def test_a_retweets_text_is_filled_in_once(tmp_path):
    original = export_tweet("see example.com/foo")
    original.update(id_str="10", user={"screen_name": "amy", "id_str": "57"})
    raw = export_tweet("RT @amy: see example.com/foo")
    raw["retweeted_status"] = original
    tweet = converted(tmp_path, raw)
    assert tweet.text == "RT @amy: see example.com/foo"
    assert spans(tweet) == [("@amy", 3, 7), ("example.com/foo", 13, 28)]


def test_stored_text_with_surrogates_keeps_offsets_that_slice_it():
    # Two lone surrogates are stored as the one character they make together.
    tweet = Tweet(
        id=20,
        created_at="2024-11-07T18:26:50+00:00",
        text="\ud83d\ude00 @bob",
        author=UserRef("owner"),
        url="u",
        input_file="t.md",
        input_line=1,
        mentions=[Mention("bob", None, None, 3, 7)],
    )
    db = sqlite_utils.Database(memory=True)
    loader = Loader(db)
    loader.stage(1, [tweet])
    loader.finish()
    assert db.execute("select text from tweets").fetchone() == ("😀 @bob",)
    assert db.execute("select start, end from mentions").fetchall() == [(2, 6)]


# ------------------------------------------------------------------------------- builds


ENTITY_ROWS = {
    "mentions": "select e.tweet_id, '@' || users.screen_name, e.start, e.end, t.text "
    "from mentions e join users on users.id = e.user_id join tweets t on t.id = e.tweet_id",
    "hashtags": "select e.tweet_id, '#' || e.tag, e.start, e.end, t.text "
    "from hashtags e join tweets t on t.id = e.tweet_id",
    "urls": "select e.tweet_id, e.url, e.start, e.end, t.text "
    "from urls e join tweets t on t.id = e.tweet_id",
}
SIGNS = {"@": "@＠", "#": "#＃"}


def misplaced(db_path):
    """Entity rows whose offsets don't slice the stored text to the entity: the URL, or
    "@name" / "#tag" (either sign, any case)."""
    found = []
    with sqlite3.connect(db_path) as conn:
        for table, sql in ENTITY_ROWS.items():
            for tweet_id, entity, start, end, text in conn.execute(sql):
                written = text[start:end] if start is not None else None
                if table == "urls":
                    same = written == entity
                else:
                    same = (
                        bool(written)
                        and written[0] in SIGNS[entity[0]]
                        and written[1:].casefold() == entity[1:].casefold()
                    )
                if not same:
                    found.append((table, tweet_id, entity, written))
    return found


TRICKY = [
    "see example.com/foo and rt@bob",
    "＠full ＃タグ (see https://x.co/a).",
    "Look (https://en.wikipedia.org/wiki/Foo_(bar)) ok",
    "😀👍🏽 @bob #tag https://a.com/x",
    "@bob hi @Bob and @BOB &amp; #x #X",
    "<script>alert(1)</script> @x javascript:alert(1) #y",
]


def test_every_row_of_a_markdown_build_slices_its_text(tmp_path):
    entries = "".join(
        f"{text}\n\n(Originally on Twitter: [Fri May 31 10:00:0{n} +0000 2019]"
        f"(https://twitter.com/me/status/{100 + n}))\n\n----\n\n"
        for n, text in enumerate(TRICKY)
    )
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "tweets_2019-05.md").write_text(entries)
    result = run_build(tmp_path / "a.db", tmp_path / "in")
    assert result.exit_code == 0, result.output
    db = sqlite_utils.Database(tmp_path / "a.db")
    assert misplaced(tmp_path / "a.db") == []
    assert db.execute("select count(*) from urls").fetchone()[0] == 4
    assert db.execute("select count(*) from mentions where start is null").fetchone() == (0,)
    assert "not in text" not in result.output


def test_an_export_entity_its_text_does_not_hold_has_no_offsets_and_is_counted(tmp_path):
    data = tmp_path / "in" / "data"
    data.mkdir(parents=True)
    tweets = [{"tweet": export_tweet("hi @here", mentions=[("here", (3, 8)), ("gone", (20, 25))])}]
    (data / "tweets.js").write_text("window.YTD.tweets.part0 = " + json.dumps(tweets))
    result = run_build(tmp_path / "a.db", tmp_path / "in", args=["--owner", "me"])
    assert result.exit_code == 0, result.output
    db = sqlite_utils.Database(tmp_path / "a.db")
    assert db.execute(
        "select screen_name, start, end from mentions join users on users.id = user_id"
        " order by position"
    ).fetchall() == [("here", 3, 8), ("gone", None, None)]
    assert misplaced(tmp_path / "a.db") == [("mentions", 20, "@gone", None)]
    assert "not in text         1 " in result.output
