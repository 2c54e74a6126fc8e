"""Every reader page counts the same thing: tweets, an edited tweet once (its latest
version). Datasette's tweets table counts rows, one per version: its page says how many of
them are earlier versions. And the words agree with their numbers ("1 reply")."""

import re

import pytest

from tests.helpers.build import build_shared_archive, run_build
from tests.helpers.paths import FIXTURES
from tests.helpers.site import make_datasette


@pytest.fixture(scope="module")
def edited_db(tmp_path_factory):
    """8 tweets by @reader_owner, one of them edited once (two rows: edit_a, edit_b)."""
    db_path = tmp_path_factory.mktemp("counts") / "archive.db"
    result = run_build(db_path, FIXTURES / "reader" / "official")
    assert result.exit_code == 0, result.output
    return db_path


async def page(ds, path):
    response = await ds.client.get(path)
    assert response.status_code == 200, path
    return response.text


async def counts(ds, owner_id):
    """The number of tweets home, the timeline and the owner's page give."""
    home = await page(ds, "/")
    timeline = await page(ds, "/timeline")
    account = await page(ds, f"/archive/users/{owner_id}")
    return (
        int(re.search(r"<strong>([0-9,]+)</strong> in all", home)[1].replace(",", "")),
        int(re.search(r">([0-9,]+) tweets in [0-9]+ years?<", timeline)[1].replace(",", "")),
        int(re.search(r"<strong>([0-9,]+)</strong> tweets? by @", account)[1].replace(",", "")),
    )


@pytest.mark.asyncio
async def test_an_edited_tweet_counts_once_everywhere_and_the_table_says_why_it_has_more(
    edited_db, metadata
):
    ds = make_datasette(edited_db, metadata)
    assert await counts(ds, 5151515151) == (8, 8, 8)
    account = await page(ds, "/archive/users/5151515151")
    assert re.findall(r"<li><strong>[^<]*</strong> [^<]*</li>", account) == [
        "<li><strong>8</strong> tweets by @reader_owner</li>",
        "<li><strong>2</strong> replies to @reader_owner</li>",
        "<li><strong>0</strong> tweets mentioning @reader_owner</li>",
        "<li><strong>0</strong> retweets of @reader_owner</li>",
    ]
    table = await page(ds, "/archive/tweets")
    assert (
        '<p class="rows-note">9 rows: 8 tweets and 1 earlier version of edited tweets (the '
        "counts and facets here count rows). "
        '<a href="/archive/tweets?is_latest_version=1">Latest versions only</a></p>'
    ) in table
    filtered = await page(ds, "/archive/tweets?kind=tweet")
    assert (
        "These rows and facets include earlier versions of edited tweets (the archive has 1 "
        'earlier version of edited tweets). <a href="/archive/tweets?kind=tweet&amp;'
        'is_latest_version=1">Latest versions only</a>'
    ) in filtered
    assert "rows-note" not in await page(ds, "/archive/tweets?is_latest_version=1")


@pytest.mark.asyncio
async def test_no_note_where_no_tweet_was_edited(ds):
    assert "rows-note" not in await page(ds, "/archive/tweets")


@pytest.mark.asyncio
async def test_an_account_page_says_1_reply_not_1_replies(ds):
    account = await page(ds, "/archive/users/-8746268020240202118")  # @friend_b: 1 retweet
    items = re.findall(r"<li><strong>([^<]*)</strong> ([a-z]+) [a-z]* ?@", account)
    assert ("1", "retweet") in items
    for number, word in items:
        assert (number == "1") == (word in ("tweet", "reply", "retweet")), (number, word)


@pytest.mark.asyncio
async def test_a_tweet_page_keeps_datasette_timings_to_explorer_pages(ds):
    tweet_id = re.search(r'data-tweet-id="(\d+)"', await page(ds, "/timeline/2021/04"))[1]
    assert "Queries took" not in await page(ds, f"/archive/tweets/{tweet_id}")
    assert "Queries took" in await page(ds, "/archive/tweets")


@pytest.mark.integration
@pytest.mark.asyncio
async def test_alrocar_counts_agree_on_home_timeline_and_account_page(tmp_path, metadata):
    built = build_shared_archive(tmp_path, "alrocar__x")
    ds = make_datasette(built.rename(built.with_name("archive.db")), metadata)
    assert await counts(ds, 52338276) == (1218, 1218, 1218)
    table = await page(ds, "/archive/tweets")
    assert "1,223 rows: 1,218 tweets and 5 earlier versions of edited tweets" in table


@pytest.mark.asyncio
async def test_a_tweet_page_says_1_like_and_0_retweets(tmp_path, metadata):
    db_path = tmp_path / "archive.db"
    assert run_build(db_path, FIXTURES / "profile" / "official").exit_code == 0
    tweet = await page(make_datasette(db_path, metadata), "/archive/tweets/1366426870330523648")
    counts = re.findall(r'<span class="tweet-count"><strong>([0-9,]+)</strong> (\w+)</span>', tweet)
    assert counts == [("1", "like"), ("0", "retweets")]
