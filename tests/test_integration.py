"""Build the real archives of ../shared/archives and check the counts their README gives."""

import pytest
import sqlite_utils

from .conftest import SHARED_ARCHIVES, run_build

pytestmark = pytest.mark.integration


def build_shared(tmp_path, name):
    source = SHARED_ARCHIVES / name
    if not source.exists():
        pytest.skip(f"{source} not present")
    db_path = tmp_path / f"{name}.db"
    result = run_build(db_path, source)
    assert result.exit_code == 0, result.output
    return sqlite_utils.Database(db_path)


def scalar(db, sql):
    return db.execute(sql).fetchone()[0]


def test_ezyang_markdown_archive(tmp_path):
    db = build_shared(tmp_path, "ezyang-tweets")
    assert scalar(db, "select count(*) from tweets") == 6753
    assert scalar(db, "select count(*) from tweets where is_retweet") == 838
    assert scalar(db, "select count(*) from etl_problems") == 0
    references = sum(
        path.read_text().count("![](media/") + path.read_text().count("<video controls>")
        for path in (SHARED_ARCHIVES / "ezyang-tweets").glob("tweets_*.md")
    )
    assert scalar(db, "select count(*) from media") == references == 82
    assert scalar(db, "select count(*) from media where path is not null") == 78
    assert scalar(db, "select count(*) from media where path is null") == 4
    assert scalar(db, "select count(*) from media where path is null and type = 'video'") == 4
    # The parser bucketed months by its local time zone: 26 tweets sit in a neighbouring
    # month's file, and their created_at is the true UTC time from the footer.
    moved = list(
        db.query(
            "select id, created_at, input_file from tweets "
            "where substr(input_file, 8, 7) != substr(created_at, 1, 7) order by id"
        )
    )
    assert len(moved) == 26
    assert moved[0] == {
        "id": 824298061,
        "created_at": "2008-06-01T00:15:49+00:00",
        "input_file": "tweets_2008-05.md",
    }
    assert (
        scalar(db, "select count(*) from tweets where text like '%&amp;%' or text like '%&gt;%'")
        == 0
    )
    assert scalar(db, "select count(*) from tweets where text like '%![](%'") == 0
    assert scalar(db, "select count(*) from users where is_owner") == 1


def test_paulhibbitts_later_markdown_layout(tmp_path):
    db = build_shared(tmp_path, "paulhibbitts__sample-twitter-archive")
    assert scalar(db, "select count(*) from tweets") == 10
    assert scalar(db, "select count(*) from tweets where kind = 'reply'") == 4
    assert scalar(db, "select count(*) from tweets where in_reply_to_id is not null") == 4
    assert scalar(db, "select count(*) from media") == 5
    assert scalar(db, "select count(*) from media where path is null") == 0
    assert scalar(db, "select count(*) from media where path like '%tweet.ico'") == 0
    assert scalar(db, "select count(*) from etl_problems") == 0
