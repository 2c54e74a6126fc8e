"""The tweet page, the tweet card and the account page (hooks/tweet_page.py, user_page.py,
render_tweets.py, feed_text.py; templates/_tweet.html, row-archive-*.html), on the
tweet-pages fixture: a long self-thread, edits, retweets, links between tweets, 120 replies."""

import json
import re
import xml.etree.ElementTree as ET

import pytest

from tests.helpers.build import run_build
from tests.helpers.paths import FIXTURES, IDS
from tests.helpers.site import make_datasette
from tweet_site.hooks import feed_text, tweet_page, user_page

PAGES = FIXTURES / "tweet-pages"
TP = json.loads((PAGES / "ids.json").read_text())
OWNER_ID, FRIEND_ID = 5151515151, 6161616161
ATOM = "{http://www.w3.org/2005/Atom}"


def tweet_ids(html):
    return [int(i) for i in re.findall(r'data-tweet-id="(\d+)"', html)]


def thread_items(html):
    """(tweet id, branch?) for each item of the replies list, in order."""
    after = html.split('<ol class="thread thread-after">', 1)[1].split("</ol>", 1)[0]
    return [
        (int(tweet_id), "thread-branch" in classes)
        for classes, tweet_id in re.findall(
            r'<li class="(thread-item[^"]*)">.*?data-tweet-id="(\d+)"', after, re.S
        )
    ]


@pytest.fixture(scope="module")
def pages_db(tmp_path_factory):
    db_path = tmp_path_factory.mktemp("tweet-pages") / "archive.db"
    result = run_build(db_path, PAGES / "official")
    assert result.exit_code == 0, result.output
    return db_path


@pytest.fixture
def tp(pages_db, metadata):
    return make_datasette(pages_db, metadata)


async def page(ds, path):
    response = await ds.client.get(path)
    assert response.status_code == 200, (path, response.text[:300])
    return response.text


def test_thread_order_is_flat_for_a_self_thread_and_sets_branches_one_level_in():
    order = tweet_page.thread_order
    # 1 <- 2 <- 3 <- 4 by the author; 5: their second reply to 1; 6 replies to 5; 7: someone
    # else replying to 2, 8: the author answering 7.
    replies = [(2, 1), (3, 2), (4, 3), (5, 1), (6, 5), (7, 2), (8, 7)]
    author = {i: "me" for i in range(1, 9)} | {7: "you"}
    assert order(1, replies, author) == [
        (2, 1, False),
        (3, 2, False),
        (4, 3, False),
        (7, 2, True),
        (8, 7, True),
        (5, 1, True),
        (6, 5, True),
    ]
    assert order(2, [(3, 2), (4, 3)], {2: "me", 3: "me", 4: "me"}) == [
        (3, 2, False),
        (4, 3, False),
    ]
    assert order(1, [], {}) == []


@pytest.mark.asyncio
async def test_a_self_thread_reads_flat_and_in_order(tp):
    html = await page(tp, f"/archive/tweets/{TP['thread1']}")
    thread = [TP[f"thread{n}"] for n in range(2, 23)]
    assert thread_items(html) == [(i, False) for i in thread] + [
        (TP["branch"], True),
        (TP["branch_reply"], True),
    ]
    assert "margin-left" not in html.split('<div class="tweet-page">', 1)[1]  # no staircase
    assert '<h2 class="thread-heading">The thread continues</h2>' in html
    assert (
        f'Replying to <a href="#t{TP["thread1"]}">@page_owner</a>, Sun 1 May 2022, 09:01 UTC'
        in html
    )
    assert (
        f'Replying to <a href="#t{TP["branch"]}">@page_owner</a>, Sun 1 May 2022, 09:40 UTC' in html
    )


@pytest.mark.asyncio
async def test_the_opened_tweet_is_marked_under_at_most_two_ancestors(tp):
    html = await page(tp, f"/archive/tweets/{TP['thread15']}")
    assert '<h1 class="tweet-page-title">Thread by @page_owner</h1>' in html
    assert (
        f'<article class="tweet tweet-main" id="t{TP["thread15"]}" aria-current="page" '
        f'data-tweet-id="{TP["thread15"]}">'
    ) in html
    earlier, rest = html.split('<div class="tweet-page">', 1)[1].split("</details>", 1)
    assert "<summary>12 earlier tweets in the thread</summary>" in earlier
    assert tweet_ids(earlier) == [TP[f"thread{n}"] for n in range(1, 13)]
    before_main = rest.split('class="tweet tweet-main"', 1)[0]
    assert tweet_ids(before_main) == [TP["thread13"], TP["thread14"]]
    assert [i for i, _ in thread_items(html)] == [TP[f"thread{n}"] for n in range(16, 23)]
    # Cards link to a tweet's page at the tweet itself.
    t16 = TP["thread16"]
    assert f'<a class="tweet-time" href="/archive/tweets/{t16}#t{t16}">' in html
    assert f'id="t{t16}"' in html


@pytest.mark.asyncio
async def test_a_tweet_page_names_its_tweet_in_an_h1(ds, tp):
    html = await page(ds, f"/archive/tweets/{IDS['english']}")
    assert '<h1 class="tweet-page-title">@site_owner&#39;s tweet</h1>' in html
    html = await page(ds, f"/archive/tweets/{IDS['t_other']}")
    assert '<h1 class="tweet-page-title">@site_owner&#39;s reply</h1>' in html
    html = await page(tp, f"/archive/tweets/{TP['rt_remote']}")
    assert '<h1 class="tweet-page-title">@page_owner retweeted @pen_friend</h1>' in html


@pytest.mark.asyncio
async def test_the_site_fixture_thread_keeps_its_order(ds):
    html = await page(ds, f"/archive/tweets/{IDS['t1']}")
    assert thread_items(html) == [(IDS["t2"], False), (IDS["t3"], False), (IDS["t_branch"], True)]


@pytest.mark.asyncio
async def test_an_edited_tweet_is_labelled_and_links_its_versions(tp):
    v1, v2, v3 = TP["edit_v1"], TP["edit_v2"], TP["edit_v3"]
    html = await page(tp, f"/archive/tweets/{v1}")
    assert '<span class="tweet-edited tweet-superseded">Earlier version</span>' in html
    assert (
        '<p class="edit-note">A newer version of this tweet exists: '
        f'<a href="/archive/tweets/{v3}#t{v3}">the latest version, Fri 1 Jul 2022, 12:07 UTC</a>'
    ) in html
    versions = html.split('<section class="tweet-versions"', 1)[1].split("</section>", 1)[0]
    assert "Edited: 3 versions" in versions
    assert re.findall(r'href="/archive/tweets/(\d+)#t\d+"', versions) == [str(v2), str(v3)]
    assert re.findall(r"<time[^>]*>([^<]+)</time>", versions) == [
        "Fri 1 Jul 2022, 12:00 UTC",
        "Fri 1 Jul 2022, 12:03 UTC",
        "Fri 1 Jul 2022, 12:07 UTC",
    ]
    assert "(this version) · original" in versions and "· latest" in versions

    latest = await page(tp, f"/archive/tweets/{v3}")
    assert '<span class="tweet-edited">Edited</span>' in latest
    assert "A newer version of this tweet exists" not in latest
    # Lists on the page show latest versions only: the quote's second take, not its first.
    quoted_by = latest.split('<h2 class="thread-heading">Quoted by</h2>', 1)[1]
    assert tweet_ids(quoted_by.split("</ol>", 1)[0]) == [TP["quote_v2"]]


@pytest.mark.asyncio
async def test_links_to_tweets_in_the_archive_open_its_pages(tp):
    t1, v3 = TP["thread1"], TP["edit_v3"]
    html = await page(tp, f"/archive/tweets/{TP['links']}")
    text = html.split('<article class="tweet tweet-main"', 1)[1].split("</article>", 1)[0]
    assert (
        f'<a class="local-tweet" href="/archive/tweets/{t1}#t{t1}" '
        f'title="In this archive: https://twitter.com/page_owner/status/{t1}">'
    ) in text
    assert f'<a class="local-tweet" href="/archive/tweets/{v3}#t{v3}"' in text
    assert 'href="https://twitter.com/pen_friend/status/1234567890123456789"' in text
    # The same in the table of tweets, cell by cell.
    table = await page(tp, f"/archive/tweets?id={TP['links']}")
    assert f'<a class="local-tweet" href="/archive/tweets/{t1}#t{t1}"' in table
    assert f'<a class="local-tweet" href="/archive/tweets/{v3}#t{v3}"' in table


@pytest.mark.asyncio
async def test_the_feed_links_tweets_in_the_archive_and_cuts_titles_at_a_word(tp):
    response = await tp.client.get("/archive/latest.atom?kind=tweet")
    assert response.status_code == 200
    feed = ET.fromstring(response.content)
    entries = {entry.find(f"{ATOM}id").text: entry for entry in feed.iter(f"{ATOM}entry")}
    # An edited tweet is in the feed once, as its latest version.
    edits = [TP["edit_v1"], TP["edit_v2"], TP["edit_v3"]]
    assert [e for e in edits if f"https://twitter.com/page_owner/status/{e}" in entries] == [
        TP["edit_v3"]
    ]
    links = entries[f"https://twitter.com/page_owner/status/{TP['links']}"]
    title = links.find(f"{ATOM}title").text
    text = (
        f"Start here https://twitter.com/page_owner/status/{TP['thread1']} or "
        f"https://x.com/page_owner/status/{TP['edit_v3']}, not"
    )
    assert title == "@page_owner: Start here…"
    assert ("@page_owner: " + text).startswith(title[:-1])
    assert text[len(title) - 1 - len("@page_owner: ")] == " "  # cut between words
    content = links.find(f"{ATOM}content")
    assert content.get("type") == "html"
    t1 = TP["thread1"]
    assert f'<a href="/archive/tweets/{t1}">https://twitter.com/page_owner/status/{t1}</a>' in (
        content.text
    )
    assert links.find(f"{ATOM}link").get("href") == f"/archive/tweets/{TP['links']}"


def test_feed_titles_are_cut_between_words():
    feed = feed_text
    assert feed.feed_title("me", "short\ntext") == "@me: short text"
    long = "word " * 30
    title = feed.feed_title("me", long)
    assert title == "@me: " + ("word " * 15).strip() + "…"
    assert len(title) == 80
    assert feed.cut_at_word("aaa bbb ccc", 8) == "aaa bbb…"
    assert feed.cut_at_word("aaa bbbb ccc", 8) == "aaa…"
    assert feed.cut_at_word("x" * 100, 10) == "x" * 9 + "…"  # one long word: cut it
    assert feed.feed_title(None, "a\x00b") == "ab"


@pytest.mark.asyncio
async def test_a_retweet_is_shown_as_its_original_authors_tweet(tp):
    html = await page(tp, f"/archive/users/{OWNER_ID}?before=2022-09-30T00:00:00+00:00~1")
    cards = {
        int(i): card
        for card, i in (
            (card, re.search(r'data-tweet-id="(\d+)"', card)[1])
            for card in html.split("<article")[1:]
        )
    }
    local = cards[TP["rt_local"]]
    t1 = TP["thread1"]
    assert (
        '<p class="retweeted-by"><span aria-hidden="true">🔁</span> '
        '<a href="/-/user/page_owner">@page_owner</a> retweeted</p>'
    ) in local
    assert '<a class="tweet-author" href="/-/user/page_owner">@page_owner</a>' in local
    assert ">Thread part 1/22: word word word word</div>" in local and "RT @" not in local
    assert (
        f'<a href="/archive/tweets/{t1}#t{t1}">@page_owner\'s original tweet, in this archive</a>'
        in local
    )
    remote = cards[TP["rt_remote"]]
    assert '<a class="tweet-author" href="/-/user/pen_friend">@pen_friend</a>' in remote
    assert ">Letters are better than tweets</div>" in remote
    assert (
        'href="https://twitter.com/pen_friend/status/1500000000000000000" '
        'rel="nofollow noopener noreferrer">@pen_friend\'s original tweet on twitter.com</a>'
    ) in remote
    plain = cards[TP["rt_plain"]]
    assert f'href="https://twitter.com/page_owner/status/{TP["rt_plain"]}"' in plain
    assert "Page Owner" not in plain  # the owner's name isn't given to the original's author

    main = await page(tp, f"/archive/tweets/{TP['rt_remote']}")
    assert "likes</span>" not in main and "retweets</span>" not in main
    assert "<title>@pen_friend: Letters are better than tweets</title>" in main
    assert ">The original on twitter.com</a>" in main


@pytest.mark.asyncio
async def test_media_carry_their_authors_description_and_text_its_direction(tp, ds):
    html = await page(tp, f"/archive/tweets/{TP['photo']}")
    assert 'alt="A pier at dusk, &#34;quoted&#34; &lt;b&gt;not bold&lt;/b&gt;"' in html
    table = await page(tp, f"/archive/tweets?id={TP['photo']}")
    assert 'alt="A pier at dusk, &#34;quoted&#34; &lt;b&gt;not bold&lt;/b&gt;"' in table
    media = await page(tp, "/archive/media")
    assert 'alt="A pier at dusk, &#34;quoted&#34; &lt;b&gt;not bold&lt;/b&gt;"' in media
    # Without a description: what the photo is, and its place.
    plain = await page(ds, f"/archive/tweets/{IDS['photo']}")
    assert 'alt="Photo 1"' in plain
    arabic = await page(tp, f"/archive/tweets/{TP['arabic']}")
    assert '<div class="tweet-text" dir="auto" lang="ar">مرحبا بالعالم' in arabic


@pytest.mark.asyncio
async def test_the_account_page_goes_past_100_exchanges(tp):
    seen, path, pages = [], f"/archive/users/{FRIEND_ID}", 0
    while path and pages < 10:
        html = await page(tp, path)
        seen.append(tweet_ids(html.split('<ol class="thread timeline">', 1)[1].split("</ol>")[0]))
        older = re.search(r'<a href="([^"]+)" rel="next">Older tweets →</a>', html)
        path = older[1].replace("&amp;", "&") if older else None
        pages += 1
    assert [len(ids) for ids in seen] == [50, 50, 22]
    everything = [i for ids in seen for i in ids]
    talk = [TP[f"talk{n}"] for n in reversed(range(120))]
    assert everything == talk + [TP["rt_plain"], TP["rt_remote"]]
    assert "<li><strong>120</strong> replies to @pen_friend</li>" in await page(
        tp, f"/archive/users/{FRIEND_ID}"
    )
    last = await page(tp, f"/archive/users/{FRIEND_ID}?before=2022-01-01T00:00:00+00:00~1")
    assert "No older tweets." in last
    # The owner's page: every tweet, latest versions only, a page at a time.
    owner = await page(tp, f"/archive/users/{OWNER_ID}")
    assert len(tweet_ids(owner)) == 50 and 'rel="next">Older tweets →</a>' in owner


@pytest.mark.asyncio
async def test_counts_stop_at_a_bound(tp, monkeypatch):
    monkeypatch.setattr(user_page, "COUNT_LIMIT", 100)
    html = await page(tp, f"/archive/users/{FRIEND_ID}")
    assert "<li><strong>100+</strong> replies to @pen_friend</li>" in html
    # The sole owner's tweets are counted by the build (archive_totals: latest versions, 154
    # of 157), not by the page.
    owner = await page(tp, f"/archive/users/{OWNER_ID}")
    assert "<li><strong>154</strong> tweets by @page_owner</li>" in owner


@pytest.mark.asyncio
async def test_the_account_page_never_counts_every_linked_row(tp, monkeypatch):
    """Datasette's row page counted every tweet linking to the account (all of the owner's:
    858 ms at a million tweets); the account page's own route counts at most a bound."""
    from datasette.database import Database

    seen = []
    execute = Database.execute

    async def recording(self, sql, *args, **kwargs):
        seen.append(sql)
        return await execute(self, sql, *args, **kwargs)

    monkeypatch.setattr(Database, "execute", recording)
    html = await page(tp, f"/archive/users/{OWNER_ID}")
    assert "<title>@page_owner in the archive</title>" in html
    counts = [sql for sql in seen if "count(*)" in sql and "user_id" in sql]
    assert counts and all("limit 10001" in sql for sql in counts), counts
    assert (await tp.client.get("/archive/users/1")).status_code == 404
    assert (await tp.client.get(f"/archive/users/{OWNER_ID}.json")).status_code == 200
