"""The official-export readers on the invented exports of tests/fixtures/official/."""

import pytest
import sqlite_utils

from tests.helpers.build import run_build
from tests.helpers.paths import FIXTURES

OFFICIAL = FIXTURES / "official"
ALL_PRIVATE = ["--include-deleted", "--include-circle", "--include-likes"]


@pytest.fixture(scope="module")
def build(tmp_path_factory):
    built = {}

    def build(*names, args=()):
        key = (names, tuple(args))
        if key not in built:
            path = tmp_path_factory.mktemp("official") / "archive.db"
            result = run_build(path, *(OFFICIAL / n for n in names), args=args)
            assert result.exit_code == 0, result.output
            built[key] = (sqlite_utils.Database(path), result.output)
        return built[key]

    return build


def row(db, tweet_id, columns):
    return db.execute(f"select {columns} from tweets where id = ?", [tweet_id]).fetchone()


def test_modern_export_reads_both_tweet_files_and_side_files(build):
    db, _ = build("modern", args=ALL_PRIVATE)
    assert db["tweets"].count == 20  # 18 in tweets*.js + 1 deleted + 1 community
    assert db["sources"].get(1)["exported_at"] == "2024-05-20T09:14:05+00:00"
    assert list(db.query("select id, screen_name, name, is_owner from users where is_owner")) == [
        {
            "id": 1113018231813046314,
            "screen_name": "fixture_owner",
            "name": "Fixture Owner",
            "is_owner": 1,
        }
    ]


def test_geo_axes_and_place_centre(build):
    db, _ = build("modern")
    assert row(db, 1540631203873292599, "latitude, longitude, place_name, place_country") == (
        35.6586,
        139.7454,
        "Minato-ku, Tokyo",
        "Japan",
    )
    lat, lon, name = row(db, 1555768860844490809, "latitude, longitude, place_name")
    assert (round(lat, 1), round(lon, 1), name) == (-33.8, 150.9, "Sydney, New South Wales")


def test_media_from_extended_entities_matched_to_local_files(build):
    db, _ = build("modern")
    media = list(
        db.query(
            "select tweet_id, position, type, path, mime_type, width, height from media "
            "where tweet_id in (1388912461402341411, 1571534696972551046, 1586811465455632402) "
            "order by tweet_id, position"
        )
    )
    assert media == [
        {
            "tweet_id": 1388912461402341411,
            "position": 0,
            "type": "photo",
            "path": "data/tweets_media/1388912461402341411-E0ZognYAAGQAlA4.jpg",
            "mime_type": "image/jpeg",
            "width": 24,
            "height": 16,
        },
        {
            "tweet_id": 1388912461402341411,
            "position": 1,
            "type": "photo",
            "path": "data/tweets_media/1388912461402341411-E0ZogoNAAGUI6ei.jpg",
            "mime_type": "image/jpeg",
            "width": 24,
            "height": 16,
        },
        {
            "tweet_id": 1388912461402341411,
            "position": 2,
            "type": "photo",
            "path": "data/tweets_media/1388912461402341411-E0ZogpCAAGY3VrQ.png",
            "mime_type": "image/png",
            "width": 16,
            "height": 16,
        },
        {
            "tweet_id": 1571534696972551046,
            "position": 0,
            "type": "video",
            "path": "data/tweets_media/1571534696972551046-v0z1QCoV7Z9jlnMi.mp4",
            "mime_type": "video/mp4",
            "width": None,
            "height": None,
        },
        {
            "tweet_id": 1586811465455632402,
            "position": 0,
            "type": "animated_gif",
            "path": None,
            "mime_type": None,
            "width": None,
            "height": None,
        },
    ]
    assert row(db, 1388912461402341411, "text") == (
        "Three tiny sketches from the weekend: sea, hills, sun",
    )


def test_alt_text_is_kept_per_media_item(build):
    """`ext_alt_text` of extended_entities.media[]: stored as written (markup and all, the site
    escapes it), on its own item only; items without one have null."""
    db, _ = build("modern")
    assert list(
        db.execute(
            "select position, alt_text from media where tweet_id = 1388912461402341411 "
            "order by position"
        )
    ) == [
        (0, "Pencil sketch of waves breaking on a pier <b>at dusk</b> & gulls"),
        (1, None),
        (2, None),
    ]
    assert db.execute("select count(*) from media where alt_text is not null").fetchone() == (1,)


@pytest.mark.parametrize(
    "value, stored",
    [
        ("  A cat on a mat \n", "A cat on a mat"),
        ("", None),
        ("   ", None),
        (None, None),
        (42, None),
        (["a list"], None),
        ("x" * 6000, "x" * 5000),
    ],
)
def test_alt_text_values(value, stored):
    from etl.readers.tweetjson import alt_text

    item = {} if value is None else {"ext_alt_text": value}
    assert alt_text(item) == stored


def test_reply_retweet_quote_and_entities_from_the_export(build):
    db, _ = build("modern")
    assert row(db, 1594609823264014480, "kind, in_reply_to_id, in_reply_to_screen_name") == (
        "reply",
        1594601926106808325,
        "fx_bob",
    )
    mentioned = db.execute(
        "select users.screen_name, users.name, users.id > 0 from mentions "
        "join users on users.id = mentions.user_id where tweet_id = 1594609823264014480 "
        "order by position"
    ).fetchall()
    assert [m[0] for m in mentioned] == ["fx_bob", "fx_alice"]
    assert all(m[2] for m in mentioned)  # real ids from the export, not synthetic ones
    assert row(db, 1599007412923138125, "kind, retweeted_screen_name") == ("retweet", "fx_carol")
    assert row(db, 1616435927289168102, "kind, quoted_id") == ("quote", 1616196322149269513)
    assert db.execute(
        "select tag from hashtags where tweet_id = 1369199870623088731 order by position"
    ).fetchall() == [("sqlite",), ("til",)]
    assert row(db, 1383397351405650180, "text")[0].startswith("Fish & chips on the pier.")


def test_long_posts_matched_by_second_and_text(build):
    db, output = build("modern")
    notes = dict(
        db.execute(
            "select id, note_tweet_id from tweets where note_tweet_id is not null"
        ).fetchall()
    )
    assert notes == {
        1667962514735890932: 1667962514639421440,
        1675448113013195452: 1675448112883171328,  # same second as the next: told apart by text
        1675448114774802444: 1675448114703499264,
        1696901698598993997: 1696901698489942016,
        1702227899140014468: 1702227898980630528,
    }
    reply_text = row(db, 1702227899140014468, "text")[0]
    assert reply_text.startswith("@fx_alice Good question!") and "…" not in reply_text
    assert "…" not in row(db, 1667962514735890932, "text")[0]
    problems = list(db.query("select file, line, reason from etl_problems"))
    assert problems == [
        {
            "file": "data/note-tweet.js",
            "line": 6,
            "reason": "long post 1715838405419466752 (created 2023-10-21T21:12:09+00:00) "
            "matches no tweet",
        }
    ]


def test_edits_link_versions_and_mark_the_latest(build):
    db, _ = build("modern")
    versions = db.execute(
        "select id, edit_initial_id, is_latest_version, favorite_count from tweets "
        "where edit_initial_id is not null order by id"
    ).fetchall()
    assert versions == [
        (1632305247407833149, 1632305247407833149, 0, 0),
        (1632306373444239379, 1632305247407833149, 1, 9),
    ]


def test_private_items_are_left_out_by_default_and_counted(build):
    db, output = build("modern")
    assert db["tweets"].count == 18
    assert row(db, 1625535350027845705, "id") is None  # deleted
    assert row(db, 1659998107003256837, "id") is None  # Circle, although it is in tweets.js too
    assert db["likes"].count == 0
    assert db["sources"].get(1)["skipped_deleted"] == 1
    assert db["sources"].get(1)["skipped_circle"] == 1
    assert db["sources"].get(1)["skipped_likes"] == 3
    assert "left out           1 circle (private; --include-circle imports them)" in output
    assert row(db, 1688882924272746636, "community_id") == (1597998892446646273,)


def test_private_items_are_flagged_when_asked_for(build):
    db, _ = build("modern", args=ALL_PRIVATE)
    assert row(db, 1625535350027845705, "is_deleted, deleted_at, is_circle") == (
        1,
        "2023-02-14T17:05:20+00:00",
        0,
    )
    assert row(db, 1659998107003256837, "is_deleted, is_circle") == (0, 1)
    assert list(db.query("select * from likes order by tweet_id")) == [
        {
            "tweet_id": 1520429068846104597,
            "text": "https://t.co/4fTnsRVRVZ",
            "url": "https://twitter.com/i/web/status/1520429068846104597",
            "liked_tweet_created_at": "2022-04-30T15:45:12+00:00",
        },
        {
            "tweet_id": 1616196322149269513,
            "text": "Snowflake ids in one picture: 41 bits of milliseconds, 10 bits of machine,"
            " 12 bits of sequence. That's why you can read the date off any tweet id"
            " https://t.co/usWegDPvW6",
            "url": "https://twitter.com/i/web/status/1616196322149269513",
            "liked_tweet_created_at": "2023-01-19T22:10:05+00:00",
        },
        {
            "tweet_id": 1702220649382019076,
            "text": "@fixture_owner Does the archive include the tweets I liked, or only mine?",
            "url": "https://twitter.com/i/web/status/1702220649382019076",
            "liked_tweet_created_at": "2023-09-14T07:20:03+00:00",
        },
    ]


def test_private_files_and_email_never_reach_the_database(build):
    db, _ = build("modern", args=ALL_PRIVATE)
    dump = "\n".join(db.conn.iterdump())
    assert "PRIVATE-MARKER-DO-NOT-IMPORT" not in dump
    assert "example.invalid" not in dump


def test_a_zip_builds_like_its_folder(build):
    folder, _ = build("modern", args=ALL_PRIVATE)
    zipped, _ = build("zipped", args=ALL_PRIVATE)
    for table in ("tweets", "media", "mentions", "hashtags", "urls", "likes"):
        assert list(zipped[table].rows) == list(folder[table].rows), table


def test_legacy_grailbird_export(build):
    db, _ = build("legacy")
    assert db["tweets"].count == 7
    assert row(db, 178385241885376524, "latitude, longitude") == (-33.8568, 151.2153)
    assert row(db, 405247694727020559, "created_at") == ("2013-11-26T08:12:34+00:00",)
    # filed under November in the owner's time zone, October in UTC
    assert row(db, 396026291863683078, "created_at, input_file")[1] == "data/js/tweets/2013_11.js"
    assert row(db, 396026291863683078, "created_at")[0].startswith("2013-10-")
    text, name, retweeted_id = row(
        db, 181296404864434203, "text, retweeted_screen_name, retweeted_id"
    )
    assert text.startswith(f"RT @{name}: ") and "…" not in text and retweeted_id is not None
    assert db.execute("select count(*) from etl_problems").fetchone()[0] == 0


def test_quirks_object_literals_no_account_and_both_tweet_files(build):
    db, _ = build("quirks", args=["--include-deleted"])
    assert db["tweets"].count == 5
    assert db.execute("select screen_name from users where is_owner").fetchall() == [
        ("quirky_owner",)
    ]
    assert "{a: 1,}" in row(db, 1522202757954535737, "text")[0]
    assert row(db, 1272636432472604680, "is_deleted") == (1,)
    assert db.execute(
        "select count(*) from tweet_sources where tweet_id = 1359583447504388123"
    ).fetchone() == (2,)


def test_newer_export_wins_and_older_only_tweets_are_marked(build):
    db, _ = build("older", "modern")
    assert row(db, 1369199870623088731, "favorite_count") == (7,)
    assert row(db, 1369199870623088731, "text")[0].endswith("Game changer for messy exports #til")
    assert row(db, 1332611050637361218, "missing_from_newest_export") == (1,)
    assert row(db, 1388912461402341411, "missing_from_newest_export") == (0,)
    sources = db.execute(
        "select s.name from tweet_sources ts join sources s on s.id = ts.source_id "
        "where tweet_id = 1388912461402341411 order by s.name"
    ).fetchall()
    assert sources == [("modern",), ("older",)]
    # the same result whatever order the exports are given in
    db2, _ = build("modern", "older")
    assert row(db2, 1369199870623088731, "favorite_count, text") == row(
        db, 1369199870623088731, "favorite_count, text"
    )


def test_export_and_markdown_made_from_it_merge(build, tmp_path):
    folder = tmp_path / "md"
    folder.mkdir()
    (folder / "tweets_2021-03.md").write_text(
        "Markdown text that the export overrides\n\n(Originally on Twitter: [Wed Mar 10 "
        "08:32:20 +0000 2021](https://twitter.com/fixture_owner/status/1369199870623088731))"
        "\n\n----\n\n"
    )
    db_path = tmp_path / "merged.db"
    assert run_build(db_path, folder, OFFICIAL / "modern").exit_code == 0
    db = sqlite_utils.Database(db_path)
    assert db["tweets"].count == 18
    assert "#sqlite" in row(db, 1369199870623088731, "text")[0]
    assert db.execute(
        "select count(*) from tweet_sources where tweet_id = 1369199870623088731"
    ).fetchone() == (2,)
