import os
import zipfile

import pytest

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
