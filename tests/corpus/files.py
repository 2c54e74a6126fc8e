"""What SOURCE arguments can be: missing, empty, binary, damaged, encrypted or Deflate64 zips,
zip slip, symlinks out of the folder or in loops, stale temporary files from killed builds."""

from __future__ import annotations

import os
import time
import zipfile
from pathlib import Path

from . import MD_NAME, Case, case, export, md_file, tweet, write, zip_folder

THREE = [tweet(0), tweet(1), tweet(2)]


def refused(name: str, source: Path, message: str) -> Case:
    return Case(name, [source], exit_code=1, message=message)


@case
def input_missing(root):
    return refused("input_missing", root / "nothing-here", "no such file or folder")


@case
def input_empty_file(root):
    return refused("input_empty_file", write(root / "x.zip", b""), "the file is empty")


@case
def input_binary_file(root):
    source = write(root / "x.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00binary")
    return refused("input_binary_file", source, "a binary file")


@case
def input_text_not_an_archive(root):
    source = write(root / "notes.txt", "just some notes = [1, 2]\n")
    return refused("input_text_not_an_archive", source, "not a Twitter archive")


@case
def input_empty_folder(root):
    root.mkdir(parents=True)
    return refused("input_empty_folder", root, "no Twitter archive found")


@case
def input_empty_zip(root):
    source = write(root / "x.zip", b"PK\x05\x06" + b"\x00" * 18)
    return refused("input_empty_zip", source, "no Twitter archive found")


@case
def input_symlink_loop(root):
    root.mkdir(parents=True)
    (root / "loop").symlink_to("loop")
    return refused("input_symlink_loop", root / "loop", "loop")


def zipped_export(root: Path, **options) -> Path:
    export(root / "folder", THREE)
    return zip_folder(root / "folder", root / "export.zip", **options)


@case
def zip_truncated(root):
    source = zipped_export(root)
    source.write_bytes(source.read_bytes()[: source.stat().st_size // 2])
    return refused("zip_truncated", source, "not a readable zip file")


@case
def zip_damaged_member(root):
    source = zipped_export(root)
    data = bytearray(source.read_bytes())
    start = data.find(b"tweet number 1")
    data[start : start + 14] = b"X" * 14
    source.write_bytes(bytes(data))
    return refused("zip_damaged_member", source, "a zip file is damaged")


def patch_headers(source: Path, local_offset: int, central_offset: int, value: bytes) -> None:
    """Overwrite two bytes of every local and central header (flags or compression method)."""
    data = bytearray(source.read_bytes())
    with zipfile.ZipFile(source) as z:
        offsets = [info.header_offset for info in z.infolist()]
    for offset in offsets:
        data[offset + local_offset : offset + local_offset + 2] = value
    at = data.find(b"PK\x01\x02")
    while at >= 0:
        data[at + central_offset : at + central_offset + 2] = value
        at = data.find(b"PK\x01\x02", at + 4)
    source.write_bytes(bytes(data))


@case
def zip_encrypted(root):
    source = zipped_export(root)
    patch_headers(source, 6, 8, (1).to_bytes(2, "little"))  # general purpose flag: encrypted
    return refused("zip_encrypted", source, "encrypted")


@case
def zip_deflate64(root):
    source = zipped_export(root, compression=zipfile.ZIP_DEFLATED)
    patch_headers(source, 8, 10, (9).to_bytes(2, "little"))  # compression method 9: Deflate64
    return refused("zip_deflate64", source, "Deflate64")


@case
def zip_slip_members(root):
    """Members named ../../x or /x are never read (nor written anywhere: zips are not
    extracted)."""
    source = zipped_export(root)
    md = (root / "folder" / "data" / "tweets.js").read_text()
    entries = "hidden\n\n(Originally on Twitter: [Fri May 31 10:00:00 +0000 2019]"
    entries += "(https://twitter.com/evil/status/1134400000000000099))\n\n----\n"
    with zipfile.ZipFile(source, "a") as z:
        z.writestr("../../tweets_2019-05.md", entries)
        z.writestr("/tmp/tweets_2019-06.md", entries)
        z.writestr("../data/tweets.js", md.replace("tweet number", "slipped"))
    return Case("zip_slip_members", [source], tweets=3)


@case
def zip_backslash_member_names(root):
    export(root / "folder", THREE)
    source = root / "export.zip"
    with zipfile.ZipFile(source, "w") as z:
        for path in sorted((root / "folder").rglob("*.js")):
            z.write(path, str(path.relative_to(root / "folder")).replace("/", "\\"))
    return Case("zip_backslash_member_names", [source], tweets=3)


@case
def folder_holding_the_export_zip(root):
    zipped_export(root / "downloads")
    return Case("folder_holding_the_export_zip", [root / "downloads" / "export.zip"], tweets=3)


@case
def folder_with_markdown_and_a_broken_zip(root):
    md_file(root / MD_NAME, ["one", "two"])
    write(root / "export.zip", b"PK\x03\x04 not really a zip")
    return Case(
        "folder_with_markdown_and_a_broken_zip",
        [root],
        tweets=2,
        problems=[("export.zip", 0)],
        reasons=["not a readable zip file"],
    )


@case
def folder_symlinked_file_out_of_the_archive(root):
    outside = root.parent / "outside"
    md_file(outside / "tweets_2019-06.md", ["SECRET-OUTSIDE"], first_id=1134400000000000050)
    md_file(root / MD_NAME, ["one", "two"])
    (root / "tweets_2019-06.md").symlink_to(outside / "tweets_2019-06.md")
    return Case(
        "folder_symlinked_file_out_of_the_archive",
        [root],
        tweets=2,
        never_in_db=[b"SECRET-OUTSIDE"],
    )


@case
def folder_symlinked_folder_out_of_the_archive(root):
    outside = root.parent / "outside"
    export(outside, [tweet(5, "SECRET-OUTSIDE")])
    md_file(root / MD_NAME, ["one", "two"])
    (root / "data").symlink_to(outside / "data")
    return Case(
        "folder_symlinked_folder_out_of_the_archive",
        [root],
        tweets=2,
        never_in_db=[b"SECRET-OUTSIDE"],
    )


@case
def folder_with_symlink_loops(root):
    md_file(root / MD_NAME, ["one", "two", "three"])
    (root / "tweets_2019-06.md").symlink_to("tweets_2019-06.md")
    (root / "again").symlink_to(".")
    (root / "a").symlink_to("b")
    (root / "b").symlink_to("a")
    return Case("folder_with_symlink_loops", [root], tweets=3)


def stale(folder: Path) -> None:
    """Temporary databases of builds killed an hour ago."""
    folder.mkdir(parents=True, exist_ok=True)
    hour_ago = time.time() - 3600
    for name in (".archive.db.k1ll3d0x.tmp", ".archive.db.abc_1234.tmp"):  # mkstemp-shaped
        write(folder / name, b"SQLite format 3\x00" + b"\x00" * 4096)
        os.utime(folder / name, (hour_ago, hour_ago))


@case
def stale_temporary_databases(root):
    md_file(root / MD_NAME, ["one"])
    return Case("stale_temporary_databases", [root], tweets=1, prepare_out=stale)
