import os
import unicodedata
import warnings
import zipfile

import pytest

from etl.prefetch import in_child
from etl.sources import FolderTree, SourceError, ZipTree, open_tree, safe_join


@pytest.mark.parametrize(
    "base, ref, expected",
    [
        ("tweets_2019-06.md", "media/a.jpg", "media/a.jpg"),
        ("out/tweets-md/2022/x.md", "../../media/a.jpg", "out/media/a.jpg"),
        ("tweets-md/2022/x.md", "../../media/a.jpg", "media/a.jpg"),
        ("x.md", "../media/a.jpg", None),
        ("x.md", "media/../../a.jpg", None),
        ("x.md", "/etc/passwd", None),
        ("x.md", "C:\\Windows\\win.ini", None),
        ("x.md", "https://t.co/abc", None),
        ("x.md", "media\\a.jpg", "media/a.jpg"),
        ("x.md", "", None),
    ],
)
def test_safe_join_keeps_references_inside_the_archive(base, ref, expected):
    assert safe_join(base, ref) == expected


def test_folder_tree_ignores_symlinks_that_leave_the_folder(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("private")
    root = tmp_path / "archive"
    (root / "media").mkdir(parents=True)
    (root / "media" / "ok.jpg").write_bytes(b"jpg")
    os.symlink(secret, root / "media" / "evil.jpg")
    tree = FolderTree(root)
    assert tree.files() == ["media/ok.jpg"]
    assert tree.size("media/ok.jpg") == 3
    assert tree.size("media/evil.jpg") is None
    with pytest.raises(FileNotFoundError):
        tree.read_bytes("../secret.txt")


def test_zip_tree_reads_members_in_place_and_drops_escaping_names(tmp_path):
    path = tmp_path / "archive.zip"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("tweets_2019-06.md", "hello")
        z.writestr("../evil.md", "nope")
        z.writestr("/abs.md", "nope")
        z.writestr("__MACOSX/._tweets_2019-06.md", "junk")
    tree = open_tree(str(path))
    assert isinstance(tree, ZipTree)
    assert tree.files() == ["tweets_2019-06.md"]
    assert tree.read_text("tweets_2019-06.md") == "hello"
    assert tree.size("missing.jpg") is None
    assert not (tmp_path / "evil.md").exists()


@pytest.mark.parametrize(
    "content, message",
    [(b"", "the file is empty"), (b"PK\x03\x04garbage", "not a readable zip file")],
)
def test_unreadable_files_raise_one_clear_error(tmp_path, content, message):
    path = tmp_path / "input"
    path.write_bytes(content)
    with pytest.raises(SourceError, match=message):
        open_tree(str(path))


def test_folder_tree_follows_no_symlink_even_inside_the_folder(tmp_path):
    (tmp_path / "DMs").mkdir()
    (tmp_path / "DMs" / "photo.jpg").write_bytes(b"private")
    (tmp_path / "media").mkdir()
    os.symlink("../DMs/photo.jpg", tmp_path / "media" / "1-a.jpg")
    os.symlink("../DMs", tmp_path / "media" / "dms")
    tree = FolderTree(tmp_path)
    assert [tree.size("media/1-a.jpg"), tree.size("media/dms/photo.jpg")] == [None, None]
    for path in ["media/1-a.jpg", "media/dms/photo.jpg", "../x"]:
        with pytest.raises(FileNotFoundError):
            tree.read_bytes(path)
    assert tree.size("DMs/photo.jpg") == 7


def write_zip(path, members):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a duplicate name is what these tests are about
        with zipfile.ZipFile(path, "w") as z:
            for name, content in members:
                z.writestr(name, content)
    return path


def test_a_zip_with_several_members_of_one_name_shows_each_in_a_layer(tmp_path):
    path = write_zip(
        tmp_path / "x.zip",
        [
            ("data/account.js", "owner"),
            ("data/tweets.js", "first"),
            ("data/./tweets.js", "second"),
            ("data\\tweets.js", "third"),
            ("data/tweets.js", "first"),  # the same bytes again: nothing new to read
        ],
    )
    tree = ZipTree(path)
    layers = tree.layers()
    assert [
        (t.files(), sorted(t.own), t.read_text("data/tweets.js"), t.read_text("data/account.js"))
        for t in [tree, *layers]
    ] == [
        # the last of a name first, as unzip would leave it
        (["data/account.js", "data/tweets.js"], [], "first", "owner"),
        (["data/account.js", "data/tweets.js"], ["data/tweets.js"], "third", "owner"),
        (["data/account.js", "data/tweets.js"], ["data/tweets.js"], "second", "owner"),
    ]


def set_encrypted(path, name):
    """Mark one member encrypted (general purpose flag, bit 0) in the central directory."""
    data = bytearray(path.read_bytes())
    at = data.find(b"PK\x01\x02")
    while at >= 0:
        length = int.from_bytes(data[at + 28 : at + 30], "little")
        if data[at + 46 : at + 46 + length] == name.encode():
            data[at + 8] |= 1
        at = data.find(b"PK\x01\x02", at + 4)
    path.write_bytes(bytes(data))


def test_a_zip_keeps_out_members_it_cannot_read_and_notes_those_looked_for(tmp_path):
    path = write_zip(
        tmp_path / "x.zip",
        [("data/tweets.js", "[]"), ("data/tweets_media/1-a.jpg", "jpg"), ("data/dm.js", "x")],
    )
    set_encrypted(path, "data/tweets_media/1-a.jpg")
    set_encrypted(path, "data/dm.js")
    tree = ZipTree(path)
    assert tree.files() == ["data/tweets.js"]
    assert sorted(tree.unreadable) == ["data/dm.js", "data/tweets_media/1-a.jpg"]
    assert tree.find("data/tweets_media/1-a.jpg") is None
    assert tree.refused == {
        "data/tweets_media/1-a.jpg": "encrypted; unzip it with its password and build from "
        "the folder"
    }


NFC, NFD = unicodedata.normalize("NFC", "café"), unicodedata.normalize("NFD", "café")


def media_tree(kind, tmp_path, stored):
    folder = tmp_path / "archive"
    (folder / "media").mkdir(parents=True)
    (folder / "media" / f"{stored}.jpg").write_bytes(b"jpg")
    (folder / "tweets_2019-06.md").write_text("notes")
    if kind == "folder":
        return FolderTree(folder)
    if kind == "single file":
        return open_tree(str(folder / "tweets_2019-06.md"))
    with zipfile.ZipFile(tmp_path / "x.zip", "w") as z:
        z.write(folder / "media" / f"{stored}.jpg", f"media/{stored}.jpg")
    return ZipTree(tmp_path / "x.zip")


@pytest.mark.parametrize("kind", ["folder", "single file", "zip"])
@pytest.mark.parametrize("stored, asked", [(NFC, NFD), (NFD, NFC)])
def test_find_gives_the_stored_name_of_a_file_named_in_the_other_normalisation_form(
    tmp_path, kind, stored, asked
):
    tree = media_tree(kind, tmp_path, stored)
    assert [tree.find(f"media/{asked}.jpg"), tree.find(f"media/{stored}.jpg")] == [
        f"media/{stored}.jpg",
        f"media/{stored}.jpg",
    ]
    assert [tree.find("media/cafe.jpg"), tree.find(f"other/{asked}.jpg")] == [None, None]


@pytest.mark.parametrize("kind", ["folder", "zip"])
def test_find_lists_nothing_while_every_name_is_found_as_spelled(tmp_path, kind):
    tree = media_tree(kind, tmp_path, NFD)
    assert tree.find(f"media/{NFD}.jpg") == f"media/{NFD}.jpg"
    assert tree._spellings is None


def read_in_chunks(tree, name, size=1 << 16):
    with tree.open(name) as f:
        while chunk := f.read(size):
            yield chunk


def test_a_zip_read_in_a_forked_child_and_its_parent_at_once_gives_each_its_own_bytes(tmp_path):
    # The build reads tweets in a forked child (etl/prefetch.py) while the parent reads the
    # DMs and account files of the same zip: a file offset shared by the two mixed them up.
    members = {
        "data/tweets.js": bytes(range(256)) * 40_000,
        "data/like.js": bytes(reversed(range(256))) * 40_000,
    }
    path = tmp_path / "export.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as z:
        for name, content in members.items():
            z.writestr(name, content)
    tree = ZipTree(path)
    in_parent = []
    in_child_chunks = []
    parent_reads = read_in_chunks(tree, "data/like.js")
    for chunk in in_child(lambda: read_in_chunks(tree, "data/tweets.js"), batch=1):
        in_child_chunks.append(chunk)
        in_parent.append(next(parent_reads, b""))
    in_parent.extend(parent_reads)
    assert (b"".join(in_child_chunks), b"".join(in_parent)) == (
        members["data/tweets.js"],
        members["data/like.js"],
    )
