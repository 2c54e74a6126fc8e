"""A tweet's conversation as a reader page (/conversation/<id>, hooks/reader_conversation.py)
and the page for an account the archive doesn't know (/-/user/<name>, hooks/user_page.py)."""

import csv
import html
import io
import json
import re

import pytest

from tests.helpers.paths import IDS


def tweet_ids(page):
    return [int(i) for i in re.findall(r'<article class="tweet[^"]*" data-tweet-id="(\d+)"', page)]


def title(page):
    return html.unescape(re.search(r"<title>(.*?)</title>", page, re.S).group(1).strip())


def explore_links(page):
    found = re.search(
        r'these tweets as <a href="([^"]+)">JSON</a>, <a href="([^"]+)">CSV</a> or '
        r'<a href="([^"]+)">SQL</a>',
        page,
    )
    return [html.unescape(link) for link in found.groups()]


@pytest.mark.asyncio
async def test_a_conversation_reads_up_and_down_from_the_opened_tweet(ds):
    response = await ds.client.get(f"/conversation/{IDS['t2']}")
    assert response.status_code == 200
    page = response.text
    # The tweet it answers, itself, the reply to it; not the other branch (t_branch).
    assert tweet_ids(page) == [IDS["t1"], IDS["t2"], IDS["t3"]]
    assert (
        title(page)
        == "Conversation: @site_owner's tweet of 1 April 2021 — @site_owner — tweet archive"
    )
    opened = re.findall(
        r'<li aria-current="true">\s*<p class="reader-note muted">([^<]*)</p>\s*'
        r'<article class="tweet conversation-opened[^"]*" data-tweet-id="(\d+)"',
        page,
    )
    assert opened == [("The tweet you opened", str(IDS["t2"]))]
    assert "not in this archive" not in page
    json_url, csv_url, sql_url = explore_links(page)
    assert json_url == f"/conversation/{IDS['t2']}.json?_shape=array"
    rows = json.loads((await ds.client.get(json_url)).text)
    assert [row["tweet_id"] for row in rows] == [IDS["t1"], IDS["t2"], IDS["t3"]]
    response = await ds.client.get(csv_url)
    assert response.headers["content-disposition"] == (
        f'attachment; filename="conversation-{IDS["t2"]}.csv"'
    )
    assert len(list(csv.reader(io.StringIO(response.text)))) == 4
    assert sql_url == f"/archive/conversation?id={IDS['t2']}"
    assert (await ds.client.get(sql_url)).status_code == 200


@pytest.mark.asyncio
async def test_a_conversation_from_its_first_tweet_holds_every_reply(ds):
    page = (await ds.client.get(f"/conversation/{IDS['t1']}")).text
    assert tweet_ids(page) == [IDS["t1"], IDS["t2"], IDS["t3"], IDS["t_branch"]]


@pytest.mark.asyncio
async def test_a_conversation_says_where_it_leaves_the_archive(ds):
    page = (await ds.client.get(f"/conversation/{IDS['t_other']}")).text
    assert tweet_ids(page) == [IDS["t_other"]]
    assert (
        '<p class="reader-intro">Replying to a tweet not in this archive: '
        '<a href="https://twitter.com/friend_b/status/1370000000000000000" '
        'rel="nofollow noopener noreferrer">see it on twitter.com (@friend_b)</a></p>'
    ) in page


@pytest.mark.asyncio
@pytest.mark.parametrize("tweet_id", ["1", "99999999999999999999", "123456789"])
async def test_no_conversation_for_a_tweet_the_archive_has_not(ds, tweet_id):
    response = await ds.client.get(f"/conversation/{tweet_id}")
    assert response.status_code == 404
    assert "<h1>Page not found</h1>" in response.text


@pytest.mark.asyncio
async def test_threads_open_as_conversations(ds):
    page = (await ds.client.get("/threads")).text
    assert f'<a href="/conversation/{IDS["t1"]}">Read the thread (4 tweets) →</a>' in page


@pytest.mark.asyncio
async def test_an_account_the_archive_has_not_is_a_reader_page(ds):
    response = await ds.client.get("/-/user/stranger")
    assert response.status_code == 404
    page = response.text
    assert title(page) == "@stranger is not in the archive — @site_owner — tweet archive"
    assert '<body class="reader reader-user-missing">' in page
    assert '<a href="/search?q=stranger">Search the tweets for “stranger”</a>' in page
    assert "/archive/with_user?screen_name=stranger" in page  # (for explorers)
