"""The hostile site fixture holds every case the site tests rely on."""

import sqlite_utils

from tests.helpers.paths import IDS


def test_the_fixture_holds_every_hostile_case(site_db):
    db = sqlite_utils.Database(site_db)
    texts = [row["text"] for row in db.query("select text from tweets")]
    for needle in ("<script>", '"><img', "javascript:", "\u202e", "\u200b", "東京", "Привет"):
        assert any(needle in text for text in texts), needle
    assert db.execute("select count(*) from media where path is null").fetchone()[0] == 1
    assert db.execute("select count(*) from tweets where latitude is not null").fetchone()[0] == 3
    assert db.execute("select count(*) from tweets").fetchone()[0] == len(IDS) == 24
