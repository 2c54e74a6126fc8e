"""Text encodings an archive may come in: UTF-16 and UTF-32 with a byte-order mark, and
whitespace runs that must cost linear time (issue 15, items 9 and 14)."""

from __future__ import annotations

import json
from pathlib import Path

from . import (
    BOMS,
    FIRST_ID,
    MD_NAME,
    OWNER_ID,
    TWEETS_JS,
    Case,
    account_js,
    case,
    export,
    manifest_js,
    md_entry,
    tweet,
    tweets_js,
    write,
    zip_folder,
)
from .grailbird import MONTH, grailbird

TEXTS = ["naïve café", "東京 🐱 and a cat", "Привет, мир"]
THREE = [tweet(n, text) for n, text in enumerate(TEXTS)]
WHITESPACE_RUN = 64 * 1024 * 1024


def encoded(text: str, encoding: str) -> bytes:
    bom, codec = BOMS[encoding]
    return bom + text.encode(codec)


def texts_are(expected: list[str]):
    def check(db):
        assert [row[0] for row in db.execute("select text from tweets order by id")] == expected

    return check


def owner_is_read(db):
    assert [row[0] for row in db.execute("select distinct user_id from tweets")] == [int(OWNER_ID)]
    texts_are(TEXTS)(db)


def export_in(root: Path, encoding: str) -> Path:
    """An export whose tweets.js, manifest.js and account.js are all in `encoding`."""
    return export(
        root,
        encoded(tweets_js(THREE), encoding),
        owner=False,
        files={
            "manifest.js": encoded(manifest_js(), encoding),
            "account.js": encoded(account_js(), encoding),
        },
    )


def export_case(root: Path, name: str, encoding: str) -> Case:
    return Case(name, [export_in(root, encoding)], tweets=3, check=owner_is_read)


@case
def enc_export_utf8_bom(root):
    return export_case(root, "enc_export_utf8_bom", "UTF-8")


@case
def enc_export_utf16_le(root):
    return export_case(root, "enc_export_utf16_le", "UTF-16 LE")


@case
def enc_export_utf16_be(root):
    return export_case(root, "enc_export_utf16_be", "UTF-16 BE")


@case
def enc_export_utf32_le(root):
    return export_case(root, "enc_export_utf32_le", "UTF-32 LE")


@case
def enc_export_utf32_be(root):
    return export_case(root, "enc_export_utf32_be", "UTF-32 BE")


@case
def enc_export_utf16_le_zipped(root):
    archive = zip_folder(export_in(root / "folder", "UTF-16 LE"), root / "export.zip")
    return Case("enc_export_utf16_le_zipped", [archive], tweets=3, check=owner_is_read)


@case
def enc_utf16_damaged_code_unit(root):
    """A lone surrogate in the second tweet's text: that tweet keeps U+FFFD and is reported,
    the others are read as they are."""
    before, after = tweets_js(THREE).split("and a cat")
    bom, codec = BOMS["UTF-16 LE"]
    data = bom + before.encode(codec) + b"\x00\xd8" + ("and a cat" + after).encode(codec)
    export(root, data)
    return Case(
        "enc_utf16_damaged_code_unit",
        [root],
        tweets=3,
        problems=[(TWEETS_JS, 2)],
        reasons=["item 2 has bytes that are not UTF-16 (replaced with U+FFFD)"],
        check=texts_are([TEXTS[0], "東京 🐱 \ufffdand a cat", TEXTS[2]]),
    )


def markdown_in(encoding: str) -> bytes:
    entries = [md_entry(text, FIRST_ID + n) for n, text in enumerate(TEXTS)]
    return encoded("".join(entries), encoding)


@case
def enc_markdown_utf16_le(root):
    write(root / MD_NAME, markdown_in("UTF-16 LE"))
    return Case("enc_markdown_utf16_le", [root], tweets=3, check=texts_are(TEXTS))


@case
def enc_markdown_utf16_be_named_by_hand(root):
    """Not a name the parser writes, given as the SOURCE itself: recognised by its footers."""
    path = write(root / "my tweets.md", markdown_in("UTF-16 BE"))
    return Case("enc_markdown_utf16_be_named_by_hand", [path], tweets=3, check=texts_are(TEXTS))


@case
def enc_utf16_text_is_not_an_archive(root):
    """Not a binary file (its NUL bytes are UTF-16's), just not an archive."""
    path = write(root / "notes.txt", encoded("some notes, not tweets\n", "UTF-16 LE"))
    return Case(
        "enc_utf16_text_is_not_an_archive",
        [path],
        exit_code=1,
        message="notes.txt: not a Twitter archive (expected",
    )


@case
def enc_grailbird_month_utf16_le(root):
    grailbird(root)
    for path in (root / MONTH, root / "data/js/user_details.js"):
        write(path, encoded(path.read_text(), "UTF-16 LE"))

    def check(db):
        assert [row[0] for row in db.execute("select screen_name from users")] == ["fx_oldtimer"]

    return Case("enc_grailbird_month_utf16_le", [root], tweets=2, check=check)


@case
def enc_whitespace_run_between_tweets(root):
    """64 MB of spaces between two tweets: the reader rescanned the whole run at every chunk
    (25 s at 64 MB, 106 s at 128 MB)."""
    first, *rest = (json.dumps({"tweet": t}) for t in THREE)
    export(root, f"window.YTD.tweets.part0 = [{first},{' ' * WHITESPACE_RUN}{','.join(rest)}]")
    return Case("enc_whitespace_run_between_tweets", [root], tweets=3, isolate=True, max_seconds=10)


@case
def enc_blank_runs_before_the_array(root):
    """Blank lines and comments before the assignment and between it and the `[`, longer
    than the window the `[` is looked for in."""
    body = tweets_js(THREE).split(" = ", 1)[1]
    text = (
        "\r\n" * 100_000
        + "// exported by a tool that likes comments\n"
        + "window.YTD.tweets.part0 ="
        + "\n/* nothing here */" * 10_000
        + "\n"
        + body
    )
    export(root, text)
    return Case("enc_blank_runs_before_the_array", [root], tweets=3, check=texts_are(TEXTS))
