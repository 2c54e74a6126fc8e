import pytest
import sqlite_utils

from etl.load import Loader
from etl.merge import UserDirectory, same_text, synthetic_user_id
from etl.records import Hashtag, Link, MediaRef, Mention, Tweet, UserRef


def tweet(**fields):
    base = dict(
        id=1,
        created_at="2020-01-01T00:00:00+00:00",
        text="hello",
        author=UserRef("owner"),
        url="https://twitter.com/owner/status/1",
        input_file="a.md",
        input_line=1,
    )
    return Tweet(**{**base, **fields})


def load(*records):
    """The records of one tweet id, best first, through the loader: the stored rows."""
    db = sqlite_utils.Database(memory=True)
    loader = Loader(db)
    loader.stage(1, records, "a")
    loader.finish()
    return db


def test_best_record_wins_and_unknown_fields_are_filled_from_others():
    best = tweet(text="best text", in_reply_to_screen_name="amy")
    other = tweet(text="other text", in_reply_to_id=99, favorite_count=5, input_file="b.md")
    row = load(best, other)["tweets"].get(1)
    assert (row["text"], row["in_reply_to_id"], row["in_reply_to_screen_name"]) == (
        "best text",
        99,
        "amy",
    )
    assert (row["favorite_count"], row["input_file"], row["kind"]) == (5, "a.md", "reply")


def test_entity_lists_come_whole_from_one_record():
    best = tweet(hashtags=[], mentions=[Mention("amy")])
    other = tweet(
        hashtags=[Hashtag("tag")], mentions=[Mention("bob"), Mention("carol")], input_line=2
    )
    db = load(best, other)
    mentioned = db.execute(
        "select screen_name from mentions join users on users.id = user_id order by position"
    ).fetchall()
    assert mentioned == [("amy",)]
    assert db.execute("select tag from hashtags").fetchall() == [("tag",)]


def test_entities_of_another_record_are_placed_in_the_stored_text():
    # The best record (an export) lists no links and no tags; the other (Markdown, the
    # reply's names put back in front) does: its rows are kept, at their places in the
    # stored text, and one the stored text doesn't hold keeps no offsets.
    best = tweet(text="hi see example.com/x #Tag", mentions=[])
    other = tweet(
        text="@amy hi see example.com/x #Tag https://gone.example/",
        mentions=[Mention("amy", None, None, 0, 4)],
        hashtags=[Hashtag("Tag", 26, 30)],
        urls=[Link("example.com/x", 12, 25), Link("https://gone.example/", 31, 52)],
        input_line=2,
    )
    db = load(best, other)
    assert db.execute("select tag, start, end from hashtags").fetchall() == [("Tag", 21, 25)]
    assert db.execute("select url, start, end from urls order by position").fetchall() == [
        ("example.com/x", 7, 20),
        ("https://gone.example/", None, None),
    ]
    assert db.execute("select start, end from mentions").fetchall() == [(None, None)]


def test_media_list_with_most_present_files_wins():
    absent = [MediaRef(type="photo", path=None, filename="1-a.jpg")]
    present = [MediaRef(type="photo", path="media/1-a.jpg", filename="1-a.jpg")]
    db = load(tweet(media=absent), tweet(media=present, input_line=2))
    assert db.execute("select path, filename from media").fetchall() == [
        ("media/1-a.jpg", "1-a.jpg")
    ]
    assert db["tweets"].get(1)["media_count"] == 1


def test_synthetic_ids_are_stable_negative_and_case_insensitive():
    assert synthetic_user_id("Ezyang") == synthetic_user_id("ezyang")
    assert synthetic_user_id("ezyang") < 0
    assert synthetic_user_id("ezyang") != synthetic_user_id("ezyang2")
    assert synthetic_user_id("ezyang") == -4973081649136987377


def test_user_directory_prefers_real_ids_for_a_screen_name():
    users = UserDirectory()
    users.add(UserRef("Amy"))
    users.add(UserRef("amy", id=42, name="Amy A."))
    users.add(UserRef("bob"))
    assert users.id_for("AMY") == 42
    assert users.id_for("bob") == synthetic_user_id("bob")
    assert users.rows({"bob"}) == [
        {"id": synthetic_user_id("bob"), "screen_name": "bob", "name": None, "is_owner": 1},
        {"id": 42, "screen_name": "amy", "name": "Amy A.", "is_owner": 0},
    ]


@pytest.mark.parametrize(
    "a, b",
    [
        ("same text", "same text"),
        ("spaces  and\nlines", "spaces and lines "),
        ("fish &amp; chips &lt;3", "fish & chips <3"),
        ("read https://t.co/abc123 now", "read https://example.com/a/long/path now"),
        ("photo https://t.co/xyz", "photo"),
        ("see https://twitter.com/amy/status/12", "see https://t.co/q"),
        ("📢https://t.co/abc v1.2", "📢http://Docsify-This.net v1.2"),
        ("@amy @bob thanks!", "thanks!"),
        ("@amy thanks!", "@amy @bob thanks!"),
        (
            "RT @amy: a long retweet that was cut…",
            "RT @amy: a long retweet that was cut short here",
        ),
        ("a long post cut... https://t.co/more", "a long post cut short, in full"),
        ("a long post https://t.co/ab…", "a long post with more text"),
        ("caf\u00e9", "cafe\u0301"),
    ],
)
def test_faithful_copies_of_one_tweet_are_the_same_text(a, b):
    assert same_text(a, b) and same_text(b, a)


@pytest.mark.parametrize(
    "a, b",
    [
        ("hello world", "goodbye world"),
        ("hello", "hello world"),  # a prefix, but not marked as cut
        ("@amy thanks!", "@amy thanks a lot!"),
        ("RT @amy: one thing…", "RT @amy: another thing entirely"),
        ("", "something"),
    ],
)
def test_different_tweets_under_one_id_are_not_the_same_text(a, b):
    assert not same_text(a, b) and not same_text(b, a)


def test_text_conflicts_are_the_records_not_telling_the_best_ones_tweet():
    records = [
        tweet(text="kept https://t.co/a"),
        tweet(text="kept https://example.com", input_line=2),
        tweet(text="something else", input_line=3),
        tweet(text="@owner kept", input_line=4),
    ]
    db = load(*records)
    assert db.execute("select file, line, reason, raw from etl_problems").fetchall() == [
        (
            "a.md",
            3,
            "tweet 1: text differs from the one kept, from a (a.md:1)",
            "something else",
        )
    ]
    assert db["tweets"].get(1)["text"] == "kept https://t.co/a"
