"""twitter-archive-parser Markdown: private files as media, bad bytes, impossible ids and dates."""

from __future__ import annotations

from pathlib import Path

from . import (
    DATE,
    FIRST_ID,
    MD_NAME,
    Case,
    case,
    md_entry,
    md_file,
    media_paths,
    no_media_path,
    write,
)

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def private_reference(root: Path, name: str, ref: str, secret_path: str) -> Case:
    """An entry whose media reference names a private file that exists in the archive."""
    write(root / secret_path, f"SECRET-{name.upper()}: never published\n")
    lines = md_file(root / MD_NAME, ["before", f"look at this ![]({ref}) file", "after"])
    return Case(
        name,
        [root],
        tweets=3,
        problems=[(MD_NAME, lines[1])],
        reasons=["refused"],
        check=no_media_path(secret_path.rsplit("/", 1)[-1]),
        secrets=[f"SECRET-{name.upper()}".encode()],
    )


@case
def md_media_in_media_folder(root):
    write(root / "media" / f"{FIRST_ID + 1}-photo.png", PNG)
    md_file(root / MD_NAME, ["no media", f"a photo ![](media/{FIRST_ID + 1}-photo.png)"])

    def check(db):
        assert media_paths(db) == [f"media/{FIRST_ID + 1}-photo.png"]

    return Case("md_media_in_media_folder", [root], tweets=2, check=check)


@case
def md_private_followers_txt(root):
    c = private_reference(root, "md_private_followers_txt", "followers.txt", "followers.txt")
    c.publish = True
    return c


@case
def md_private_dm_file(root):
    return private_reference(
        root, "md_private_dm_file", "DMs/DMs-Archive-1.md", "DMs/DMs-Archive-1.md"
    )


@case
def md_private_dotdot_through_media(root):
    return private_reference(
        root, "md_private_dotdot_through_media", "media/../secret.txt", "secret.txt"
    )


@case
def md_private_backslash_dotdot(root):
    return private_reference(
        root, "md_private_backslash_dotdot", "media\\..\\secret.txt", "secret.txt"
    )


@case
def md_private_dm_as_video(root):
    write(root / "DMs" / "DMs-Archive-1.md", "SECRET-DMVIDEO\n")
    video = '<video controls><source src="DMs/DMs-Archive-1.md" type="video/mp4"></video>'
    lines = md_file(root / MD_NAME, ["before", f"a video {video}", "after"])
    return Case(
        "md_private_dm_as_video",
        [root],
        tweets=3,
        problems=[(MD_NAME, lines[1])],
        reasons=["refused"],
        check=no_media_path("DMs-Archive-1.md"),
    )


@case
def md_private_env_next_to_single_md(root):
    """A lone .md file as SOURCE: its folder is the root, so `.env` beside it was reachable."""
    write(root / ".env", "SECRET-ENV=hunter2\n")
    lines = md_file(root / MD_NAME, ["before", "config ![](.env) here"])
    return Case(
        "md_private_env_next_to_single_md",
        [root / MD_NAME],
        tweets=2,
        problems=[(MD_NAME, lines[1])],
        reasons=["refused"],
        check=no_media_path(".env"),
        publish=True,
        secrets=[b"SECRET-ENV"],
    )


def active_media(root: Path, name: str, content: str) -> Case:
    """HTML or SVG in media/: a browser would run it if it were served as media."""
    write(root / "media" / name, content)
    lines = md_file(root / MD_NAME, ["before", f"active ![](media/{name}) content"])
    return Case(
        f"md_active_media_{name.rsplit('.', 1)[1]}",
        [root],
        tweets=2,
        problems=[(MD_NAME, lines[1])],
        reasons=["refused"],
        check=no_media_path(name),
        publish=True,
        secrets=[b"alert(document.domain)"],
    )


@case
def md_active_media_html(root):
    return active_media(root, "x.html", "<script>alert(document.domain)</script>")


@case
def md_active_media_svg(root):
    svg = '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(document.domain)"/>'
    return active_media(root, "x.svg", svg)


@case
def md_media_absolute_path(root):
    lines = md_file(root / MD_NAME, ["before", "passwd ![](/etc/passwd) here"])
    return Case(
        "md_media_absolute_path",
        [root],
        tweets=2,
        problems=[(MD_NAME, lines[1])],
        reasons=["refused"],
        check=no_media_path("passwd"),
    )


@case
def md_media_symlink_out_of_the_archive(root):
    """media/evil.png links to a file outside the SOURCE: refused (held before the fix)."""
    outside = write(root.parent / "outside" / "secret.png", PNG + b"SECRET-OUTSIDE")
    (root / "media").mkdir(parents=True)
    (root / "media" / "evil.png").symlink_to(outside)
    md_file(root / MD_NAME, ["before", "evil ![](media/evil.png) here"])
    return Case(
        "md_media_symlink_out_of_the_archive",
        [root],
        tweets=2,
        check=no_media_path("evil.png"),
    )


@case
def md_media_symlink_loop(root):
    (root / "media").mkdir(parents=True)
    (root / "media" / "loop.png").symlink_to("loop.png")
    md_file(root / MD_NAME, ["before", "loop ![](media/loop.png) here"])
    return Case("md_media_symlink_loop", [root], tweets=2, check=no_media_path("loop.png"))


@case
def md_invalid_utf8(root):
    lines = md_file(root / MD_NAME, ["first", "caf\udce9 in Latin-1", "third", "fourth"])
    return Case(
        "md_invalid_utf8", [root], tweets=4, problems=[(MD_NAME, lines[1])], reasons=["U+FFFD"]
    )


@case
def md_invalid_utf8_in_second_file(root):
    md_file(root / "tweets_2019-04.md", ["april"], first_id=FIRST_ID - 10)
    lines = md_file(root / MD_NAME, ["ok", "ok", "bad \udcff\udcfe bytes", "ok"])
    return Case("md_invalid_utf8_in_second_file", [root], tweets=5, problems=[(MD_NAME, lines[2])])


@case
def md_nul_in_first_64k(root):
    lines = md_file(root / MD_NAME, ["first", "a NUL \x00 here", "third"])
    return Case(
        "md_nul_in_first_64k", [root], tweets=3, problems=[(MD_NAME, lines[1])], reasons=["U+FFFD"]
    )


def bad_footer(root: Path, name: str, footer_entry: str) -> Case:
    text = md_entry("first", FIRST_ID) + footer_entry + md_entry("third", FIRST_ID + 2)
    write(root / MD_NAME, text)
    return Case(name, [root], tweets=2, problems=[(MD_NAME, 7)])


@case
def md_footer_id_2_63(root):
    return bad_footer(root, "md_footer_id_2_63", md_entry("huge id", 2**63))


@case
def md_footer_id_20_digits(root):
    return bad_footer(root, "md_footer_id_20_digits", md_entry("huge id", 10**20 - 1))


@case
def md_date_year_0001_with_offset(root):
    entry = md_entry("ancient", FIRST_ID + 1, date="Mon Jan 01 00:30:00 +0100 0001")
    return bad_footer(root, "md_date_year_0001_with_offset", entry)


@case
def md_date_year_9999_with_offset(root):
    entry = md_entry("far future", FIRST_ID + 1, date="Fri Dec 31 23:30:00 -0100 9999")
    return bad_footer(root, "md_date_year_9999_with_offset", entry)


@case
def md_garbled_date(root):
    entry = md_entry("garbled", FIRST_ID + 1, date="Wed Jan 99 10:00:00 +0000 2020")
    return bad_footer(root, "md_garbled_date", entry)


@case
def md_entry_without_footer(root):
    text = md_entry("first", FIRST_ID) + "lost its footer\n\n----\n\n" + md_entry("x", FIRST_ID + 2)
    write(root / MD_NAME, text)
    return Case("md_entry_without_footer", [root], tweets=2, problems=[(MD_NAME, 7)])


@case
def md_no_entry_readable(root):
    """Entries but not one tweet stored: exit 1 with one line, not an empty database."""
    bad = "Wed Jan 99 10:00:00 +0000 2020"
    write(root / MD_NAME, md_entry("a", FIRST_ID, date=bad) + md_entry("b", FIRST_ID + 1, date=bad))
    return Case("md_no_entry_readable", [root], exit_code=1, message="no tweet")


@case
def md_crlf_and_bom(root):
    text = "\ufeff" + md_entry("one", FIRST_ID) + md_entry("two", FIRST_ID + 1)
    write(root / MD_NAME, text.replace("\n", "\r\n"))

    def check(db):
        assert [r[0] for r in db.execute("select text from tweets order by id")] == ["one", "two"]

    return Case("md_crlf_and_bom", [root], tweets=2, check=check)


@case
def md_separator_and_markup_in_text(root):
    texts = ["above\n----\nbelow", "<script>alert(1)</script> &amp; <b>bold</b>", "\u202egnp.exe"]
    md_file(root / MD_NAME, texts)

    def check(db):
        assert [r[0] for r in db.execute("select text from tweets order by id")] == [
            "above\n----\nbelow",
            "<script>alert(1)</script> & <b>bold</b>",
            "\u202egnp.exe",
        ]

    return Case("md_separator_and_markup_in_text", [root], tweets=3, check=check)


@case
def md_remote_media_link(root):
    md_file(root / MD_NAME, ["remote ![](https://t.co/abc) photo"])

    def check(db):
        assert list(db.execute("select path, url from media")) == [(None, "https://t.co/abc")]

    return Case("md_remote_media_link", [root], tweets=1, check=check)


@case
def md_layout_with_parent_media_paths(root):
    """tweets-md/YYYY/ files name media as ../../media/...: legitimate, kept as media."""
    name = f"{FIRST_ID}-photo.png"
    write(root / "media" / name, PNG)
    md = "> a photo\n>\n> ![](../../media/" + name + ")\n\n"
    md += '<img src="../../media/tweet.ico" width="12" /> '
    md += f"[{DATE}](https://twitter.com/corpus_owner/status/{FIRST_ID})\n\n----\n"
    write(root / "tweets-md" / "2019" / "2019-05-01-tweets.md", md)

    def check(db):
        assert media_paths(db) == [f"media/{name}"]

    return Case("md_layout_with_parent_media_paths", [root], tweets=1, check=check)
