"""The build's last lines of defence: whatever the readers produce, nothing crashes."""

import sqlite_utils

from etl.load import Loader
from etl.records import Like, MediaRef, SourceInfo, Tweet, UserRef

BIG = 2**63


def tweet(id, **fields):
    base = dict(
        id=id,
        created_at="2020-01-01T00:00:00+00:00",
        text=f"tweet {id}",
        author=UserRef("owner"),
        url=f"https://twitter.com/owner/status/{id}",
        input_file="tweets.md",
        input_line=id % 1000,
    )
    return Tweet(**{**base, **fields})


def load(*items):
    db = sqlite_utils.Database(memory=True)
    loader = Loader(db)
    loader.stage(1, items)
    loader.add_source(1, SourceInfo("src", "src", "markdown", "1", owner="owner", owner_id=BIG))
    loader.finish()
    return db


def test_ids_sqlite_cannot_store_are_problems_or_unknown():
    db = load(
        tweet(BIG, input_line=3),
        tweet(0, input_line=4),
        tweet(
            5,
            in_reply_to_id=BIG,
            in_reply_to_screen_name="amy",
            in_reply_to_user_id=2**64,
            quoted_id=-1,
            retweeted_id=10**30,
            edit_initial_id=BIG,
            favorite_count=BIG,
            author=UserRef("owner", BIG),
            mentions=[UserRef("bob", 2**70)],
            media=[MediaRef("photo", None, "a.jpg", bytes=BIG, width=BIG, height=2)],
        ),
        Like(BIG, "liked", None, "like.js"),
        Like(7, "liked too", None, "like.js"),
    )
    assert list(db.query("select file, line, reason, raw from etl_problems")) == [
        {
            "file": "tweets.md",
            "line": 3,
            "reason": f"tweet id {BIG} is outside 1 to 2^63-1",
            "raw": f"tweet {BIG}",
        },
        {
            "file": "tweets.md",
            "line": 4,
            "reason": "tweet id 0 is outside 1 to 2^63-1",
            "raw": "tweet 0",
        },
        {
            "file": "like.js",
            "line": 0,
            "reason": f"liked tweet id {BIG} is outside 1 to 2^63-1",
            "raw": "liked",
        },
    ]
    row = db.execute(
        "select id, in_reply_to_id, quoted_id, retweeted_id, edit_initial_id, favorite_count "
        "from tweets"
    ).fetchall()
    assert row == [(5, None, None, None, None, None)]
    assert [r["screen_name"] for r in db["users"].rows if r["id"] > 0] == []
    assert db.execute("select bytes, width, height from media").fetchall() == [(None, None, 2)]
    assert db.execute("select tweet_id from likes").fetchall() == [(7,)]
