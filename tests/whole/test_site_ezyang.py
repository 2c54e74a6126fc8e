"""Every page of the site, built from the real ezyang-tweets archive."""

import urllib.parse

import pytest
import sqlite_utils

from tests.helpers.build import run_build
from tests.helpers.paths import SHARED_ARCHIVES
from tests.helpers.site import make_datasette

pytestmark = pytest.mark.integration
EZYANG = SHARED_ARCHIVES / "ezyang-tweets"


@pytest.fixture(scope="module")
def ezyang_db(tmp_path_factory):
    if not EZYANG.exists():
        pytest.skip(f"{EZYANG} not present")
    db_path = tmp_path_factory.mktemp("ezyang") / "archive.db"
    result = run_build(db_path, EZYANG)
    assert result.exit_code == 0, result.output
    return db_path


@pytest.mark.asyncio
async def test_every_page_responds(ezyang_db, metadata, monkeypatch):
    monkeypatch.delenv("TWEET_ARCHIVE_MEDIA_ROOT", raising=False)
    db = sqlite_utils.Database(ezyang_db)

    def one(sql):
        return db.execute(sql).fetchone()[0]

    reply = one("select id from tweets where kind = 'reply' order by id limit 1")
    with_media = one("select tweet_id from media where path is not null limit 1")
    missing = one("select tweet_id from media where path is null limit 1")
    quote = one("select id from tweets where quoted_id in (select id from tweets) limit 1")
    friend = one("select screen_name from mention_counts limit 1")
    friend_id = one("select user_id from mention_counts limit 1")
    tables = [t for t in db.table_names() if not t.startswith(("tweets_fts", "tweets_trigram"))]
    paths = [
        "/",
        "/archive",
        "/-/dashboards/activity",
        *(f"/archive/{t}" for t in tables if t != "sqlite_stat1"),
        f"/archive/tweets/{reply}",
        f"/archive/tweets/{with_media}",
        f"/archive/tweets/{missing}",
        f"/archive/tweets/{quote}",
        f"/archive/users/{friend_id}",
        f"/-/user/{friend}",
        f"/-/media/{with_media}/0",
        "/archive/tweets?kind=reply",
        "/archive/tweets?created_at__gte=2012&created_at__lt=2013",
        "/archive/tweets?_search=the&kind=tweet",
        "/archive/search?q=the",
        "/archive/search?q=haskell",
        "/archive/search?q=%22type+class%22",
        "/archive/search?q=monad*",
        "/archive/search?q=%22",
        "/archive/search_feed.atom?q=haskell",
        "/archive/latest.atom",
        "/archive/on_this_day?day=06-05",
        "/archive/threads",
        f"/archive/conversation?id={reply}",
        "/archive/top_mentions",
        "/archive/top_mentions?since=2012&until=2013",
        "/archive/top_hashtags",
        "/archive/top_domains",
        "/archive/activity",
        "/archive/media_gallery",
        f"/archive/with_user?screen_name={urllib.parse.quote(friend)}",
        "/archive/most_liked",
        "/archive/quotes",
        "/archive/geotagged",
    ]
    ds = make_datasette(ezyang_db, metadata)
    for path in paths:
        response = await ds.client.get(path, follow_redirects=True)
        assert response.status_code == 200, path
    assert (await ds.client.get(f"/-/media/{missing}/0")).status_code == 404
    home = (await ds.client.get("/")).text
    assert "<h1>@ezyang — tweet archive</h1>" in home
    assert "6,753 tweets, replies and retweets by @ezyang" in home
