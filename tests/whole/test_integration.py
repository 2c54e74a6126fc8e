"""Build the real archives of ../shared/archives and check the counts their README gives."""

from pathlib import Path

import pytest
import sqlite_utils

from tests.helpers.build import build_shared_archive
from tests.helpers.paths import SHARED_ARCHIVES

pytestmark = pytest.mark.integration


def build_shared(tmp_path, name):
    return sqlite_utils.Database(build_shared_archive(tmp_path, name))


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


def test_alrocar_official_export_2022_generation(tmp_path):
    db = build_shared(tmp_path, "alrocar__x")
    assert scalar(db, "select count(*) from tweets") == 1223
    assert scalar(db, "select count(*) from etl_problems") == 0
    # 41 long posts, each matched to its own tweet of tweets.js
    assert scalar(db, "select count(distinct note_tweet_id) from tweets") == 41
    assert scalar(db, "select count(*) from tweets where note_tweet_id is not null") == 41
    assert scalar(db, "select max(length(text)) from tweets where note_tweet_id is not null") > 280
    # 5 tweets edited once: 10 rows, 5 chains, the latest version of each identifiable
    assert scalar(db, "select count(*) from tweets where edit_initial_id is not null") == 10
    assert scalar(db, "select count(distinct edit_initial_id) from tweets") == 5
    assert (
        scalar(
            db,
            "select count(*) from tweets where edit_initial_id is not null and is_latest_version",
        )
        == 5
    )
    assert scalar(db, "select count(*) from media where path is not null") == 20
    assert scalar(db, "select count(*) from media") == 714
    assert list(db.query("select screen_name, name, is_owner from users where is_owner")) == [
        {"screen_name": "alrocar", "name": "alrocar 🥘", "is_owner": 1}
    ]
    assert (
        scalar(db, "select lang from tweets group by lang order by count(*) desc limit 1") == "es"
    )
    assert scalar(db, "select count(*) from tweets where source like '%<%'") == 0
    # account.js carries an e-mail address: it must not reach any table
    dump = "\n".join(db.conn.iterdump())
    assert "example.invalid" not in dump


def test_dsajgiouawj_official_export_2019_generation(tmp_path):
    db = build_shared(tmp_path, "dsajgiouawj__TweetArchive")
    assert scalar(db, "select count(*) from tweets") == 1163
    assert scalar(db, "select count(*) from etl_problems") == 0
    assert scalar(db, "select count(*) from media") == 95
    assert scalar(db, "select count(*) from media where path is not null") == 13
    assert (
        scalar(db, "select lang from tweets group by lang order by count(*) desc limit 1") == "ja"
    )
    assert scalar(db, "select screen_name from users where is_owner") == "E31415926"


def test_nicidienase_legacy_grailbird_export(tmp_path):
    db = build_shared(tmp_path, "NiciDieNase__twitterarchiv")
    assert scalar(db, "select count(*) from tweets") == 1357
    assert scalar(db, "select count(*) from etl_problems") == 0
    assert scalar(db, "select count(*) from tweets where retweeted_id is not null") == 496
    # 59 geotagged tweets, all around Karlsruhe (latitude first in Grailbird's geo)
    assert scalar(db, "select count(*) from tweets where latitude is not null") == 59
    assert scalar(db, "select min(latitude) > 47 and max(latitude) < 55 from tweets") == 1
    assert scalar(db, "select min(longitude) > 5 and max(longitude) < 15 from tweets") == 1
    assert scalar(db, "select created_at from tweets where id = 323114065855672321") == (
        "2013-04-13T16:42:51+00:00"
    )
    assert scalar(db, "select screen_name from users where is_owner") == "nicidienase"


def test_ezyang_publishes_every_tweet_with_its_media(tmp_path):
    from etl.publish import Plan, publish

    db = build_shared(tmp_path, "ezyang-tweets")
    site = tmp_path / "site"
    lines = []
    publish(
        Plan(
            db=Path(db.conn.execute("pragma database_list").fetchone()[2]), target="dir", out=site
        ),
        lines.append,
    )
    assert lines[0].startswith("Publishing 6,753 tweets and 78 media files")
    published = sqlite_utils.Database(site / "archive.db")
    assert scalar(published, "select count(*) from tweets") == 6753
    files = sorted(p.name for p in (site / "media").rglob("*") if p.is_file())
    assert len(files) == 78
    assert files == sorted(p.name for p in (SHARED_ARCHIVES / "ezyang-tweets" / "media").iterdir())
