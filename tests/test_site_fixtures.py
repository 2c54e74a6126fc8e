"""The hostile site fixture and the Datasette instance the site tests share.

Fixtures live here (not in conftest.py) and are imported by the other test_site_* modules.
"""

import copy
import json

import pytest
import sqlite_utils
from datasette.app import Datasette

from .conftest import FIXTURES, ROOT, run_build

SITE = FIXTURES / "site"
SITE_SOURCES = [SITE / "markdown", SITE / "later", SITE / "official"]
# Tweet ids of the fixture, by a short name (written by the script that made the fixture).
IDS = json.loads((SITE / "ids.json").read_text())


def make_datasette(db_path, metadata, **kwargs):
    return Datasette(
        immutables=[str(db_path)],
        metadata=copy.deepcopy(metadata),
        plugins_dir=str(ROOT / "plugins"),
        template_dir=str(ROOT / "templates"),
        static_mounts=[("static", str(ROOT / "static"))],
        settings={"sql_time_limit_ms": 1000},
        **kwargs,
    )


@pytest.fixture(scope="session")
def site_db(tmp_path_factory):
    """The hostile archive built from Markdown (two layouts) and an official export."""
    db_path = tmp_path_factory.mktemp("site") / "archive.db"
    result = run_build(db_path, *SITE_SOURCES)
    assert result.exit_code == 0, result.output
    return db_path


@pytest.fixture
def ds(site_db, metadata, monkeypatch):
    monkeypatch.delenv("TWEET_ARCHIVE_MEDIA_ROOT", raising=False)
    return make_datasette(site_db, metadata)


async def get_json(ds, path):
    response = await ds.client.get(path)
    assert response.status_code == 200, (path, response.text[:500])
    return response.json()


def test_the_fixture_holds_every_hostile_case(site_db):
    db = sqlite_utils.Database(site_db)
    texts = [row["text"] for row in db.query("select text from tweets")]
    for needle in ("<script>", '"><img', "javascript:", "\u202e", "\u200b", "東京", "Привет"):
        assert any(needle in text for text in texts), needle
    assert db.execute("select count(*) from media where path is null").fetchone()[0] == 1
    assert db.execute("select count(*) from tweets where latitude is not null").fetchone()[0] == 3
    assert db.execute("select count(*) from tweets").fetchone()[0] == len(IDS) == 24
