"""Zip files inside a SOURCE, duplicate member names, terminal escapes in names and texts,
and media names in either Unicode normalisation form (issue 15, items 10, 11, 13 and 15)."""

from __future__ import annotations

import unicodedata
import warnings
import zipfile
from pathlib import Path

from . import (
    FIRST_ID,
    MD_NAME,
    OWNER,
    TWEETS_JS,
    Case,
    account_js,
    case,
    export,
    manifest_js,
    md_file,
    media_paths,
    tweet,
    tweets_js,
    write,
    ytd,
    zip_folder,
)

TWENTY = [tweet(n) for n in range(20)]


def zip_members(target: Path, members: list[tuple[str, str | bytes]]) -> Path:
    """A zip of exactly these (name, content) members, in this order, names kept as given
    (the same name twice included)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns of a duplicate name: we want one
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as z:
            for name, content in members:
                z.writestr(name, content)
    return target


def owner_files() -> list[tuple[str, str]]:
    return [("data/manifest.js", manifest_js()), ("data/account.js", account_js())]


def sources_of(db) -> list[tuple[str, int]]:
    return [tuple(row) for row in db.execute("select name, entries from sources order by id")]


# Item 10: every member of a zip is read, whatever its name.


@case
def zip_two_members_named_tweets_js(root):
    """Two `data/tweets.js` of 10 different tweets each: the second is read as an archive of
    its own (the zip with that copy), merged by tweet id like any two sources."""
    source = zip_members(
        root / "x.zip",
        [
            *owner_files(),
            (TWEETS_JS, tweets_js(TWENTY[:10])),
            (TWEETS_JS, tweets_js(TWENTY[10:])),
        ],
    )

    def check(db):
        assert sources_of(db) == [("x.zip", 10), ("x.zip (copy 2)", 10)]

    return Case("zip_two_members_named_tweets_js", [source], tweets=20, check=check)


@case
def zip_aliased_member_names(root):
    """`data/./tweets.js` and `data\\tweets.js` both name data/tweets.js; an identical third
    copy adds nothing and is not read again."""
    first, second = tweets_js(TWENTY[:10]), tweets_js(TWENTY[10:])
    source = zip_members(
        root / "x.zip",
        [
            *owner_files(),
            ("data/./tweets.js", first),
            ("data\\tweets.js", second),
            (TWEETS_JS, first),
        ],
    )

    def check(db):
        assert sources_of(db) == [("x.zip", 10), ("x.zip (copy 2)", 10)]
        assert db.execute("select count(*) from tweet_sources").fetchone() == (20,)

    return Case("zip_aliased_member_names", [source], tweets=20, check=check)


@case
def zip_three_copies_in_a_folder(root):
    """A folder holding a zip with three copies of tweets.js: three sources."""
    zip_members(
        root / "downloads" / "x.zip",
        [*owner_files(), *[(TWEETS_JS, tweets_js(TWENTY[n : n + 7])) for n in (0, 7, 14)]],
    )
    return Case("zip_three_copies_in_a_folder", [root / "downloads"], tweets=20)


# Item 11: a zip that can't be read costs only itself, and a member only itself.


def set_flag(source: Path, members: set[str], local: int, central: int, value: int) -> None:
    """Two bytes of the local and central headers of `members` (flags or method)."""
    data = bytearray(source.read_bytes())
    with zipfile.ZipFile(source) as z:
        offsets = [i.header_offset for i in z.infolist() if i.filename in members]
        central_start = z.start_dir
    for offset in offsets:
        data[offset + local : offset + local + 2] = value.to_bytes(2, "little")
    at = data.find(b"PK\x01\x02", central_start)
    while at >= 0:
        name_length = int.from_bytes(data[at + 28 : at + 30], "little")
        if data[at + 46 : at + 46 + name_length].decode() in members:
            data[at + central : at + central + 2] = value.to_bytes(2, "little")
        at = data.find(b"PK\x01\x02", at + 4)
    source.write_bytes(bytes(data))


def encrypt(source: Path, *members: str) -> Path:
    set_flag(source, set(members), 6, 8, 1)  # general purpose flag bit 0: encrypted
    return source


def deflate64(source: Path, *members: str) -> Path:
    set_flag(source, set(members), 8, 10, 9)  # compression method 9
    return source


@case
def folder_with_an_export_and_an_encrypted_zip(root):
    export(root / "archive", [tweet(0), tweet(1), tweet(2)])
    export(root / "other", [tweet(5), tweet(6)])
    encrypt(zip_folder(root / "other", root / "archive" / "old.zip"), TWEETS_JS)
    return Case(
        "folder_with_an_export_and_an_encrypted_zip",
        [root / "archive"],
        tweets=3,
        problems=[("old.zip", 0)],
        reasons=["data/tweets.js is encrypted; unzip it with its password"],
    )


@case
def folder_with_an_export_and_a_damaged_zip(root):
    export(root / "archive", [tweet(0), tweet(1), tweet(2)])
    write(root / "archive" / "sub" / "copy.zip", b"PK\x03\x04 cut short")
    return Case(
        "folder_with_an_export_and_a_damaged_zip",
        [root / "archive"],
        tweets=3,
        problems=[("sub/copy.zip", 0)],
        reasons=["not a readable zip file"],
    )


@case
def folder_with_only_a_damaged_zip(root):
    write(root / "archive" / "export.zip", b"PK\x03\x04 cut short")
    return Case(
        "folder_with_only_a_damaged_zip",
        [root / "archive"],
        exit_code=1,
        message="export.zip: not a readable zip file",
    )


@case
def folder_with_only_an_encrypted_zip(root):
    export(root / "other", [tweet(5), tweet(6)])
    (root / "archive").mkdir()
    encrypt(zip_folder(root / "other", root / "archive" / "export.zip"), TWEETS_JS)
    return Case(
        "folder_with_only_an_encrypted_zip",
        [root / "archive"],
        exit_code=1,
        message="export.zip: data/tweets.js is encrypted; unzip it with its password",
    )


@case
def zip_with_only_private_members_encrypted(root):
    """Direct messages we never read, encrypted or compressed with Deflate64: nothing lost,
    nothing to report."""
    export(root / "folder", [tweet(0), tweet(1), tweet(2)])
    write(root / "folder" / "data" / "direct-messages.js", ytd("dms", [{"text": "secret"}]))
    write(root / "folder" / "data" / "direct_messages_media" / "1-a.jpg", b"\xff\xd8 private")
    source = zip_folder(root / "folder", root / "x.zip", compression=zipfile.ZIP_DEFLATED)
    encrypt(source, "data/direct-messages.js")
    deflate64(source, "data/direct_messages_media/1-a.jpg")
    return Case("zip_with_only_private_members_encrypted", [source], tweets=3)


@case
def zip_with_a_tweets_part_in_deflate64(root):
    """Windows compresses big members with Deflate64: the part that can't be read is one
    problem row, the other parts are read."""
    files = {"tweets-part1.js": tweets_js([tweet(5), tweet(6)])}
    export(root / "folder", [tweet(0), tweet(1), tweet(2)], files=files)
    source = zip_folder(root / "folder", root / "x.zip", compression=zipfile.ZIP_DEFLATED)
    deflate64(source, "data/tweets-part1.js")
    return Case(
        "zip_with_a_tweets_part_in_deflate64",
        [source],
        tweets=3,
        problems=[("data/tweets-part1.js", 0)],
        reasons=["can't be read: it is compressed with Deflate64"],
    )


@case
def zip_with_an_encrypted_photo(root):
    """A tweet's photo that can't be read: the tweet is kept without it, and the member is
    named in a problem row."""

    def with_photo(n: int, key: str) -> dict:
        photo = {"type": "photo", "media_url_https": f"https://pbs.twimg.com/media/{key}.jpg"}
        return tweet(n, entities={"media": [photo]}, extended_entities={"media": [photo]})

    name, other = f"tweets_media/{FIRST_ID}-AbCd.jpg", f"tweets_media/{FIRST_ID + 1}-EfGh.jpg"
    export(
        root / "folder",
        [with_photo(0, "AbCd"), with_photo(1, "EfGh")],
        files={name: b"\xff\xd8\xff\xe0 a jpeg", other: b"\xff\xd8\xff\xe0 another"},
    )
    source = encrypt(zip_folder(root / "folder", root / "x.zip"), f"data/{name}")

    def check(db):
        assert media_paths(db) == [f"data/{other}"]
        assert db.execute("select count(*) from media").fetchone() == (2,)

    return Case(
        "zip_with_an_encrypted_photo",
        [source],
        tweets=2,
        problems=[(f"data/{name}", 0)],
        reasons=["can't be read: it is encrypted"],
        check=check,
    )


# Item 13: nothing an archive holds can act on the terminal (test_corpus checks every case's
# output for raw control characters).

ESCAPES = "\x1b]0;owned\x07\x1b[2J\x1b[1A\r\u202e"


@case
def terminal_escapes_in_names_and_texts(root):
    folder = root / f"archive{ESCAPES}"
    account = ytd("account", [{"account": {"username": f"own{ESCAPES}er", "accountId": "7"}}])
    export(folder, [tweet(0), tweet(1)], owner=False, files={"account.js": account})
    md = f"{ESCAPES}\nproblems 0.md"
    entries = "no footer here\n\n----\n\n" + "hi\n\n(Originally on Twitter: [Fri May 31 10:00:00"
    entries += f" +0000 2019](https://twitter.com/{OWNER}/status/{FIRST_ID + 9}))\n\n----\n"
    write(folder / md, entries)
    return Case(
        "terminal_escapes_in_names_and_texts",
        [folder],
        tweets=3,
        problems=[(md, 1)],
        reasons=["no footer"],
    )


@case
def terminal_escapes_in_an_error_line(root):
    return Case(
        "terminal_escapes_in_an_error_line",
        [root / f"gone{ESCAPES}\nproblems 0"],
        exit_code=1,
        message="no such file or folder",
    )


# Item 15: a media reference finds its file in either normalisation form.

CAFE = "caf\u00e9"  # é composed (NFC); decomposed (NFD) it is e + U+0301


def markdown_with_media(root: Path, referenced: str, stored: str) -> Path:
    md_file(root / MD_NAME, [f"a photo\n\n![](media/{referenced}.jpg)"])
    write(root / "media" / f"{stored}.jpg", b"\xff\xd8\xff\xe0 a jpeg")
    return root


def media_named(name: str, stored: str, zipped: bool):
    def make(root):
        nfc, nfd = unicodedata.normalize("NFC", CAFE), unicodedata.normalize("NFD", CAFE)
        referenced = nfd if stored == nfc else nfc
        source = markdown_with_media(root / "folder", referenced, stored)
        if zipped:
            source = zip_folder(source, root / "x.zip")

        def check(db):
            assert media_paths(db) == [f"media/{stored}.jpg"]

        return Case(name, [source], tweets=1, check=check)

    make.__name__ = name
    return case(make)


for form in ("NFC", "NFD"):
    for zipped in (False, True):
        media_named(
            f"markdown_media_stored_{form.lower()}{'_zipped' if zipped else ''}",
            unicodedata.normalize(form, CAFE),
            zipped,
        )
