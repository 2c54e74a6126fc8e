"""The private site as a whole (issue 19, item 2): home and the bar of an export shared
without its tweets file lead with the private archive and search its messages; one with
tweets keeps the tweets' search and offers the messages' too; an account the owner has a
1:1 conversation with links to it. The private fixture (tests/fixtures/private) is invented
and has no tweets file."""

import html
import re
import shutil

import pytest
import sqlite_utils

from tests.helpers.build import run_build
from tests.helpers.paths import FIXTURES
from tests.helpers.site import make_datasette

P = 2000000000000000000  # the private fixture's account ids: P + n; the owner is P + 1
PRIVATE_PAGES = ("/messages", "/followers", "/likes", "/lists", "/messages/1400000000000000000")
HINTS = 'words, "a phrase", prefix*, -exclude, 東京'


@pytest.fixture(scope="module")
def private_db(tmp_path_factory):
    db_path = tmp_path_factory.mktemp("private_site") / "archive.db"
    result = run_build(db_path, FIXTURES / "private", args=["--private"])
    assert result.exit_code == 0, result.output
    return db_path


@pytest.fixture(scope="module")
def tweets_db(tmp_path_factory):
    """The private fixture with an official export's tweets (a second owner id)."""
    db_path = tmp_path_factory.mktemp("private_tweets") / "archive.db"
    sources = (FIXTURES / "private", FIXTURES / "official" / "modern")
    result = run_build(db_path, *sources, args=["--private"])
    assert result.exit_code == 0, result.output
    return db_path


def changed(db_path, tmp_path, *statements):
    """A copy of the build at `db_path` with `statements` run on it."""
    copy = tmp_path / "archive.db"
    shutil.copy(db_path, copy)
    db = sqlite_utils.Database(copy)
    for statement in statements:
        db.execute(statement)
    db.conn.commit()
    db.close()
    return copy


async def page(ds, path):
    response = await ds.client.get(path)
    assert response.status_code == 200, (path, response.text[:500])
    return response.text


def text(fragment):
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def search_forms(page_html):
    """Each search box: (where it sends, its label, its placeholder)."""
    found = []
    for form in re.findall(r'<form [^>]*role="search".*?</form>', page_html, re.S):
        found.append(
            (
                re.search(r'action="([^"]*)"', form)[1],
                text(re.search(r"<label[^>]*>(.*?)</label>", form, re.S)[1]),
                html.unescape(re.search(r'placeholder="([^"]*)"', form)[1]),
            )
        )
    return found


def home_parts(page_html):
    """What home's content says, in order: its section headings, the counts' lines, and the
    Explore section's links."""
    content = re.search(r'<main id="content".*?</main>', page_html, re.S)[0]
    return {
        "headings": [text(h) for h in re.findall(r"<h2[^>]*>(.*?)</h2>", content, re.S)],
        "counts": [
            text(li)
            for ul in re.findall(r'<ul class="home-counts">(.*?)</ul>', content, re.S)
            for li in re.findall(r"<li>(.*?)</li>", ul, re.S)
        ],
        "explore": [
            text(a)
            for a in re.findall(
                r"<li><a [^>]*>(.*?)</a>",
                re.search(r'<section class="home-queries">.*?</section>', content, re.S)[0],
            )
        ],
    }


def description(page_html):
    return html.unescape(re.search(r'<meta name="description" content="([^"]*)"', page_html)[1])


def menu(page_html):
    links = re.search(r'<ul class="nav-links">(.*?)</ul>', page_html, re.S)[1]
    return [href for href, _ in re.findall(r'<a href="([^"]+)">([^<]+)</a>', links)]


def bar_search(page_html):
    """The bar's search box and its phone icon's link, or None."""
    bar = re.search(r"<header>.*?</header>", page_html, re.S)[0]
    icon = re.search(r'<a class="site-search-link" href="([^"]+)"', bar)
    return (search_forms(bar), icon[1] if icon else None)


@pytest.mark.asyncio
async def test_home_without_tweets_leads_with_the_private_archive(private_db, metadata):
    home = await page(make_datasette(private_db, metadata), "/")
    assert description(home) == (
        "The private archive of @fixture_owner (Fixture Owner): direct messages, followers, "
        "following, blocks, mutes, lists and likes, to read, search and query with SQL."
    )
    # Its one search box searches the messages; no tweets' counts, charts, search or feed.
    assert search_forms(home) == [
        ("/messages/search", "Search the messages", f"Search 6 messages — {HINTS}")
    ]
    assert home_parts(home) == {
        "headings": ["Your private archive", "Explore"],
        "counts": [
            "6 messages in 4 conversations",
            "4 followers",
            "5 following",
            "2 mutuals",
            "2 blocked",
            "2 muted",
            "4 lists",
            "3 liked tweets",
        ],
        "explore": ["Every table, and SQL"],
    }
    for absent in ('href="/timeline', "chart", ".atom", 'action="/search"'):
        assert absent not in home
    assert menu(home)[:4] == ["/messages", "/followers", "/lists", "/likes"]
    assert "/search" not in menu(home)


@pytest.mark.asyncio
async def test_the_bar_searches_the_messages_of_an_archive_without_tweets(private_db, metadata):
    ds = make_datasette(private_db, metadata)
    for path in PRIVATE_PAGES:
        assert bar_search(await page(ds, path)) == (
            [("/messages/search", "Search the messages", "Search messages")],
            "/messages/search",
        ), path
    # Home and the search page have search boxes of their own.
    for path in ("/", "/messages/search"):
        assert bar_search(await page(ds, path)) == ([], None), path


@pytest.mark.asyncio
async def test_an_archive_with_neither_tweets_nor_messages_offers_no_search(
    private_db, metadata, tmp_path
):
    # (A count of nothing is left out of home, as the tweets' are.)
    db_path = changed(private_db, tmp_path, "delete from dm_messages", "delete from blocks")
    ds = make_datasette(db_path, metadata)
    home = await page(ds, "/")
    assert search_forms(home) == []
    assert home_parts(home)["counts"] == [
        "4 followers",
        "5 following",
        "2 mutuals",
        "2 muted",
        "4 lists",
        "3 liked tweets",
    ]
    assert bar_search(await page(ds, "/followers")) == ([], None)


@pytest.mark.asyncio
async def test_an_export_holding_nothing_private_says_so(private_db, metadata, tmp_path):
    tables = ("dm_messages", "followers", "following", "blocks", "mutes", "lists", "likes")
    db_path = changed(private_db, tmp_path, *(f"delete from {t}" for t in tables))
    home = await page(make_datasette(db_path, metadata), "/")
    section = re.search(r'<section class="home-private".*?</section>', home, re.S)[0]
    assert text(section) == (
        "Your private archive This export holds no messages, followers, following, blocks, "
        "mutes, lists or likes."
    )


@pytest.mark.asyncio
async def test_a_private_archive_with_tweets_searches_both(tweets_db, metadata):
    ds = make_datasette(tweets_db, metadata)
    home = await page(ds, "/")
    # The messages' box in the private section, the tweets' after it, as on a public site.
    assert search_forms(home) == [
        ("/messages/search", "Search the messages", f"Search 7 messages — {HINTS}"),
        ("/search", "Search the tweets", f"Search 19 tweets — {HINTS}"),
    ]
    parts = home_parts(home)
    assert parts["headings"] == ["Your private archive", "Your tweets", "Explore"]
    assert parts["counts"][8:10] == ["19 in all", "14 tweets"]
    assert "Atom feed of the latest tweets" in parts["explore"]
    assert description(home).startswith("19 tweets, replies and retweets by @fixture_owner")
    assert "chart-months" in home
    assert menu(home)[0] == "/search"
    # The bar keeps the tweets' search; the messages' is on home and at /messages/search.
    for path in ("/followers", "/messages", "/messages/search"):
        assert bar_search(await page(ds, path)) == (
            [("/search", "Search the tweets", "Search tweets")],
            "/search",
        ), path


@pytest.mark.asyncio
async def test_a_public_site_searches_tweets_only(ds):
    home = await page(ds, "/")
    assert [action for action, _, _ in search_forms(home)] == ["/search"]
    assert bar_search(await page(ds, "/timeline")) == (
        [("/search", "Search the tweets", "Search tweets")],
        "/search",
    )


def page_title(page_html):
    return html.unescape(re.search(r"<title>(.*?)</title>", page_html, re.S)[1].strip())


@pytest.mark.asyncio
async def test_titles_say_what_the_archive_is(private_db, tweets_db, metadata):
    # Without tweets: a private archive, on home and every page; with them, a tweet archive.
    ds = make_datasette(private_db, metadata)
    assert [page_title(await page(ds, path)) for path in ("/", *PRIVATE_PAGES)] == [
        "@fixture_owner — private archive",
        "Messages — @fixture_owner — private archive",
        "Followers — @fixture_owner — private archive",
        "Likes — @fixture_owner — private archive",
        "Lists — @fixture_owner — private archive",
        "Group “Picnic DMSECRETWORD crew”: messages with 999, 2000000000000000002, "
        "2000000000000000003 — @fixture_owner — private archive",
    ]
    ds = make_datasette(tweets_db, metadata)
    assert [page_title(await page(ds, path)) for path in ("/", "/likes")] == [
        "@fixture_owner — tweet archive",
        "Likes — @fixture_owner — tweet archive",
    ]


async def missing_page(ds):
    """The not-found page: (its search boxes and the bar's, its links, what it says)."""
    response = await ds.client.get("/no/such/page")
    assert response.status_code == 404
    content = re.search(r'<main id="content".*?</main>', response.text, re.S)[0]
    links = re.search(r'<ul class="not-found-links">(.*?)</ul>', content, re.S)[1]
    return (
        search_forms(content),
        bar_search(response.text),
        re.findall(r'<a href="([^"]+)">', links),
        text(re.search(r"<p>(.*?)</p>", content, re.S)[1]),
    )


@pytest.mark.asyncio
async def test_a_missing_page_offers_what_the_archive_holds(
    private_db, tweets_db, metadata, tmp_path
):
    # Without tweets: the messages' search (here and in the bar) and home; no timeline.
    found = await missing_page(make_datasette(private_db, metadata))
    assert found == (
        [("/messages/search", "Search the messages", "Search the messages")],
        ([], None),  # (Datasette renders error pages without the bar's search)
        ["/"],
        "There is no page at this address. The link may be mistyped, or lead to something "
        "this archive doesn't hold.",
    )
    # With tweets: the tweets' search and the timeline, as on a public site.
    forms, bar, links, said = await missing_page(make_datasette(tweets_db, metadata))
    assert (forms, bar, links) == (
        [("/search", "Search the tweets", "Search the tweets")],
        ([], None),
        ["/", "/timeline"],
    )
    assert "The tweet may have been left out of the published archive" in said
    # Neither tweets nor messages: home alone.
    db_path = changed(private_db, tmp_path, "delete from dm_messages")
    assert await missing_page(make_datasette(db_path, metadata)) == (
        [],
        ([], None),
        ["/"],
        "There is no page at this address. The link may be mistyped, or lead to something "
        "this archive doesn't hold.",
    )


def people(page_html):
    """Each account row: (its account, where its 'Messages' link leads and what it says to a
    screen reader, or None)."""
    found = []
    for row in re.findall(r'<li class="person">(.*?)</li>', page_html, re.S):
        who = text(re.search(r'<a class="person-link"[^>]*>(.*?)</a>', row, re.S)[1])
        chat = re.search(r'<a class="person-chat" href="([^"]+)">(.*?)</a>', row, re.S)
        found.append((who, (chat[1], text(chat[2])) if chat else None))
    return found


@pytest.mark.asyncio
async def test_an_account_links_to_its_conversation_with_the_owner(private_db, metadata, tmp_path):
    # Account 999 has a 1:1 conversation with the owner whose id puts it first (numerically
    # smaller, though '999' sorts after '2000…' as text); P + 3 shares only a group chat;
    # P + 2 is known by name.
    db_path = changed(
        private_db,
        tmp_path,
        "insert into followers (account_id) values (999)",
        f"insert or replace into account_names (account_id, screen_name, name) "
        f"values ({P + 2}, 'friend_two', null)",
    )
    ds = make_datasette(db_path, metadata)
    assert people(await page(ds, "/followers")) == [
        ("999", (f"/messages/999-{P + 1}", "Messages with 999")),
        ("@friend_two", (f"/messages/{P + 1}-{P + 2}", "Messages with @friend_two")),
        (str(P + 3), None),
        (str(P + 10), None),
        (str(P + 11), None),
    ]
    assert people(await page(ds, "/following"))[0] == (
        "@friend_two",
        (f"/messages/{P + 1}-{P + 2}", "Messages with @friend_two"),
    )
    # Each link opens that conversation.
    chat = await ds.client.get(f"/messages/999-{P + 1}")
    assert chat.status_code == 200


@pytest.mark.asyncio
async def test_links_to_conversations_with_any_of_the_owners_ids(tweets_db, metadata):
    # Here the profile's id is the official export's; the conversations are the other's.
    rows = people(await page(make_datasette(tweets_db, metadata), "/followers"))
    assert [(who, chat[0] if chat else None) for who, chat in rows] == [
        (str(P + 2), f"/messages/{P + 1}-{P + 2}"),
        (str(P + 3), None),
        (str(P + 10), None),
        (str(P + 11), None),
    ]
