"""A redacted tweet is gone from the published site: every route, SQL included, is checked."""

import pytest

from etl.publish import Plan, publish
from etl.redact import Redactions
from etl.site import datasette
from tests.helpers.build import add_owner_retweet, run_build
from tests.helpers.paths import FIXTURES, MARKDOWN

SECRET = "Tokyo Tower"
SECRET_ID = 1540631203873292599
ROUTES = [
    "/",
    "/archive",
    "/archive/tweets?_search=tokyo",
    "/archive/tweets.json?_search=tokyo&_shape=array",
    "/archive/tweets.csv?_size=max",
    "/archive/tweets.json?_size=max&_shape=array",
    f"/archive/tweets/{SECRET_ID}",
    f"/archive/tweets/{SECRET_ID}.json",
    "/archive/search?q=tokyo",
    "/archive/search.json?q=tokyo&_shape=array",
    "/archive/search.json?q=%22Tokyo%20Tower%22&_shape=array",
    "/archive/latest.atom",
    "/archive/search_feed.atom?q=tokyo",
    "/archive/geotagged.json?_shape=array",
    "/archive.json?sql=select+group_concat(text,+'|')+from+tweets",
    "/archive.json?sql=select+*+from+tweets_fts+where+tweets_fts+match+'tokyo'",
    "/archive.json?sql=select+*+from+tweets_trigram+where+tweets_trigram+match+'Tokyo'",
    "/archive.json?sql=select+group_concat(raw)+from+etl_problems",
    "/archive/users.json?_shape=array",
    "/archive/tweets_per_month.json?_shape=array",
]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    db_path = tmp_path_factory.mktemp("redaction") / "archive.db"
    result = run_build(db_path, FIXTURES / "official" / "modern", MARKDOWN / "plain")
    assert result.exit_code == 0, result.output
    return db_path


def site(db_path, tmp_path, redactions):
    out = tmp_path / "site"
    publish(Plan(db=db_path, target="dir", out=out, redactions=redactions), echo=lambda line: None)
    return datasette(out)


async def bodies(ds):
    found = {}
    for route in ROUTES:
        response = await ds.client.get(route, follow_redirects=True)
        assert response.status_code in (200, 404), (route, response.status_code)
        found[route] = response.text
    return found


@pytest.mark.slow
@pytest.mark.asyncio
async def test_without_redaction_the_text_is_reachable(built, tmp_path):
    found = await bodies(site(built, tmp_path, Redactions()))
    reachable = [route for route, body in found.items() if SECRET in body]
    assert f"/archive/tweets/{SECRET_ID}" in reachable
    assert "/archive/search.json?q=%22Tokyo%20Tower%22&_shape=array" in reachable
    assert "/archive.json?sql=select+group_concat(text,+'|')+from+tweets" in reachable


@pytest.mark.slow
@pytest.mark.asyncio
async def test_a_redacted_word_is_unreachable_through_every_route(built, tmp_path):
    ds = site(built, tmp_path, Redactions(words=["tokyo tower"]))
    found = await bodies(ds)
    assert [route for route, body in found.items() if SECRET in body] == []
    response = await ds.client.get(f"/archive/tweets/{SECRET_ID}")
    assert response.status_code == 404
    # the raw database can't be downloaded either
    assert (await ds.client.get("/archive.db")).status_code == 403


EDITED = [1632305247407833149, 1632306373444239379]  # first and latest version
RETWEET = 1632400000000000000
BOB = 1230424350520246283  # only replied to in 1594609823264014480


@pytest.fixture(scope="module")
def with_retweet(built, tmp_path_factory):
    """The build plus the owner's retweet of the latest version of the edited tweet."""
    path = tmp_path_factory.mktemp("retweet") / "archive.db"
    return add_owner_retweet(built, path, RETWEET, EDITED[1])


async def statuses(ds):
    paths = [f"/archive/tweets/{i}" for i in (*EDITED, RETWEET)] + [f"/archive/users/{BOB}"]
    return [(await ds.client.get(path)).status_code for path in paths]


async def found(ds, path):
    return [row.get("id", row.get("tweet_id")) for row in (await ds.client.get(path)).json()]


SEARCHES = [
    "/archive/search.json?q=vacuum&_shape=array",
    "/archive/tweets.json?_search=vacuum&_shape=array&_col=id",
    "/archive.json?sql=select+rowid+as+id+from+tweets_fts+where+tweets_fts+match+"
    "'VACUUM'&_shape=array",
]


@pytest.mark.slow
@pytest.mark.asyncio
async def test_redacting_an_edited_tweet_hides_every_version_retweet_and_lone_user(
    with_retweet, tmp_path
):
    ds = site(with_retweet, tmp_path / "all", Redactions())
    assert await statuses(ds) == [200, 200, 200, 200]
    assert [len(await found(ds, path)) for path in SEARCHES] == [3, 3, 3]
    redactions = Redactions(tweets=[EDITED[1], 1594609823264014480])
    ds = site(with_retweet, tmp_path / "redacted", redactions)
    assert await statuses(ds) == [404, 404, 404, 404]
    assert [await found(ds, path) for path in SEARCHES] == [[], [], []]
    users = await ds.client.get("/archive/users.json?_shape=array&_col=screen_name")
    assert "fx_bob" not in users.text and "fx_alice" in users.text
