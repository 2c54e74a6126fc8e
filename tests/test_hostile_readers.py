"""Hostile and damaged archives, read end to end through `tweets-etl build` (issue 8).

Each test builds a small archive written here, in tmp_path, and checks what was kept and what
was reported; the memory tests run the build in a subprocess and bound its peak.
"""

import json
import subprocess
import sys

import pytest
import sqlite_utils

from .conftest import ROOT, run_build

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
        "r = subprocess.run([sys.executable, '-m', 'etl', 'build', '-q', *sys.argv[1:]])\n"
        "print(r.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(tmp_path / "out.db"), str(source)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
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
        (0, None, ref.split("/")[-1]),
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
    assert rows(db, "select path, filename from media") == [(None, ".env")]
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
