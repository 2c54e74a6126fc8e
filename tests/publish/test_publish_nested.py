"""An archive inside a folder of the SOURCE (~/Downloads holding the unzipped export, a zip
whose export sits in a folder of its own): its media paths are relative to the SOURCE, and
publishing must find them there."""

import shutil
import zipfile

import pytest
import sqlite_utils
from click.testing import CliRunner

from etl.cli import cli
from tests.helpers.build import run_build
from tests.helpers.paths import FIXTURES

EXPORT = FIXTURES / "official" / "modern"


def zipped(folder, target):
    with zipfile.ZipFile(target, "w") as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, path.relative_to(folder.parent).as_posix())
    return target


@pytest.mark.slow
@pytest.mark.parametrize("shape", ["folder", "zip"])
def test_an_export_in_a_folder_of_the_source_publishes_with_its_media(tmp_path, shape):
    downloads = tmp_path / "Downloads"
    export = downloads / "twitter-2024-05-01"
    shutil.copytree(EXPORT, export)
    source = downloads
    if shape == "zip":
        source = zipped(export, tmp_path / "twitter.zip")
    db_path = tmp_path / "archive.db"
    result = run_build(db_path, source)
    assert result.exit_code == 0, result.output
    db = sqlite_utils.Database(db_path)
    media = db.execute("select count(*) from media where path is not null").fetchone()[0]
    assert media > 0
    # Where media paths are relative to, not the export's folder within it.
    assert [row[0] for row in db.execute("select location from sources")] == [str(source)]

    out = tmp_path / "site"
    result = CliRunner().invoke(
        cli, ["publish", str(db_path), "--target", "dir", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    copied = [path for path in (out / "media").rglob("*") if path.is_file()]
    assert len(copied) == media
