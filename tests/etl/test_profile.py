"""The owner's profile and time zone (etl/profile.py, tweet_site/zones.py): read from an
official export's profile.js, account.js, account-timezone.js and profile_media/, and from a
Grailbird export's user_details.js; the hour heatmap counted in the owner's zone."""

import json
import shutil
import zoneinfo

import pytest
import sqlite_utils

from etl.profile import text, url_segment, website
from tests.helpers.build import run_build
from tests.helpers.paths import FIXTURES
from tweet_site.zones import RAILS_ZONES, iana_zone, zone_label

PROFILE = FIXTURES / "profile" / "official"
LEGACY = FIXTURES / "official" / "legacy"
BA = "America/Argentina/Buenos_Aires"


def rows(db, sql):
    return [dict(row) for row in db.query(sql)]


def build(tmp_path, source, name="a.db"):
    db_path = tmp_path / name
    result = run_build(db_path, source)
    assert result.exit_code == 0, result.output
    return sqlite_utils.Database(db_path)


def test_an_official_exports_profile(tmp_path):
    db = build(tmp_path, PROFILE)
    assert rows(db, "select * from profile") == [
        {
            "screen_name": "tz_owner",
            "user_id": 7700770077,
            "name": "Tomo \u202eZone\u202c Owner",
            "bio": "Invented account for tests <script>alert(1)</script> & trains. "
            "More at https://example.org/about",
            "location": "Tokyo, Japan",
            "website": "https://t.co/AbCdEf1234",
            "joined_at": "2011-03-14T09:26:53+00:00",
            "time_zone": "Tokyo",
            "time_zone_iana": "Asia/Tokyo",
            "avatar_path": "data/profile_media/7700770077-AvAtAr01_400x400.png",
            "header_path": "data/profile_media/7700770077-1600000000.png",
        }
    ]
    images = rows(db, "select screen_name, kind, mime_type, extension, content from profile_images")
    media = PROFILE / "data" / "profile_media"
    assert images == [
        {
            "screen_name": "tz_owner",
            "kind": "avatar",
            "mime_type": "image/png",
            "extension": "png",
            "content": (media / "7700770077-AvAtAr01_400x400.png").read_bytes(),
        },
        {
            "screen_name": "tz_owner",
            "kind": "header",
            "mime_type": "image/png",
            "extension": "png",
            "content": (media / "7700770077-1600000000.png").read_bytes(),
        },
    ]
    assert rows(db, "select time_zone from archive_totals") == [{"time_zone": "Asia/Tokyo"}]
    assert rows(db, "select file, reason from etl_problems") == []


def test_a_legacy_exports_profile(tmp_path):
    db = build(tmp_path, LEGACY)
    assert rows(db, "select * from profile") == [
        {
            "screen_name": "fx_oldtimer",
            "user_id": 311234567,
            "name": "Old Timer",
            "bio": "Invented account for tests. Tea, trains and terrible puns.",
            "location": "Sydney, Australia",
            "website": None,
            "joined_at": "2011-05-27T09:12:44+00:00",
            "time_zone": None,
            "time_zone_iana": None,
            "avatar_path": None,
            "header_path": None,
        }
    ]
    assert rows(db, "select time_zone from archive_totals") == [{"time_zone": None}]


def test_a_markdown_archive_has_no_profile(tmp_path):
    db = build(tmp_path, FIXTURES / "markdown" / "plain")
    assert rows(db, "select * from profile") == []
    assert rows(db, "select * from profile_images") == []


def variant(tmp_path, files: dict[str, object], name="export"):
    """A copy of the profile fixture with some data/ files' values replaced."""
    folder = tmp_path / name
    shutil.copytree(PROFILE, folder)
    for file, value in files.items():
        kind = file.removesuffix(".js").replace("-", "_")
        text = f"window.YTD.{kind}.part0 = " + json.dumps(value)
        (folder / "data" / file).write_text(text, encoding="utf-8")
    return folder


def zone_file(name):
    return {"account-timezone.js": [{"accountTimezone": {"timeZone": name}}]}


def test_an_unknown_zone_is_utc_with_a_warning(tmp_path):
    db = build(tmp_path, variant(tmp_path, zone_file("Atlantis Standard Time")))
    assert rows(db, "select time_zone, time_zone_iana from profile") == [
        {"time_zone": "Atlantis Standard Time", "time_zone_iana": None}
    ]
    assert rows(db, "select time_zone from archive_totals") == [{"time_zone": None}]
    assert rows(db, "select file, reason from etl_problems") == [
        {
            "file": "data/account-timezone.js",
            "reason": "unknown time zone 'Atlantis Standard Time': times are shown in UTC",
        }
    ]


def tweet(tweet_id, created_at):
    return {"tweet": {"id_str": tweet_id, "created_at": created_at, "full_text": "lunch"}}


def test_the_hour_heatmap_is_in_the_owners_zone_across_summer_time(tmp_path):
    # Noon in New York on a Friday in January (EST, UTC-5) and in July (EDT, UTC-4).
    tweets = [
        tweet("1350115000000000000", "Fri Jan 15 17:00:00 +0000 2021"),
        tweet("1415800000000000000", "Fri Jul 16 16:00:00 +0000 2021"),
    ]
    files = {"tweets.js": tweets, **zone_file("Eastern Time (US & Canada)")}
    db = build(tmp_path, variant(tmp_path, files))
    assert rows(db, "select * from tweets_per_hour") == [
        {"weekday": 5, "day": "Fri", "hour": 12, "tweets": 2}
    ]
    # Both noons are on their UTC day too (test_local_days.py has the days that differ).
    assert [r["day"] for r in rows(db, "select day from tweets_per_day order by day")] == [
        "2021-01-15",
        "2021-07-16",
    ]


def test_half_hour_zones_count_each_tweet_in_its_own_hour(tmp_path):
    # 18:20 and 18:40 UTC are 23:50 in Kolkata (UTC+5:30) and 00:10 the next day.
    tweets = [
        tweet("1350115000000000001", "Fri Jan 15 18:20:00 +0000 2021"),
        tweet("1350115000000000002", "Fri Jan 15 18:40:00 +0000 2021"),
    ]
    db = build(tmp_path, variant(tmp_path, {"tweets.js": tweets, **zone_file("Mumbai")}))
    assert rows(db, "select * from tweets_per_hour") == [
        {"weekday": 5, "day": "Fri", "hour": 23, "tweets": 1},
        {"weekday": 6, "day": "Sat", "hour": 0, "tweets": 1},
    ]


def test_pictures_come_only_from_profile_media_and_only_images(tmp_path):
    profile = {
        "description": {"bio": "b", "website": "javascript:alert(1)", "location": "l"},
        # A URL naming a file that is no image, and one trying to leave the folder.
        "avatarMediaUrl": "https://pbs.twimg.com/profile_images/1/stray.html",
        "headerMediaUrl": "https://pbs.twimg.com/../../tweets.js",
    }
    db = build(tmp_path, variant(tmp_path, {"profile.js": [{"profile": profile}]}))
    assert rows(db, "select website, avatar_path, header_path from profile") == [
        {"website": None, "avatar_path": None, "header_path": None}
    ]
    assert rows(db, "select * from profile_images") == []
    assert rows(db, "select file, reason from etl_problems") == [
        {
            "file": "data/profile_media/7700770077-stray.html",
            "reason": "the avatar is left out: not a JPEG, PNG, GIF or WebP image",
        }
    ]


def test_a_renamed_owner_gets_no_profile(tmp_path):
    db_path = tmp_path / "a.db"
    result = run_build(db_path, PROFILE, args=["--owner", "someone_else"])
    assert result.exit_code == 0, result.output
    assert rows(sqlite_utils.Database(db_path), "select * from profile") == []


@pytest.mark.parametrize(
    "value, expected",
    [
        ("  two\n\n\n\nparagraphs \x00\x1b ", "two\n\nparagraphs"),
        ("x" * 600, "x" * 500),
        (42, None),
        ("   ", None),
    ],
)
def test_text_fields_are_bounded_and_tidy(value, expected):
    assert text(value, 500) == expected


@pytest.mark.parametrize(
    "value, expected",
    [
        ("https://t.co/abc", "https://t.co/abc"),
        ("http://example.org/a b", None),
        ("javascript:alert(1)", None),
        ("//example.org", None),
        ("", None),
    ],
)
def test_only_web_addresses_are_websites(value, expected):
    assert website(value) == expected


@pytest.mark.parametrize(
    "url, expected",
    [
        ("https://pbs.twimg.com/profile_images/1/abc_400x400.jpg", "abc_400x400.jpg"),
        ("https://pbs.twimg.com/profile_banners/7/1600000000", "1600000000"),
        ("https://pbs.twimg.com/x/..", None),
        ("https://pbs.twimg.com/x/a%2F..%2Fb", None),
        (None, None),
    ],
)
def test_image_urls_name_a_file_by_their_last_segment(url, expected):
    assert url_segment(url) == expected


def test_every_rails_zone_is_an_iana_zone():
    assert len(RAILS_ZONES) >= 151
    for name, key in RAILS_ZONES.items():
        assert zoneinfo.ZoneInfo(key), name
        assert iana_zone(name) == key


@pytest.mark.parametrize(
    "name, key, label",
    [
        ("Tokyo", "Asia/Tokyo", "Tokyo time (Asia/Tokyo)"),
        ("Eastern Time (US & Canada)", "America/New_York", "New York time (America/New_York)"),
        ("Hawaii", "Pacific/Honolulu", "Honolulu time (Pacific/Honolulu)"),
        ("Buenos Aires", "America/Argentina/Buenos_Aires", "Buenos Aires time (" + BA + ")"),
        ("UTC", "Etc/UTC", "UTC"),
        ("International Date Line West", "Etc/GMT+12", "UTC-12"),
        ("Europe/Paris", "Europe/Paris", "Paris time (Europe/Paris)"),
        ("Atlantis", None, "UTC"),
        ("../../etc/passwd", None, "UTC"),
        (None, None, "UTC"),
    ],
)
def test_zone_names(name, key, label):
    assert iana_zone(name) == key
    assert zone_label(key) == label
