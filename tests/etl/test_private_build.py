"""`tweets-etl build --private`: the owner's own database (issue 19)."""

import zipfile

import pytest
import sqlite_utils

from tests.helpers.build import run_build
from tests.helpers.paths import FIXTURES

MARKER_TABLE = "private_archive"  # etl/private_wall.py
PRIVATE = FIXTURES / "private"  # an invented export without its tweets file
MODERN = FIXTURES / "official" / "modern"


def test_a_private_build_takes_an_export_without_tweets_and_marks_the_database(tmp_path):
    result = run_build(tmp_path / "p.db", PRIVATE, args=["--private"])
    assert result.exit_code == 0, result.output
    db = sqlite_utils.Database(tmp_path / "p.db")
    assert db[MARKER_TABLE].count == 1
    assert db["tweets"].count == 0
    assert [(s["format"], s["owner_screen_name"]) for s in db["sources"].rows] == [
        ("official", "fixture_owner")
    ]


def test_a_normal_build_of_an_export_without_tweets_still_fails(tmp_path):
    result = run_build(tmp_path / "p.db", PRIVATE)
    assert result.exit_code == 1
    assert "no Twitter archive found" in result.output
    assert not (tmp_path / "p.db").exists()


def test_private_turns_on_every_include_option(tmp_path):
    result = run_build(tmp_path / "p.db", MODERN, args=["--private"])
    assert result.exit_code == 0, result.output
    assert "left out" not in result.output
    db = sqlite_utils.Database(tmp_path / "p.db")
    plain = run_build(
        tmp_path / "n.db", MODERN, args=["--include-deleted", "--include-circle", "--include-likes"]
    )
    assert plain.exit_code == 0, plain.output
    normal = sqlite_utils.Database(tmp_path / "n.db")
    assert [r["id"] for r in db.query("select id from tweets order by id")] == [
        r["id"] for r in normal.query("select id from tweets order by id")
    ]
    assert db["likes"].count == normal["likes"].count > 0
    assert db[MARKER_TABLE].count == 1
    assert MARKER_TABLE not in normal.table_names()


@pytest.mark.parametrize("given", ["zip", "folder holding the zip"])
def test_a_private_build_takes_the_zip_of_an_export_without_tweets(tmp_path, given):
    folder = tmp_path / "downloads"
    folder.mkdir()
    zipped = folder / "twitter-2024-01-02-abc.zip"
    with zipfile.ZipFile(zipped, "w") as z:
        for path in sorted(PRIVATE.rglob("*")):
            if path.is_file():
                z.write(path, path.relative_to(PRIVATE).as_posix())
    result = run_build(tmp_path / "p.db", zipped if given == "zip" else folder, args=["--private"])
    assert result.exit_code == 0, result.output
    db = sqlite_utils.Database(tmp_path / "p.db")
    assert (db[MARKER_TABLE].count, db["dm_messages"].count) == (1, 7)
    assert [row["location"] for row in db["sources"].rows] == [str(zipped)]
