"""Hostile and damaged archives, read end to end through `tweets-etl build` (issue 8).

Each test builds a small archive written here, in tmp_path, and checks what was kept and what
was reported; the memory tests run the build in a subprocess and bound its peak.
"""

import json
import os
import subprocess
import sys
import time
import zipfile

import pytest
import sqlite_utils

from tests.helpers.build import run_build
from tests.helpers.paths import ROOT

DATE = "Wed Jan 01 10:00:00 +0000 2020"
ACCOUNT = 'window.YTD.account.part0 = [{"account": {"username": "owner_a", "accountId": "42"}}]'


def entry(text: str, tweet_id: int, user: str = "owner_a") -> str:
    return (
        f"{text}\n\n(Originally on Twitter: [{DATE}](https://twitter.com/{user}/status/{tweet_id}))"
        "\n\n----\n\n"
    )


def tweet(tweet_id, text="hello", **fields) -> dict:
    return {"tweet": {"id_str": str(tweet_id), "created_at": DATE, "full_text": text, **fields}}


def export(folder, items, account: str | None = ACCOUNT):
    data = folder / "data"
    data.mkdir(parents=True, exist_ok=True)
    body = items if isinstance(items, str) else json.dumps(items, indent=1)
    (data / "tweets.js").write_text(f"window.YTD.tweets.part0 = {body}", encoding="utf-8")
    if account is not None:
        (data / "account.js").write_text(account, encoding="utf-8")
    return folder


def build(tmp_path, *sources, args=()) -> sqlite_utils.Database:
    db_path = tmp_path / "archive.db"
    result = run_build(db_path, *sources, args=args)
    assert result.exit_code == 0, result.output
    return sqlite_utils.Database(db_path)


def problems(db) -> list[tuple]:
    return [
        (row["file"], row["line"], row["reason"])
        for row in db.query("select file, line, reason from etl_problems order by id")
    ]


def rows(db, sql: str) -> list[tuple]:
    return [tuple(row) for row in db.execute(sql).fetchall()]


def peak_build_mb(tmp_path, source, timeout=60) -> tuple[subprocess.CompletedProcess, float]:
    """Run `python -m etl build` in a child and return its peak resident memory in MB."""
    script = (
        "import resource, subprocess, sys\n"
        "build = [sys.executable, '-m', 'etl', 'build', '-q', *sys.argv[2:]]\n"
        "r = subprocess.run(build, timeout=float(sys.argv[1]))  # killed when it hangs\n"
        "print(r.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(timeout), str(tmp_path / "out.db"), str(source)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout + 10,
    )
    code, kilobytes = done.stdout.split()[-2:]
    done.returncode = int(code)
    return done, int(kilobytes) / 1024


# --- 1. Private files published through media references -------------------------------


@pytest.mark.parametrize(
    "ref, reason",
    [
        ("followers.txt", "not in the archive's media folder"),
        ("DMs/DMs-Archive-1.md", "refers to direct messages"),
        ("media/../secret.txt", "not in the archive's media folder"),
        ("media/page.html", "only images and videos (jpg jpeg png gif webp mp4 mov m4v) are media"),
        ("media/logo.svg", "only images and videos (jpg jpeg png gif webp mp4 mov m4v) are media"),
    ],
)
def test_markdown_media_come_only_from_the_media_folder(tmp_path, ref, reason):
    archive = tmp_path / "archive"
    for name in ["followers.txt", "DMs/DMs-Archive-1.md", "secret.txt", "media/page.html",
                 "media/logo.svg", "media/1-ok.jpg"]:  # fmt: skip
        (archive / name).parent.mkdir(parents=True, exist_ok=True)
        (archive / name).write_text("private")
    (archive / "tweets_2020-01.md").write_text(
        entry(f"Look ![]({ref}) and ![](media/1-ok.jpg)", 1212300000000000000)
    )
    db = build(tmp_path, archive)
    assert rows(db, "select id from tweets") == [(1212300000000000000,)]
    assert rows(db, "select position, path, filename from media order by position") == [
        (0, None, None),
        (1, "media/1-ok.jpg", "1-ok.jpg"),
    ]
    assert problems(db) == [
        ("tweets_2020-01.md", 1, f"media reference {ref!r} refused: {reason}"),
    ]


def test_a_lone_markdown_file_cannot_publish_its_neighbours(tmp_path):
    (tmp_path / ".env").write_text("SECRET=1")
    md = tmp_path / "notes.md"
    md.write_text(entry("Config ![](.env)", 1212300000000000000))
    db = build(tmp_path, md)
    assert rows(db, "select path, filename from media") == [(None, None)]
    assert problems(db) == [
        ("notes.md", 1, "media reference '.env' refused: not in the archive's media folder")
    ]


def test_export_media_of_other_types_are_never_given_a_path(tmp_path):
    media = [{"type": "photo", "media_url_https": "https://pbs.twimg.com/media/evil.html"}]
    archive = export(tmp_path / "x", [tweet(5, extended_entities={"media": media})])
    (archive / "data" / "tweets_media").mkdir()
    (archive / "data" / "tweets_media" / "5-evil.html").write_text("<script>alert(1)</script>")
    db = build(tmp_path, archive)
    assert rows(db, "select tweet_id, path, filename from media") == [(5, None, "5-evil.html")]
    assert problems(db) == [
        (
            "data/tweets.js",
            1,
            "media file 'data/tweets_media/5-evil.html' refused: only images and videos "
            "(jpg jpeg png gif webp mp4 mov m4v) are media",
        )
    ]


# --- 7. Readable tweets silently lost after one bad byte ---------------------------------


def test_a_bad_byte_in_markdown_costs_one_line_not_the_file(tmp_path):
    archive = tmp_path / "archive"
    archive.mkdir()
    text = entry("first", 1212300000000000001) + entry("caf\xe9 au lait", 1212300000000000002)
    text += entry("third", 1212300000000000003)
    data = text.encode("utf-8").replace("caf\xe9".encode(), b"caf\xe9")  # Latin-1 é
    (archive / "tweets_2020-01.md").write_bytes(data)
    db = build(tmp_path, archive)
    assert rows(db, "select id, text from tweets order by id") == [
        (1212300000000000001, "first"),
        (1212300000000000002, "caf\ufffd au lait"),
        (1212300000000000003, "third"),
    ]
    assert problems(db) == [
        (
            "tweets_2020-01.md",
            7,
            "bytes that are not UTF-8, or NUL, on this line (replaced with U+FFFD)",
        )
    ]


def test_a_nul_in_markdown_does_not_hide_the_file(tmp_path):
    archive = tmp_path / "archive"
    archive.mkdir()
    text = entry("nul\x00here", 1212300000000000001) + entry("fine", 1212300000000000002)
    (archive / "notes.md").write_text(text)  # not a parser file name: found by its footers
    db = build(tmp_path, archive)
    assert rows(db, "select id, text from tweets order by id") == [
        (1212300000000000001, "nul\ufffdhere"),
        (1212300000000000002, "fine"),
    ]
    assert problems(db) == [
        ("notes.md", 1, "bytes that are not UTF-8, or NUL, on this line (replaced with U+FFFD)")
    ]


BAD_ITEM = "item 2 has bytes that are not UTF-8 (replaced with U+FFFD)"


@pytest.mark.parametrize(
    "damage, expected",
    [(b"caf\xe9", "caf\ufffd"), (b"x\\udc00y", "x\ufffdy"), (b"\\ud83d\\ude00", "\U0001f600")],
)
def test_bad_bytes_in_tweets_js_cost_one_tweet_at_most(tmp_path, damage, expected):
    items = [tweet(1, "one"), tweet(2, "DAMAGE"), tweet(3, "three")]
    archive = export(tmp_path / "x", [])
    body = ("window.YTD.tweets.part0 = " + json.dumps(items)).encode()
    (archive / "data" / "tweets.js").write_bytes(body.replace(b"DAMAGE", damage))
    db = build(tmp_path, archive)
    assert rows(db, "select id, text from tweets order by id") == [
        (1, "one"),
        (2, expected),
        (3, "three"),
    ]
    lone = "\\ud83d" not in damage.decode("latin-1")
    assert problems(db) == ([("data/tweets.js", 2, BAD_ITEM)] if lone else [])


@pytest.mark.parametrize(
    "before",
    [
        "",  # a bare JSON array
        "/* saved from https://example.com/?a=b */\n",
        "junk before the array\n",
    ],
)
def test_an_equals_sign_in_the_data_does_not_hide_the_array(tmp_path, before):
    items = [tweet(1, "see https://example.com/?q=1&r=2")] + [tweet(i) for i in range(2, 5)]
    archive = export(tmp_path / "x", [])
    (archive / "data" / "tweets.js").write_text(before + json.dumps(items))
    db = build(tmp_path, archive)
    assert rows(db, "select id from tweets order by id") == [(1,), (2,), (3,), (4,)]
    assert problems(db) == []


# --- 6. An export with no account.js or manifest.js ---------------------------------------


def test_an_export_without_account_takes_its_owner_from_self_replies(tmp_path):
    items = [
        tweet(10, "a thread"),
        tweet(11, "@Owner_B more", in_reply_to_status_id_str="10",
              in_reply_to_screen_name="Owner_B", in_reply_to_user_id_str="77"),
        tweet(12, "@friend hi", in_reply_to_status_id_str="999",
              in_reply_to_screen_name="friend", in_reply_to_user_id_str="5"),
    ]  # fmt: skip
    db = build(tmp_path, export(tmp_path / "x", items, account=None))
    assert rows(
        db, "select t.id, u.screen_name from tweets t join users u on u.id = t.user_id"
    ) == [
        (10, "Owner_B"),
        (11, "Owner_B"),
        (12, "Owner_B"),
    ]
    assert rows(db, "select owner_screen_name from sources") == [("Owner_B",)]
    assert problems(db) == [
        (
            "data/account.js",
            0,
            "missing (and manifest.js names no owner): the owner @Owner_B was read from 1 "
            "tweet(s) of their own (give --owner to name another)",
        )
    ]


def test_an_export_without_account_takes_its_owner_from_its_photo_links(tmp_path):
    photo = {
        "url": "https://t.co/p",
        "expanded_url": "https://twitter.com/pic_owner/status/20/photo/1",
    }
    rt = {"url": "https://t.co/q", "expanded_url": "https://twitter.com/other/status/8/photo/1"}
    items = [
        tweet(20, "look https://t.co/p", extended_entities={"media": [photo]}),
        tweet(21, "RT @other: look https://t.co/q", extended_entities={"media": [rt]}),
    ]
    db = build(tmp_path, export(tmp_path / "x", items, account=None))
    assert rows(db, "select count(*) from tweets") == [(2,)]
    assert rows(db, "select owner_screen_name from sources") == [("pic_owner",)]


def test_an_export_with_no_clue_to_its_owner_keeps_every_tweet(tmp_path):
    db = build(tmp_path, export(tmp_path / "x", [tweet(i) for i in range(1, 4)], account=None))
    assert rows(
        db, "select t.id, u.screen_name from tweets t join users u on u.id = t.user_id"
    ) == [
        (1, "unknown"),
        (2, "unknown"),
        (3, "unknown"),
    ]
    assert problems(db) == [
        (
            "data/account.js",
            0,
            "missing (and manifest.js names no owner), and no tweet shows whose they are: the "
            "tweets are kept under @unknown (give --owner to name the owner)",
        )
    ]


def read_with(source, options) -> list:
    from etl import readers

    (found,) = readers.plan([str(source)])
    reader = found.open(options)
    return [*reader.read()], reader.info


@pytest.mark.parametrize("account", [None, ACCOUNT])
def test_the_owner_option_names_the_owner_of_an_export(tmp_path, account):
    from etl.records import Options

    archive = export(tmp_path / "x", [tweet(1)], account=account)
    (read,), info = read_with(archive, Options(owner="@Given"))
    assert (read.author.screen_name, read.url, info.owner) == (
        "Given",
        "https://twitter.com/Given/status/1",
        "Given",
    )


def test_the_owner_option_names_the_owner_of_markdown_and_grailbird(tmp_path):
    from etl.records import Options

    (tmp_path / "md").mkdir()
    (tmp_path / "md" / "tweets_2020-01.md").write_text(entry("hi", 1212300000000000000))
    (read,), _ = read_with(tmp_path / "md", Options(owner="Given"))
    assert (read.author.screen_name, read.url) == (
        "Given",
        "https://twitter.com/Given/status/1212300000000000000",
    )
    month = tmp_path / "gb" / "data" / "js" / "tweets"
    month.mkdir(parents=True)
    item = {"id": 3, "created_at": "2013-11-26 08:12:34 +0000", "text": "x",
            "user": {"screen_name": "old_name", "id": 9}}  # fmt: skip
    (month / "2013_11.js").write_text("Grailbird.data.tweets_2013_11 =\n" + json.dumps([item]))
    (read,), info = read_with(tmp_path / "gb", Options(owner="Given"))
    assert (read.author.screen_name, info.owner) == ("Given", "Given")


# --- 10. Tracebacks -------------------------------------------------------------------------


def build_result(tmp_path, *sources):
    result = run_build(tmp_path / "archive.db", *sources)
    # a clean exit or click's one-line error, never an uncaught exception
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    return result


@pytest.mark.parametrize("value", ["[]", '"text"', "42", "null", "[[1]]", '{"userInfo": [1]}'])
@pytest.mark.parametrize("name", ["manifest.js", "account.js"])
def test_side_files_of_the_wrong_shape_are_problems(tmp_path, name, value):
    archive = export(tmp_path / "x", [tweet(1)], account=None)
    (archive / "data" / name).write_text(f"window.YTD.x.part0 = {value}")
    db = build(tmp_path, archive)
    assert rows(db, "select id from tweets") == [(1,)]
    assert all(file.startswith("data/") for file, _, _ in problems(db))


@pytest.mark.parametrize(
    "name, value",
    [
        ("manifest.js", '{"dataTypes": {"tweets": {"files": ["x", 1, {"fileName": 3}]}}}'),
        ("manifest.js", '{"dataTypes": [], "archiveInfo": "x"}'),
        ("note-tweet.js", '[{"noteTweet": {"core": []}}, 1, {"noteTweet": {"core": {"urls": 1}}}]'),
        ("community-tweet.js", '[1, "x", {"tweet": {"id_str": "7", "entities": []}}]'),
        ("twitter-circle-tweet.js", '[1, "x", null]'),
        ("deleted-tweets.js", "[1, 2]"),
        ("like.js", '[1, {"like": []}, {"like": {"tweetId": "99999999999999999999"}}]'),
    ],
)
def test_side_files_with_items_of_the_wrong_shape_are_problems(tmp_path, name, value):
    archive = export(tmp_path / "x", [tweet(1)])
    (archive / "data" / name).write_text(f"window.YTD.x.part0 = {value}")
    result = build_result(tmp_path, archive, "--include-likes", "--include-deleted")
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(
    "name, value",
    [
        ("user_details.js", "[1, 2]"),
        ("user_details.js", '{"screen_name": ["x"]}'),
        ("payload_details.js", '"x"'),
        ("tweet_index.js", '{"file_name": 1}'),
        ("tweet_index.js", "[1, {}]"),
    ],
)
def test_grailbird_side_files_of_the_wrong_shape_are_problems(tmp_path, name, value):
    js = tmp_path / "gb" / "data" / "js"
    (js / "tweets").mkdir(parents=True)
    item = {"id": 3, "created_at": "2013-11-26 08:12:34 +0000", "text": "x",
            "user": {"screen_name": "me", "id": 9}}  # fmt: skip
    (js / "tweets" / "2013_11.js").write_text("Grailbird.data.t =\n" + json.dumps([item, 1]))
    (js / name).write_text(f"var x = {value}")
    db = build(tmp_path, tmp_path / "gb")
    assert rows(db, "select id from tweets") == [(3,)]


def test_a_symlink_loop_is_not_followed(tmp_path):
    archive = tmp_path / "archive"
    (archive / "media").mkdir(parents=True)
    os.symlink("b.jpg", archive / "media" / "a.jpg")
    os.symlink("a.jpg", archive / "media" / "b.jpg")
    os.symlink(".", archive / "self")
    (archive / "tweets_2020-01.md").write_text(entry("![](media/a.jpg)", 1212300000000000000))
    db = build(tmp_path, archive)
    assert rows(db, "select path, filename from media") == [(None, "a.jpg")]


def zip_with(path, method=None, encrypted=False):
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("data/tweets.js", "window.YTD.tweets.part0 = " + json.dumps([tweet(1)]))
        z.writestr("data/account.js", ACCOUNT)
    data = bytearray(path.read_bytes())
    for signature, flags, compression in ((b"PK\x03\x04", 6, 8), (b"PK\x01\x02", 8, 10)):
        at = data.find(signature)
        while at >= 0:
            if encrypted:
                data[at + flags] |= 1
            if method is not None:
                data[at + compression : at + compression + 2] = method.to_bytes(2, "little")
            at = data.find(signature, at + 4)
    path.write_bytes(bytes(data))
    return path


@pytest.mark.parametrize(
    "method, encrypted, message",
    [
        (None, True, "data/tweets.js is encrypted; unzip it with its password"),
        (9, False, "data/tweets.js is compressed with Deflate64, which can't be read here"),
        (12, False, "data/tweets.js is compressed with bzip2, which can't be read here"),
    ],
)
def test_zips_we_cannot_read_are_one_line(tmp_path, method, encrypted, message):
    path = zip_with(tmp_path / "export.zip", method, encrypted)
    result = build_result(tmp_path, path)
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: {path}: {message}")
    assert len(result.output.strip().splitlines()) == 1


def test_a_deeply_nested_account_js_is_a_problem(tmp_path):
    archive = export(tmp_path / "x", [tweet(1)])
    depth = 100_000
    (archive / "data" / "account.js").write_text("window.YTD.account.part0 = " + "[" * depth)
    db = build(tmp_path, archive)
    assert rows(db, "select id from tweets") == [(1,)]
    assert problems(db)[0][:2] == ("data/account.js", 0)


def test_a_deep_retweet_chain_is_read_one_level_deep(tmp_path):
    def chain(depth, tweet_id):
        # written as text: building 3,000 nested dicts would itself recurse too deep to dump
        head = [
            f'{{"id": {tweet_id + i}, "created_at": "2013-11-26 08:12:34 +0000", "text": "x", '
            f'"user": {{"screen_name": "u{i}", "id": {i + 1}}}'
            for i in range(depth + 1)
        ]
        return ', "retweeted_status": '.join(head) + "}" * (depth + 1)

    month = tmp_path / "gb" / "data" / "js" / "tweets"
    month.mkdir(parents=True)
    text = f"Grailbird.data.t =\n[{chain(3, 10)}, {chain(3_000, 100)}]"
    (month / "2013_11.js").write_text(text)
    db = build(tmp_path, tmp_path / "gb")
    assert rows(db, "select id, retweeted_id, text from tweets") == [(10, 11, "RT @u1: x")]
    assert problems(db) == [("data/js/tweets/2013_11.js", 2, "item 2 is nested too deeply to read")]


@pytest.mark.parametrize(
    "created_at",
    ["0001-01-01 00:30:00 +0100", "Mon Jan 01 00:30:00 +0100 0001", "9999-12-31 23:30:00 -0100"],
)
def test_dates_pushed_out_of_range_by_their_offset_are_problems(tmp_path, created_at):
    items = [{"tweet": {**tweet(1)["tweet"], "created_at": created_at}}, tweet(2)]
    deleted = [{"tweet": {**tweet(3)["tweet"], "deleted_at": "0001-01-01T00:00:00+01:00"}}]
    archive = export(tmp_path / "x", items)
    (archive / "data" / "deleted-tweets.js").write_text("x = " + json.dumps(deleted))
    (archive / "data" / "manifest.js").write_text(
        'x = {"archiveInfo": {"generationDate": "0001-01-01T00:00:00.000+05:00"}}'
    )
    db = build(tmp_path, archive, args=["--include-deleted"])
    assert rows(db, "select id, deleted_at from tweets order by id") == [(2, None), (3, None)]
    assert problems(db) == [
        ("data/tweets.js", 1, f"tweet #1: unreadable created_at {created_at!r}")
    ]


def test_ids_beyond_64_bits_are_problems_or_dropped(tmp_path):
    huge = str(2**63)
    items = [
        tweet(huge),
        tweet(-5),
        tweet(2, "@x hi https://twitter.com/x/status/" + huge,
              in_reply_to_status_id_str=huge, in_reply_to_user_id_str=huge,
              entities={"user_mentions": [{"screen_name": "x", "id_str": huge}],
                        "urls": [{"expanded_url": "https://twitter.com/x/status/" + huge}]},
              favorite_count=huge),
    ]  # fmt: skip
    archive = export(tmp_path / "x", items)
    (archive / "data" / "like.js").write_text(f'x = [{{"like": {{"tweetId": "{huge}"}}}}]')
    db = build(tmp_path, archive, args=["--include-likes"])
    assert rows(
        db, "select id, in_reply_to_id, in_reply_to_user_id, quoted_id, favorite_count from tweets"
    ) == [(2, None, None, None, None)]
    assert rows(db, "select screen_name, id < 0 from users where screen_name = 'x'") == [("x", 1)]
    assert problems(db) == [
        ("data/tweets.js", 1, f"tweet #1: tweet id '{huge}' is not a number from 1 to 2^63-1"),
        ("data/tweets.js", 2, "tweet #2: tweet id '-5' is not a number from 1 to 2^63-1"),
        ("data/like.js", 1, "like #1: no tweet id from 1 to 2^63-1"),
    ]


def test_markdown_ids_beyond_64_bits_are_problems_or_dropped(tmp_path):
    huge = 2**63
    archive = tmp_path / "archive"
    archive.mkdir()
    text = entry("too big", huge) + entry(
        f"Replying to [@x](https://twitter.com/x/status/{huge})\n\nquoting "
        f"https://twitter.com/x/status/{huge}",
        1212300000000000000,
    )
    (archive / "tweets_2020-01.md").write_text(text)
    db = build(tmp_path, archive)
    assert rows(db, "select id, in_reply_to_id, quoted_id from tweets") == [
        (1212300000000000000, None, None)
    ]
    assert problems(db) == [
        ("tweets_2020-01.md", 1, f"tweet id {huge} is out of range (1 to 2^63-1)")
    ]


# --- 11. Memory and time bombs --------------------------------------------------------------


@pytest.mark.slow
def test_a_deeply_nested_tweet_costs_neither_memory_nor_the_other_tweets(tmp_path):
    # 100,000 levels drove the build to 23.8 GB (growing with the square of the depth): 20,000
    # took 1 GB. Now the item is skipped once the JSON decoder's nesting bound is reached.
    depth = 20_000
    items = [tweet(1), {"tweet": {"id_str": "2", "junk": "DEEP"}}, tweet(3)]
    text = json.dumps(items).replace('"DEEP"', "[" * depth + "]" * depth)
    archive = export(tmp_path / "x", text)
    done, peak = peak_build_mb(tmp_path, archive)
    assert (done.returncode, done.stderr) == (0, "")
    assert peak < 400
    db = sqlite_utils.Database(tmp_path / "out.db")
    assert rows(db, "select id from tweets order by id") == [(1,), (3,)]
    assert problems(db) == [("data/tweets.js", 2, "item 2 is nested too deeply to read")]


@pytest.mark.slow
def test_a_zip_bomb_is_never_read_whole(tmp_path):
    # 200 MB strings in a 600 KB zip: account.js, one tweet, and a Markdown file
    big = 200
    path = tmp_path / "bomb.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("data/tweets.js", "window.YTD.tweets.part0 = " + json.dumps([tweet(1)]))
        with z.open("data/account.js", "w") as f:
            f.write(b'window.YTD.account.part0 = [{"account": {"username": "')
            for _ in range(big):
                f.write(b"a" * 1_000_000)
            f.write(b'"}}]')
        with z.open("data/tweets-part1.js", "w") as f:
            f.write(b'window.YTD.tweets.part1 = [{"tweet": {"id_str": "5", "full_text": "')
            for _ in range(big):
                f.write(b"b" * 1_000_000)
            f.write(b'"}}, ' + json.dumps(tweet(6)).encode() + b"]")
        with z.open("tweets_2020-01.md", "w") as f:
            f.write(b"(Originally on Twitter: [")
            for _ in range(big):
                f.write(b"c" * 1_000_000)
    done, peak = peak_build_mb(tmp_path, path)
    assert (done.returncode, done.stderr) == (0, "")
    assert peak < 400
    db = sqlite_utils.Database(tmp_path / "out.db")
    assert rows(db, "select id from tweets order by id") == [(1,), (6,)]
    assert [p[:2] for p in problems(db)] == [
        ("data/account.js", 0),  # too big: not read
        ("data/account.js", 0),  # so the owner is unknown
        ("data/tweets-part1.js", 1),  # too big: skipped
        ("tweets_2020-01.md", 0),  # too big: not read
    ]


def test_fifos_in_the_source_folder_are_never_opened(tmp_path):
    archive = tmp_path / "archive"
    (archive / "media").mkdir(parents=True)
    (archive / "tweets_2020-01.md").write_text(entry("![](media/1-a.jpg)", 1212300000000000000))
    for name in ["tweets_2020-02.md", "export.zip", "media/1-a.jpg"]:
        os.mkfifo(archive / name)
    done, _ = peak_build_mb(tmp_path, archive, timeout=30)
    assert (done.returncode, done.stderr) == (0, "")
    db = sqlite_utils.Database(tmp_path / "out.db")
    assert rows(db, "select id from tweets") == [(1212300000000000000,)]
    assert rows(db, "select path from media") == [(None,)]


@pytest.mark.slow
def test_thousands_of_long_posts_in_one_second_are_matched_in_linear_time(tmp_path):
    # Each tweet was compared with every note of its second, recomputing the note's text
    # each time: quadratic. 3,000 took 17 s; now 2 s, most of it starting Python.
    count = 3_000
    items = [tweet(i, f"post {i:05} is long…") for i in range(1, count + 1)]
    notes = [
        {"noteTweet": {"noteTweetId": str(10**6 + i), "createdAt": "2020-01-01T10:00:00.000Z",
                       "core": {"text": f"post {i:05} is long and complete"}}}
        for i in range(1, count + 1)
    ]  # fmt: skip
    archive = export(tmp_path / "x", items)
    (archive / "data" / "note-tweet.js").write_text("x = " + json.dumps(notes))
    started = time.perf_counter()
    done, _ = peak_build_mb(tmp_path, archive, timeout=60)
    assert (done.returncode, done.stderr) == (0, "")
    assert time.perf_counter() - started < 10
    db = sqlite_utils.Database(tmp_path / "out.db")
    assert rows(db, "select count(*) from tweets where text like '% and complete'") == [(count,)]
    assert problems(db) == []


def test_unreadable_circle_items_are_reported(tmp_path):
    archive = export(tmp_path / "x", [tweet(1), tweet(2)])
    (archive / "data" / "twitter-circle-tweet.js").write_text(
        'x = [{"tweet": {"id_str": "2"}}, ["x"], {"tweet": {"id_str": "zz"}}]'
    )
    db = build(tmp_path, archive)
    assert rows(db, "select id from tweets") == [(1,)]
    reason = "has no readable id: if tweets.js holds it too, it is imported as a public tweet"
    assert problems(db) == [
        ("data/twitter-circle-tweet.js", 2, f"Circle tweet #2 {reason}"),
        ("data/twitter-circle-tweet.js", 3, f"Circle tweet #3 {reason}"),
    ]


@pytest.mark.parametrize(
    "junk, reason",
    [
        ("junk " * 200_000, "items 2 to 1001 are all unreadable: the rest of the file is not read"),
        (
            "1, " * 200_000,
            "tweets #2 to #1001 are all unreadable: the rest of the file is not read",
        ),
    ],
)
@pytest.mark.parametrize("layout", ["official", "grailbird"])
def test_a_file_of_garbage_stops_after_a_thousand_problems(tmp_path, junk, reason, layout):
    # One problem row per few bytes would let a small file fill memory with problems.
    items = f"[{json.dumps(tweet(1)['tweet'])}, {junk}]"
    if layout == "official":
        source, path = export(tmp_path / "x", items), "data/tweets.js"
    else:
        path = "data/js/tweets/2020_01.js"
        (tmp_path / "gb" / path).parent.mkdir(parents=True)
        (tmp_path / "gb" / path).write_text(
            "Grailbird.data.t =\n"
            + items.replace('"id_str"', '"user": {"screen_name": "me"}, "id_str"')
        )
        source = tmp_path / "gb"
    db = build(tmp_path, source)
    assert rows(db, "select id from tweets") == [(1,)]
    found = problems(db)
    assert len(found) == 1001
    assert found[-1][0] == path and found[-1][2].endswith(reason)


def test_markdown_damage_is_listed_up_to_a_thousand_lines_then_counted(tmp_path):
    archive = tmp_path / "archive"
    archive.mkdir()
    text = entry("![](x.txt) " * 1500 + "\n\xff" * 700, 1212300000000000000)
    (archive / "tweets_2020-01.md").write_bytes(text.encode().replace("\xff".encode(), b"\xff"))
    db = build(tmp_path, archive)
    assert rows(db, "select count(*), count(path) from media") == [(1500, 0)]
    found = problems(db)
    assert len(found) == 1001
    assert found[-1] == (
        "tweets_2020-01.md",
        0,
        "1,200 more problems with damaged bytes or refused media in this file, not listed "
        "(only the first 1,000 are)",
    )
