"""Summary tables built at the end of every build (etl/summaries.py)."""

import pytest
import sqlite_utils

from etl import schema
from etl.emoji import find_emoji
from etl.summaries import SUMMARY_TABLES, create_summaries
from tests.helpers.build import run_build
from tests.helpers.paths import FIXTURES, IDS

# The two versions of tests/fixtures/official/modern's edited tweet (its README).
EDITED = (1632305247407833149, 1632306373444239379)


def rows(db, sql):
    return [dict(row) for row in db.query(sql)]


def test_archive_totals(site_db):
    db = sqlite_utils.Database(site_db)
    assert rows(db, "select * from archive_totals") == [
        {
            "owner_screen_names": "site_owner",
            "owner_name": "Site Owner",
            "first_tweet_at": "2020-05-01T17:00:00+00:00",
            "last_tweet_at": "2022-06-05T12:00:00+00:00",
            "tweets": 24,
            "original_tweets": 16,
            "replies": 5,
            "retweets": 1,
            "quotes": 2,
            "tweets_with_media": 5,
            "media": 5,
            "media_files": 4,
            "geotagged": 3,
            "places": 3,
            "accounts": 2,
            "hashtags": 4,
            "links": 5,
            "months": 5,
            "time_zone": None,
        }
    ]


def test_tweets_per_month_and_hour(site_db):
    db = sqlite_utils.Database(site_db)
    assert rows(db, "select * from tweets_per_month") == [
        {
            "month": "2020-05",
            "tweets": 4,
            "replies": 0,
            "retweets": 0,
            "quotes": 0,
            "with_media": 0,
        },
        {
            "month": "2021-03",
            "tweets": 13,
            "replies": 1,
            "retweets": 1,
            "quotes": 2,
            "with_media": 4,
        },
        {
            "month": "2021-04",
            "tweets": 5,
            "replies": 4,
            "retweets": 0,
            "quotes": 0,
            "with_media": 1,
        },
        {
            "month": "2021-06",
            "tweets": 1,
            "replies": 0,
            "retweets": 0,
            "quotes": 0,
            "with_media": 0,
        },
        {
            "month": "2022-06",
            "tweets": 1,
            "replies": 0,
            "retweets": 0,
            "quotes": 0,
            "with_media": 0,
        },
    ]
    hours = rows(db, "select * from tweets_per_hour")
    assert sum(h["tweets"] for h in hours) == 24
    # 2021-04-01 was a Thursday: the thread's three tweets at 10:00, 10:01 and 10:02 UTC.
    assert {"weekday": 4, "day": "Thu", "hour": 10, "tweets": 3} in hours
    assert {(h["weekday"], h["day"]) for h in hours} <= {
        (1, "Mon"),
        (2, "Tue"),
        (3, "Wed"),
        (4, "Thu"),
        (5, "Fri"),
        (6, "Sat"),
        (7, "Sun"),
    }


def test_facet_counts(site_db):
    db = sqlite_utils.Database(site_db)
    counts = rows(db, "select facet, value, tweets from facet_counts order by facet, value")
    assert [c for c in counts if c["facet"] in ("kind", "has_media", "year")] == [
        {"facet": "has_media", "value": "0", "tweets": 19},
        {"facet": "has_media", "value": "1", "tweets": 5},
        {"facet": "kind", "value": "quote", "tweets": 2},
        {"facet": "kind", "value": "reply", "tweets": 5},
        {"facet": "kind", "value": "retweet", "tweets": 1},
        {"facet": "kind", "value": "tweet", "tweets": 16},
        {"facet": "year", "value": "2020", "tweets": 4},
        {"facet": "year", "value": "2021", "tweets": 19},
        {"facet": "year", "value": "2022", "tweets": 1},
    ]
    for facet in ("kind", "year", "month", "has_media"):
        assert sum(c["tweets"] for c in counts if c["facet"] == facet) == 24


def test_self_threads(site_db):
    db = sqlite_utils.Database(site_db)
    assert rows(db, "select * from self_threads") == [
        {
            "root_id": IDS["t1"],
            "tweets": 4,
            "first_at": "2021-04-01T10:00:00+00:00",
            "last_at": "2021-04-01T11:00:00+00:00",
        }
    ]


def test_summaries_of_an_empty_archive_and_rebuilding_them():
    db = sqlite_utils.Database(memory=True)
    schema.create_tables(db)
    create_summaries(db)
    create_summaries(db)
    assert [t for t in db.table_names() if t in SUMMARY_TABLES] == list(SUMMARY_TABLES)
    totals = rows(db, "select tweets, replies, first_tweet_at, months from archive_totals")
    assert totals == [{"tweets": 0, "replies": 0, "first_tweet_at": None, "months": 0}]
    assert rows(db, "select * from self_threads") == []


def test_reply_cycles_do_not_loop():
    db = sqlite_utils.Database(memory=True)
    schema.create_tables(db)
    db["users"].insert({"id": 1, "screen_name": "owner", "is_owner": 1})
    for tweet_id, parent in [(10, 11), (11, 10), (12, None), (13, 12), (14, 13), (15, 13)]:
        db["tweets"].insert(
            {
                "id": tweet_id,
                "created_at": f"2020-01-01T00:00:{tweet_id}+00:00",
                "kind": "reply" if parent else "tweet",
                "text": "x",
                "user_id": 1,
                "is_retweet": 0,
                "is_latest_version": 1,
                "in_reply_to_id": parent,
            }
        )
    create_summaries(db)
    assert rows(db, "select root_id, tweets from self_threads") == [{"root_id": 12, "tweets": 4}]


def test_facet_cube_adds_up_to_the_facet_counts(site_db):
    db = sqlite_utils.Database(site_db)
    cube = rows(
        db,
        "select kind as value, sum(tweets) as tweets from facet_cube group by kind order by kind",
    )
    assert cube == rows(
        db, "select value, tweets from facet_counts where facet = 'kind' order by value"
    )
    assert db.execute("select sum(tweets) from facet_cube").fetchone()[0] == 24


@pytest.fixture(scope="module")
def edited_db(tmp_path_factory):
    """An official export with an edited tweet: two versions, one of them the latest."""
    db_path = tmp_path_factory.mktemp("edited") / "archive.db"
    result = run_build(db_path, FIXTURES / "official" / "modern")
    assert result.exit_code == 0, result.output
    return sqlite_utils.Database(db_path)


def test_an_edited_tweet_is_counted_once(edited_db):
    db = edited_db
    versions = rows(db, f"select id, is_latest_version from tweets where id in {EDITED}")
    assert sorted(v["is_latest_version"] for v in versions) == [0, 1]
    latest = db.execute("select count(*) from tweets where is_latest_version = 1").fetchone()[0]
    assert db.execute("select count(*) from tweets").fetchone()[0] == latest + 1
    assert rows(db, "select tweets, original_tweets from archive_totals") == [
        {"tweets": latest, "original_tweets": latest - 5}
    ]
    # Both versions were written in March 2023.
    assert rows(db, "select tweets from tweets_per_month where month = '2023-03'") == [
        {"tweets": 1}
    ]
    for table in ("tweets_per_month", "tweets_per_hour", "tweets_per_day"):
        assert db.execute(f"select sum(tweets) from {table}").fetchone()[0] == latest
    assert rows(db, "select tweets from tweets_per_day where day = '2023-03-05'") == [{"tweets": 1}]
    # The tweets table lists every version, and its facets count what it lists.
    kinds = db.execute("select sum(tweets) from facet_counts where facet = 'kind'").fetchone()
    assert kinds[0] == latest + 1


def test_the_stats_pages_tables(site_db):
    db = sqlite_utils.Database(site_db)
    assert rows(db, "select screen_name, replies, first, last from reply_counts") == [
        {
            "screen_name": "friend_b",
            "replies": 2,
            "first": "2021-03-11T09:00:00+00:00",
            "last": "2021-04-02T09:00:00+00:00",
        }
    ]
    assert rows(db, "select screen_name, retweets from retweet_counts") == [
        {"screen_name": "friend_b", "retweets": 1}
    ]
    assert rows(db, "select * from emoji_counts") == [{"emoji": "🧵", "tweets": 1, "uses": 1}]
    days = rows(db, "select * from tweets_per_day order by tweets desc, day limit 2")
    assert days == [
        {
            "day": "2021-04-01",
            "tweets": 4,
            "replies": 3,
            "retweets": 0,
            # A UTC archive's days are UTC days: their range is from midnight to midnight.
            "starts_at": "2021-04-01T00:00:00+00:00",
            "ends_at": "2021-04-02T00:00:00+00:00",
        },
        {
            "day": "2021-03-01",
            "tweets": 2,
            "replies": 0,
            "retweets": 0,
            "starts_at": "2021-03-01T00:00:00+00:00",
            "ends_at": "2021-03-02T00:00:00+00:00",
        },
    ]
    assert db.execute("select sum(tweets) from tweets_per_day").fetchone()[0] == 24


@pytest.mark.parametrize(
    "text, found",
    [
        ("plain ASCII :) <3", []),
        ("café 東京タワー — “quoted” … → ★ ♪ © ✓", []),  # symbols drawn as text
        ("I ❤️ it, ❤ alone is text", ["❤️"]),
        ("⭐ and ⭐️ are one", ["⭐", "⭐"]),
        ("flags 🇯🇵🇫🇷", ["🇯🇵", "🇫🇷"]),
        ("keycaps 1️⃣ #⃣", ["1️⃣", "#️⃣"]),
        ("tones 👍🏽 👍", ["👍🏽", "👍"]),
        ("joined 👩‍💻 👩‍❤️‍👨 👩‍❤‍👨", ["👩‍💻", "👩‍❤️‍👨", "👩‍❤️‍👨"]),
        ("ferry ⛴️ thread 🧵👇", ["⛴️", "🧵", "👇"]),
        ("", []),
    ],
)
def test_find_emoji(text, found):
    assert find_emoji(text) == found


def test_emoji_are_counted_in_the_owners_own_latest_words():
    db = sqlite_utils.Database(memory=True)
    schema.create_tables(db)
    db["users"].insert_all(
        [{"id": 1, "screen_name": "owner", "is_owner": 1}, {"id": 2, "screen_name": "friend"}]
    )
    tweets = [
        (10, 1, "tweet", 1, "🎉🎉 party ❤️"),
        (11, 1, "reply", 1, "🎉 again"),
        (12, 1, "retweet", 1, "RT @friend: 🐍"),  # someone else's words
        (13, 2, "tweet", 1, "🦀 from a friend"),
        (14, 1, "tweet", 0, "🐛 before the edit"),  # a superseded version
        (15, 1, "tweet", 1, "no emoji — “none”…"),
    ]
    db["tweets"].insert_all(
        {
            "id": tweet_id,
            "created_at": "2020-01-01T00:00:00+00:00",
            "user_id": user,
            "kind": kind,
            "is_retweet": int(kind == "retweet"),
            "is_latest_version": latest,
            "text": text,
        }
        for tweet_id, user, kind, latest, text in tweets
    )
    create_summaries(db)
    assert rows(db, "select * from emoji_counts order by tweets desc, emoji") == [
        {"emoji": "🎉", "tweets": 2, "uses": 3},
        {"emoji": "❤️", "tweets": 1, "uses": 1},
    ]


def test_a_superseded_versions_media_links_tags_and_mentions_are_not_counted():
    db = sqlite_utils.Database(memory=True)
    schema.create_tables(db)
    db["users"].insert_all(
        [
            {"id": 1, "screen_name": "owner", "is_owner": 1},
            {"id": 2, "screen_name": "friend", "is_owner": 0},
        ]
    )
    for tweet_id, latest in [(10, 0), (11, 1)]:  # two versions of one edited tweet
        db["tweets"].insert(
            {
                "id": tweet_id,
                "created_at": f"2023-03-05T09:0{tweet_id - 10}:00+00:00",
                "user_id": 1,
                "kind": "tweet",
                "is_retweet": 0,
                "is_latest_version": latest,
                "edit_initial_id": 10,
                "text": "@friend #tag https://example.com 🎉",
                "media_count": 1,
            }
        )
        db["media"].insert({"tweet_id": tweet_id, "position": 0, "type": "photo", "path": "a"})
        db["urls"].insert({"tweet_id": tweet_id, "position": 0, "domain": "example.com"})
        db["hashtags"].insert({"tweet_id": tweet_id, "tag": f"tag{tweet_id}", "position": 0})
        db["mentions"].insert({"tweet_id": tweet_id, "user_id": 2, "position": 0})
    create_summaries(db)
    totals = "select tweets, tweets_with_media, media, media_files, hashtags, links"
    assert rows(db, f"{totals} from archive_totals") == [
        {
            "tweets": 1,
            "tweets_with_media": 1,
            "media": 1,
            "media_files": 1,
            "hashtags": 1,
            "links": 1,
        }
    ]
    assert rows(db, "select tag, tweets from hashtag_counts") == [{"tag": "tag11", "tweets": 1}]
    assert rows(db, "select domain, links from domain_counts") == [
        {"domain": "example.com", "links": 1}
    ]
    assert rows(db, "select screen_name, tweets from mention_counts") == [
        {"screen_name": "friend", "tweets": 1}
    ]
    assert rows(db, "select emoji, tweets from emoji_counts") == [{"emoji": "🎉", "tweets": 1}]
    assert rows(db, "select tweets from tweets_per_day") == [{"tweets": 1}]
