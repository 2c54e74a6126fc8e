"""Official exports and 2012–2018 "Grailbird" exports: missing owner files, bad bytes, wrong
JSON types, impossible ids and dates, two sources disagreeing, private files."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from . import (
    FIRST_ID,
    MD_NAME,
    OWNER,
    OWNER_ID,
    TWEETS_JS,
    Case,
    case,
    export,
    md_file,
    media_paths,
    no_media_path,
    tweet,
    tweets_js,
    ytd,
    zip_folder,
)

MODERN = Path(__file__).resolve().parent.parent / "fixtures" / "official" / "modern"
THREE = [tweet(0), tweet(1), tweet(2)]
PRIVATE = [
    b"PRIVATE-MARKER",  # direct messages, e-mail address change, IP audit
    b"198.51.100.7",  # IP audit
    b"Hot take: tabs are better",  # deleted tweet
    b"Circle only: the draft",  # Twitter Circle tweet
    b"Snowflake ids in one picture",  # a liked tweet
]
INCLUDE_ALL = ["--include-deleted", "--include-circle", "--include-likes"]


def texts(db) -> list[str]:
    return [row[0] for row in db.execute("select text from tweets order by id")]


@case
def official_export(root):
    return Case("official_export", [export(root, THREE)], tweets=3)


@case
def official_export_zipped(root):
    export(root / "folder", THREE)
    return Case("official_export_zipped", [zip_folder(root / "folder", root / "x.zip")], tweets=3)


@case
def official_tweets_js_only_with_self_reply(root):
    """No account.js nor manifest.js: the owner shows in a self-reply; every tweet is kept."""
    reply = tweet(
        1,
        f"@{OWNER} and more",
        in_reply_to_status_id_str=str(FIRST_ID),
        in_reply_to_screen_name=OWNER,
        in_reply_to_user_id_str=OWNER_ID,
    )
    export(root, [tweet(0), reply, tweet(2)], owner=False)

    def check(db):
        assert [r[0] for r in db.execute("select distinct user_id from tweets")] == [int(OWNER_ID)]

    return Case(
        "official_tweets_js_only_with_self_reply",
        [root],
        tweets=3,
        problems=[("data/account.js", 0)],
        reasons=[f"the owner @{OWNER} was read from 1 tweet(s)"],
        check=check,
    )


@case
def official_tweets_js_only(root):
    export(root, THREE, owner=False)
    return Case(
        "official_tweets_js_only",
        [root],
        tweets=3,
        problems=[("data/account.js", 0)],
        reasons=["the tweets are kept under @unknown"],
    )


@case
def official_tweets_js_only_with_owner_option(root):
    export(root, THREE, owner=False)

    def check(db):
        assert [r[0] for r in db.execute("select screen_name from users")] == ["given_owner"]

    return Case(
        "official_tweets_js_only_with_owner_option",
        [root],
        args=["--owner", "given_owner"],
        tweets=3,
        check=check,
    )


@case
def official_no_tweet_readable(root):
    """Entries, not one stored: exit 1 with one line, not an empty database."""
    export(root, [tweet(0, created_at="yesterday"), tweet(1, created_at=None)])
    return Case("official_no_tweet_readable", [root], exit_code=1, message="no tweet")


@case
def official_invalid_utf8(root):
    export(root, tweets_js([tweet(0), tweet(1, "caf\udce9 au lait"), tweet(2)]))
    return Case(
        "official_invalid_utf8", [root], tweets=3, problems=[(TWEETS_JS, 2)], reasons=["U+FFFD"]
    )


@case
def official_lone_surrogate_escape(root):
    text = tweets_js([tweet(0), tweet(1, "LONE"), tweet(2)]).replace("LONE", "a \\udc00 b")
    export(root, text)
    return Case(
        "official_lone_surrogate_escape",
        [root],
        tweets=3,
        problems=[(TWEETS_JS, 2)],
        reasons=["U+FFFD"],
    )


@case
def official_bare_array_with_equals(root):
    """No `window.YTD... =`, and an `=` in a tweet within the first 64 KB."""
    items = [{"tweet": t} for t in [tweet(0, "1 + 1 = 2"), tweet(1), tweet(2)]]
    export(root, json.dumps(items, indent=1))
    return Case("official_bare_array_with_equals", [root], tweets=3)


@case
def official_junk_before_array_with_equals(root):
    items = [{"tweet": t} for t in [tweet(0), tweet(1, "a == b"), tweet(2)]]
    export(root, "/* saved by some tool */\n" + json.dumps(items, indent=1))
    return Case("official_junk_before_array_with_equals", [root], tweets=3)


@case
def official_literal_tweets_js(root):
    """Unquoted keys and trailing commas: a JavaScript object literal, read as such."""
    literal = tweets_js(THREE).replace('"tweet":', "tweet:").replace("}\n]", "},\n]")
    export(root, literal)
    return Case("official_literal_tweets_js", [root], tweets=3)


@case
def official_truncated_tweets_js(root):
    text = tweets_js(THREE)
    export(root, text[: text.index('"tweet number 2"')])
    return Case("official_truncated_tweets_js", [root], tweets=2, problems=[(TWEETS_JS, 0)])


@case
def official_items_of_wrong_types(root):
    export(root, ytd("tweets", [1, "x", None, {"tweet": tweet(3)}]))
    return Case(
        "official_items_of_wrong_types",
        [root],
        tweets=1,
        problems=[(TWEETS_JS, 1), (TWEETS_JS, 2), (TWEETS_JS, 3)],
    )


@case
def official_two_sources_same_id_different_text(root):
    """The export outranks Markdown made from it; the Markdown text is a conflict row."""
    export(root / "export", THREE)
    lines = md_file(root / "md" / MD_NAME, ["edited later"], first_id=FIRST_ID + 1)

    def check(db):
        assert texts(db) == ["tweet number 0", "tweet number 1", "tweet number 2"]

    return Case(
        "official_two_sources_same_id_different_text",
        [root / "md", root / "export"],
        tweets=3,
        problems=[(MD_NAME, lines[0])],
        reasons=["text differs from the one kept, from export (data/tweets.js:2)"],
        check=check,
    )


@case
def official_two_sources_same_id_same_text(root):
    export(root / "export", THREE)
    md_file(root / "md" / MD_NAME, ["tweet number 1"], first_id=FIRST_ID + 1)
    return Case("official_two_sources_same_id_same_text", [root / "md", root / "export"], tweets=3)


def huge_id_case(root: Path, name: str, **fields) -> Case:
    export(root, [tweet(0), tweet(1, **fields), tweet(2)])
    return Case(name, [root], tweets=3)


@case
def official_tweet_id_2_63(root):
    big = str(2**63)
    export(root, [tweet(0), tweet(1, id_str=big, id=big), tweet(2)])
    return Case("official_tweet_id_2_63", [root], tweets=2, problems=[(TWEETS_JS, 2)])


@case
def official_mention_id_2_63(root):
    mention = {"screen_name": "huge", "id_str": str(2**64), "id": str(2**64), "indices": ["0", "5"]}
    entities = {"hashtags": [], "user_mentions": [mention], "urls": []}
    return huge_id_case(root, "official_mention_id_2_63", full_text="@huge hi", entities=entities)


@case
def official_reply_ids_2_63(root):
    big = str(2**63 + 1)
    return huge_id_case(
        root,
        "official_reply_ids_2_63",
        in_reply_to_status_id_str=big,
        in_reply_to_user_id_str=big,
        in_reply_to_screen_name="someone",
    )


@case
def official_like_id_2_63(root):
    likes = [{"like": {"tweetId": str(2**63), "fullText": "big"}}, {"like": {"tweetId": "20"}}]
    export(root, THREE, files={"like.js": ytd("like", likes)})

    def check(db):
        assert [row[0] for row in db.execute("select tweet_id from likes")] == [20]

    return Case(
        "official_like_id_2_63",
        [root],
        args=["--include-likes"],
        tweets=3,
        problems=[("data/like.js", 1)],
        check=check,
    )


@case
def official_date_year_0001_with_offset(root):
    export(root, [tweet(0), tweet(1, created_at="Mon Jan 01 00:30:00 +0100 0001"), tweet(2)])
    return Case("official_date_year_0001_with_offset", [root], tweets=2, problems=[(TWEETS_JS, 2)])


def wrong_type(root: Path, name: str, file: str, content: str, args=()) -> Case:
    """A side file whose value is of the wrong type: one problem row, every tweet kept."""
    export(root, THREE, files={file: content})
    return Case(name, [root], args=list(args), tweets=3, problems=[(f"data/{file}", 0)])


def wrong_parts(root: Path, name: str, file: str, content: str) -> Case:
    """A side file of the right type with parts of the wrong type: read as if those parts were
    absent (they only name the owner or check counts), every tweet kept."""
    export(root, THREE, files={file: content})
    return Case(name, [root], tweets=3)


@case
def official_manifest_is_a_list(root):
    return wrong_type(root, "official_manifest_is_a_list", "manifest.js", "window.__THAR = [1]")


@case
def official_manifest_user_info_is_a_list(root):
    content = 'window.__THAR_CONFIG = {"userInfo": [], "archiveInfo": "x", "dataTypes": []}'
    return wrong_parts(root, "official_manifest_user_info_is_a_list", "manifest.js", content)


@case
def official_manifest_file_entries_are_strings(root):
    content = 'window.__THAR_CONFIG = {"dataTypes": {"tweets": {"files": ["data/tweets.js"]}}}'
    return wrong_parts(root, "official_manifest_file_entries_are_strings", "manifest.js", content)


@case
def official_account_is_a_list_of_lists(root):
    content = ytd("account", [{"account": ["x"]}])
    return wrong_parts(root, "official_account_is_a_list_of_lists", "account.js", content)


@case
def official_note_tweet_core_is_a_list(root):
    note = {"noteTweet": {"core": ["x"], "createdAt": "2019-05-31T10:00:00.000Z"}}
    content = ytd("note_tweet", [note, ["not an object"]])
    return wrong_parts(root, "official_note_tweet_core_is_a_list", "note-tweet.js", content)


@case
def official_circle_file_of_lists(root):
    """Unreadable Circle items: their tweets, if also in tweets.js, can't be told private; a
    problem row must say so."""
    content = ytd("twitter_circle_tweet", [["x"]])
    c = wrong_type(root, "official_circle_file_of_lists", "twitter-circle-tweet.js", content)
    c.problems = [("data/twitter-circle-tweet.js", 1)]
    c.reasons = ["imported as a public tweet"]
    return c


@case
def official_like_file_of_lists(root):
    c = wrong_type(root, "official_like_file_of_lists", "like.js", ytd("like", [["x"]]))
    c.args, c.problems = ["--include-likes"], [("data/like.js", 1)]
    return c


@case
def official_deleted_file_of_lists(root):
    content = ytd("deleted_tweets", [["x"]])
    c = wrong_type(root, "official_deleted_file_of_lists", "deleted-tweets.js", content)
    c.args, c.problems = ["--include-deleted"], [("data/deleted-tweets.js", 1)]
    return c


@case
def official_entities_of_wrong_type(root):
    """Entity lists of the wrong type: the tweet is kept, without those entities."""
    export(root, [tweet(0), tweet(1, entities=["x"]), tweet(2, entities={"urls": "x"})])
    return Case("official_entities_of_wrong_type", [root], tweets=3)


def media_tweet(n: int, name: str) -> dict:
    item = {
        "type": "photo",
        "media_url_https": f"https://pbs.twimg.com/media/{name}",
        "url": "https://t.co/media",
    }
    return tweet(n, "media https://t.co/media", extended_entities={"media": [item]})


@case
def official_photo_in_tweets_media(root):
    name = f"tweets_media/{FIRST_ID + 1}-photo.jpg"
    export(root, [tweet(0), media_tweet(1, "photo.jpg")], files={name: b"\xff\xd8\xff" + b"0" * 9})

    def check(db):
        assert media_paths(db) == [f"data/{name}"]

    return Case("official_photo_in_tweets_media", [root], tweets=2, check=check)


def active_media(root: Path, ext: str, content: str) -> Case:
    name = f"tweets_media/{FIRST_ID + 1}-evil.{ext}"
    export(root, [tweet(0), media_tweet(1, f"evil.{ext}")], files={name: content})
    return Case(
        f"official_active_media_{ext}",
        [root],
        tweets=2,
        problems=[(TWEETS_JS, 2)],
        reasons=["only images and videos"],
        check=no_media_path(f"evil.{ext}"),
        publish=True,
        secrets=[b"alert(document.domain)"],
    )


@case
def official_active_media_html(root):
    return active_media(root, "html", "<script>alert(document.domain)</script>")


@case
def official_active_media_svg(root):
    svg = '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(document.domain)"/>'
    return active_media(root, "svg", svg)


@case
def official_private_files_left_out(root):
    shutil.copytree(MODERN, root)
    return Case(
        "official_private_files_left_out",
        [root],
        tweets=18,
        problems=[("data/note-tweet.js", 6)],
        never_in_db=PRIVATE,
    )


@case
def official_private_rows_never_published(root):
    """Deleted, Circle tweets and likes imported on request, then published without them."""
    shutil.copytree(MODERN, root)
    return Case(
        "official_private_rows_never_published",
        [root],
        args=INCLUDE_ALL,
        tweets=20,
        problems=[("data/note-tweet.js", 6)],
        never_in_db=PRIVATE[:2],
        publish=True,
        secrets=PRIVATE,
    )
