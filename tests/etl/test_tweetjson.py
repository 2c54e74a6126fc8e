import time

import pytest

from etl.readers.tweetjson import (
    Context,
    apply_edit_info,
    best_variant,
    client_name,
    convert,
    location,
    text_of,
)
from etl.records import Hashtag, Link, Mention, Tweet, UserRef
from etl.sources import FolderTree


@pytest.mark.parametrize(
    "tweet, expected",
    [
        # modern: coordinates [lon, lat] and geo [lat, lon], as strings (Eiffel Tower)
        (
            {
                "coordinates": {"type": "Point", "coordinates": ["2.2945", "48.8584"]},
                "geo": {"type": "Point", "coordinates": ["48.8584", "2.2945"]},
            },
            (48.8584, 2.2945, None, None),
        ),
        # geo alone, latitude first (Grailbird numbers; Sydney Opera House)
        (
            {"geo": {"type": "Point", "coordinates": [-33.8568, 151.2153]}},
            (-33.8568, 151.2153, None, None),
        ),
        ({"geo": {}}, (None, None, None, None)),
        ({}, (None, None, None, None)),
        # a place without a point: the centre of its bounding box
        (
            {
                "place": {
                    "full_name": "Sydney, New South Wales",
                    "country": "Australia",
                    "bounding_box": {
                        "coordinates": [
                            [
                                ["151.0", "-34.0"],
                                ["151.4", "-34.0"],
                                ["151.4", "-33.6"],
                                ["151.0", "-33.6"],
                            ]
                        ]
                    },
                }
            },
            (-33.8, 151.2, "Sydney, New South Wales", "Australia"),
        ),
        # impossible latitude: rejected rather than put in the wrong place
        ({"geo": {"coordinates": ["151.2", "-33.8"]}}, (None, None, None, None)),
    ],
)
def test_location_axes(tweet, expected):
    lat, lon, name, country = location(tweet)
    assert (
        None if lat is None else round(lat, 4),
        None if lon is None else round(lon, 4),
        name,
        country,
    ) == expected


@pytest.mark.parametrize(
    "source, expected",
    [
        (
            '<a href="http://twitter.com/download/android" rel="nofollow">Twitter for Android</a>',
            "Twitter for Android",
        ),
        ("web", "web"),
        ('<a href="x">Echo &amp; Co</a>', "Echo & Co"),
        ("", None),
        (None, None),
    ],
)
def test_client_name(source, expected):
    assert client_name(source) == expected


def test_best_variant_is_the_highest_bitrate_mp4():
    item = {
        "video_info": {
            "variants": [
                {"bitrate": "632000", "content_type": "video/mp4", "url": "https://v/320/a.mp4"},
                {"content_type": "application/x-mpegURL", "url": "https://v/pl.m3u8"},
                {
                    "bitrate": "2176000",
                    "content_type": "video/mp4",
                    "url": "https://v/1280/b.mp4?tag=12",
                },
            ]
        }
    }
    assert best_variant(item) == "https://v/1280/b.mp4?tag=12"


def make(tweet_id):
    return Tweet(tweet_id, "2024-01-01T00:00:00+00:00", "t", UserRef("o"), "u", "f", 1)


def test_edit_chains_link_versions_and_mark_the_latest():
    chain = ["1767496415922585688", "1767497756157866020"]
    first, second = make(1767496415922585688), make(1767497756157866020)
    apply_edit_info(first, {"initial": {"editTweetIds": chain}})
    apply_edit_info(
        second,
        {"edit": {"initialTweetId": chain[0], "editControlInitial": {"editTweetIds": chain}}},
    )
    assert (first.edit_initial_id, first.is_latest_version) == (1767496415922585688, False)
    assert (second.edit_initial_id, second.is_latest_version) == (1767496415922585688, True)
    unedited = make(5)
    apply_edit_info(unedited, {"initial": {"editTweetIds": ["5"]}})
    assert (unedited.edit_initial_id, unedited.is_latest_version) == (None, True)


def test_convert_uses_the_exports_own_entities(tmp_path):
    raw = {
        "id_str": "1854591356741861770",
        "created_at": "Thu Nov 07 18:26:50 +0000 2024",
        "full_text": "@amy_h see https://t.co/abc &amp; https://t.co/quo https://t.co/med",
        "in_reply_to_status_id_str": "1854584712419065998",
        "in_reply_to_user_id_str": "57904811",
        "in_reply_to_screen_name": "amy_h",
        "favorite_count": "3",
        "retweet_count": "0",
        "lang": "en",
        "possibly_sensitive": False,
        "source": '<a href="https://mobile.twitter.com" rel="nofollow">Twitter Web App</a>',
        "entities": {
            "user_mentions": [
                {"screen_name": "amy_h", "name": "Amy", "id_str": "57904811", "indices": ["0", "6"]}
            ],
            "hashtags": [],
            "urls": [
                {"url": "https://t.co/abc", "expanded_url": "https://example.com/a"},
                {
                    "url": "https://t.co/quo",
                    "expanded_url": "https://twitter.com/bob/status/1854000000000000000",
                },
            ],
            "media": [
                {
                    "url": "https://t.co/med",
                    "media_url": "http://pbs.twimg.com/media/Gb1.jpg",
                    "type": "photo",
                }
            ],
        },
    }
    ctx = Context(tree=FolderTree(tmp_path), owner=UserRef("owner", 42, "Owner"))
    tweet = convert(raw, ctx, "data/tweets.js", 3)
    assert (tweet.id, tweet.created_at, tweet.text) == (
        1854591356741861770,
        "2024-11-07T18:26:50+00:00",
        "@amy_h see https://example.com/a & https://twitter.com/bob/status/1854000000000000000",
    )
    assert (tweet.in_reply_to_id, tweet.in_reply_to_user_id, tweet.in_reply_to_screen_name) == (
        1854584712419065998,
        57904811,
        "amy_h",
    )
    # Offsets into the text as stored: the links' (given no `indices`) found by searching.
    assert tweet.mentions == [Mention("amy_h", 57904811, "Amy", 0, 6)]
    assert tweet.urls == [
        Link("https://example.com/a", 11, 32),
        Link("https://twitter.com/bob/status/1854000000000000000", 35, 85),
    ]
    assert tweet.quoted_id == 1854000000000000000
    assert (tweet.favorite_count, tweet.source, tweet.author) == (
        3,
        "Twitter Web App",
        UserRef("owner", 42, "Owner"),
    )
    assert [(m.type, m.path, m.filename) for m in tweet.media] == [
        ("photo", None, "1854591356741861770-Gb1.jpg")
    ]


def test_grailbird_retweet_keeps_the_originals_full_text_and_author(tmp_path):
    original = {
        "id": 1,
        "id_str": "100",
        "created_at": "Sat Apr 13 16:00:00 +0000 2013",
        "text": "A long original text that the retweet cut short, in full here",
        "user": {"screen_name": "orig", "id_str": "77", "name": "Original Author"},
        "entities": {"user_mentions": [], "hashtags": [{"text": "full"}], "urls": []},
    }
    raw = {
        "id_str": "200",
        "created_at": "Sat Apr 13 17:00:00 +0000 2013",
        "text": "RT @orig: A long original text that the retweet cut…",
        "user": {"screen_name": "me", "id_str": "5", "name": "Me"},
        "entities": {
            "user_mentions": [{"screen_name": "orig", "id_str": "77", "name": "Original Author"}]
        },
        "retweeted_status": original,
    }
    tweet = convert(
        raw, Context(tree=FolderTree(tmp_path), owner=None), "data/js/tweets/2013_04.js", 1
    )
    assert tweet.text == "RT @orig: A long original text that the retweet cut short, in full here"
    assert (tweet.is_retweet, tweet.retweeted_screen_name, tweet.retweeted_id) == (
        True,
        "orig",
        100,
    )
    assert tweet.author == UserRef("me", 5, "Me")
    assert tweet.mentions == [Mention("orig", 77, "Original Author", 3, 8)]
    assert tweet.hashtags == [Hashtag("full")]  # not in the text: no offsets


@pytest.mark.parametrize(
    "source, name",
    [
        ("<a " * 300_000, ("<a " * 300_000).strip()),
        ("<a>" * 300_000, None),
        ("<" * 10**6, "<" * 10**6),
    ],
)
def test_a_hostile_source_is_read_in_linear_time(source, name):
    # every `<a` used to be scanned to the end for its `</a>`: 300 KB took minutes
    started = time.perf_counter()
    assert client_name(source) == name
    assert time.perf_counter() - started < 1


def test_links_beyond_any_tweets_count_are_not_expanded():
    urls = [
        {"url": f"https://t.co/{i:05}", "expanded_url": f"https://e.com/{i}"} for i in range(200)
    ]
    text = " ".join(u["url"] for u in urls)
    expanded = text_of({"full_text": text, "entities": {"urls": urls}}, set())
    assert expanded.split()[99:101] == ["https://e.com/99", "https://t.co/00100"]
