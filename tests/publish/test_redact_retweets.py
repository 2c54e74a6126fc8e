"""Redacting a tweet hides the owner's retweets of it, and redacting a retweet hides the tweet
it retweets, also where the export doesn't link the two (2019+ exports have no
retweeted_status): by the retweet's text, its status links and its retweeted photos."""

import pytest
import sqlite_utils

from etl.readers.tweetjson import Context, convert
from etl.records import UserRef
from etl.redact import Privacy, Redactions, publishable_copy
from etl.retweets import RetweetIndex, status_id
from etl.sources import FolderTree
from tests.corpus import FIRST_ID, OWNER, export, tweet
from tests.helpers.build import build_shared_archive, run_build

LONG = (
    "A long tweet of the owner's, which the retweet cuts short with an ellipsis because "
    "the retweet adds its RT @name: in front, and 140 characters are soon spent"
)
ELSEWHERE = 1134300000000000000  # tweets of another account the archive doesn't hold


def links(*urls: str) -> dict:
    return {"hashtags": [], "symbols": [], "user_mentions": [], "urls": urls}


def link(url: str) -> dict:
    return {"url": "https://t.co/x", "expanded_url": url}


def their_photo(status: str) -> dict:
    item = {
        "type": "photo",
        "media_url_https": "https://pbs.twimg.com/media/theirs.jpg",
        "url": "https://t.co/p",
        "expanded_url": f"{status}/photo/1",
    }
    return {"media": [item]}


TWEETS = [
    tweet(0, LONG),
    tweet(1, f"RT @{OWNER}: {LONG[:100]}…"),
    tweet(2, "lunch"),
    tweet(3, f"RT @{OWNER}: lunch"),
    tweet(4, "lunch"),  # newer than the retweet: not what it retweets
    tweet(5, f"RT @someone_else: {LONG[:100]}…"),  # the same words, another account's
    tweet(
        6,
        "RT @someone_else: look https://t.co/x",
        entities=links(link(f"https://x.com/someone_else/status/{ELSEWHERE + 1}")),
    ),
    tweet(
        7,
        "RT @someone_else: look https://t.co/x",
        entities=links(link(f"https://twitter.com/i/web/status/{ELSEWHERE + 2}")),
    ),
    tweet(
        8,
        "RT @someone_else: my photo https://t.co/p",
        extended_entities=their_photo(f"https://twitter.com/someone_else/status/{ELSEWHERE + 3}"),
    ),
]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = export(tmp_path_factory.mktemp("export"), TWEETS)
    db_path = tmp_path_factory.mktemp("db") / "archive.db"
    result = run_build(db_path, root)
    assert result.exit_code == 0, result.output
    return db_path


def test_only_a_retweeted_photo_names_the_original_in_a_2019_export(built):
    db = sqlite_utils.Database(built)
    assert db.execute(
        "select id - ?, retweeted_id - ? from tweets where is_retweet order by id",
        [FIRST_ID, ELSEWHERE],
    ).fetchall() == [(1, None), (3, None), (5, None), (6, None), (7, None), (8, 3)]


@pytest.mark.parametrize(
    "redacted, hidden",
    [
        ([FIRST_ID], [0, 1]),  # the original takes its retweet, cut short with "…"
        ([FIRST_ID + 1], [0, 1]),  # and the other way round
        ([FIRST_ID + 2], [2, 3]),
        ([FIRST_ID + 3], [2, 3]),
        ([FIRST_ID + 4], [4]),
        ([FIRST_ID + 5], [5]),
        ([ELSEWHERE + 1], [6]),  # a tweet the archive doesn't hold, by a status link
        ([ELSEWHERE + 2], [7]),
        ([ELSEWHERE + 3], [8]),  # by the retweeted photo's link to its tweet
        ([], []),
    ],
)
def test_redacting_a_tweet_or_a_retweet_hides_the_other(built, tmp_path, redacted, hidden):
    out = tmp_path / "public.db"
    publishable_copy(built, out, Redactions(tweets=redacted), Privacy())
    kept = [
        r[0] for r in sqlite_utils.Database(out).execute("select id - ? from tweets", [FIRST_ID])
    ]
    assert sorted(set(range(len(TWEETS))) - set(kept)) == hidden


def test_a_retweeted_photo_names_the_retweeted_tweet(tmp_path):
    raw = tweet(8, "RT @Someone_Else: my photo https://t.co/p")
    ctx = Context(tree=FolderTree(tmp_path), owner=UserRef(OWNER, 1))
    for status, expected in [
        (f"https://twitter.com/someone_else/status/{ELSEWHERE}", ELSEWHERE),
        # a photo another account posted first names that account's tweet, not the original
        (f"https://twitter.com/third/status/{ELSEWHERE}", None),
    ]:
        converted = convert({**raw, "extended_entities": their_photo(status)}, ctx, "t.js", 1)
        assert (converted.is_retweet, converted.retweeted_id) == (True, expected)


@pytest.mark.parametrize(
    "url, expected",
    [
        ("https://twitter.com/amy/status/123", 123),
        ("https://x.com/amy/status/123?s=20", 123),
        ("http://mobile.twitter.com/amy/statuses/123/photo/1", 123),
        ("https://twitter.com/i/web/status/123", 123),
        ("https://twitter.com/amy/status/123456789012345678901", None),  # not a 64-bit id
        ("https://example.com/amy/status/123", None),
        ("https://x.com/i/broadcasts/1djGXrwWVejxZ", None),
        (None, None),
    ],
)
def test_status_id(url, expected):
    assert status_id(url) == expected


@pytest.mark.parametrize(
    "retweet, original, expected",
    [
        ("RT @amy: Hello world", "Hello world", [2]),
        ("RT @AMY: Hello   world", "Hello\nworld", [2]),
        ("RT @amy: Hello wo…", "Hello world, and more", [2]),
        ("RT @amy: Hello &amp; goodbye", "Hello & goodbye", [2]),
        ("RT @amy: see https://t.co/abc…", "see https://example.com/page and more", [2]),
        ("RT @amy: Hello world", "Hello world, and more", []),  # not cut: not the same
        ("RT @bob: Hello world", "Hello world", []),  # another account's
        ("RT @amy: https://t.co/abc", "https://example.com/", []),  # a link alone tells nothing
        ("Hello world", "Hello world", []),  # not a retweet
    ],
)
def test_retweet_index_matches_by_account_and_text(retweet, original, expected):
    index = RetweetIndex([(2, "amy", retweet)])
    assert index.retweets_of(1, "Amy", original) == expected
    assert index.retweets_of(3, "Amy", original) == []  # a retweet is newer than its original


def hidden_by(db_path, tmp_path, redacted) -> list[int]:
    out = tmp_path / "public.db"
    publishable_copy(db_path, out, Redactions(tweets=redacted), Privacy())
    before = {r[0] for r in sqlite_utils.Database(db_path).execute("select id from tweets")}
    after = {r[0] for r in sqlite_utils.Database(out).execute("select id from tweets")}
    return sorted(before - after)


@pytest.mark.integration
def test_alrocar_retweets_are_matched_where_the_export_holds_their_original(tmp_path):
    db_path = build_shared_archive(tmp_path, "alrocar__x")
    db = sqlite_utils.Database(db_path)
    retweets = dict(db.execute("select id, retweeted_id from tweets where is_retweet"))
    # 12 retweets of other accounts; the archive holds none of their originals, and only one
    # names it: the retweeted photo links to @Ghost's tweet (the others have no photo, and no
    # link to a tweet: their links are two broadcasts and a changelog)
    assert len(retweets) == 12
    assert {i: r for i, r in retweets.items() if r} == {1836838704847147279: 1836827009990938906}
    assert hidden_by(db_path, tmp_path, [1836827009990938906]) == [1836838704847147279]
    # no tweet of the owner is mistaken for the original of a retweet, nor the other way round
    own = [r[0] for r in db.execute("select id from tweets where not is_retweet")]
    assert hidden_by(db_path, tmp_path, own) == sorted(own)
    assert hidden_by(db_path, tmp_path, list(retweets)) == sorted(retweets)


# dsajgiouawj's own tweets and their retweets by the owner: only the text ties them together.
SELF_RETWEETS = {
    979190185270263808: 1111245142868922368,
    984220167176515584: 1116528986513743872,
    1074613652735504385: 1074944873084534784,  # cut short with "…"
    1118536687368282112: 1118669330445524992,
}


@pytest.mark.integration
def test_dsajgiouawj_self_retweets_are_matched_in_both_directions(tmp_path):
    db_path = build_shared_archive(tmp_path, "dsajgiouawj__TweetArchive")
    db = sqlite_utils.Database(db_path)
    assert db.execute(
        "select count(*), count(retweeted_id) from tweets where is_retweet"
    ).fetchone() == (29, 5)
    for original, retweet in SELF_RETWEETS.items():
        assert hidden_by(db_path, tmp_path, [original]) == [original, retweet]
        assert hidden_by(db_path, tmp_path, [retweet]) == [original, retweet]
    linked = [r[0] for r in db.execute("select retweeted_id from tweets where retweeted_id")]
    assert hidden_by(db_path, tmp_path, linked) == sorted(
        r[0] for r in db.execute("select id from tweets where retweeted_id")
    )
