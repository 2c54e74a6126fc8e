"""The search of direct messages on a private site (/messages/search, issue 19 item 2): the
tweets' search engine over the DMs' indexes, found by words (stemmed), phrases, prefixes,
exclusions, OR and Japanese substrings; marked, escaped, paged, as JSON and CSV, within the
tweets' search limits; and no such page on a public site."""

import asyncio
import csv
import html
import io
import re
import shutil
import time
import urllib.parse

import pytest
import sqlite_utils
from datasette.utils import tilde_encode

from etl import search_index
from etl.site import SETTINGS
from tests.helpers.build import run_build
from tests.helpers.dm_export import FIRST_MESSAGE, FRIEND, GROUP, PAIR, dm_export
from tests.helpers.paths import FIXTURES
from tests.helpers.site import make_datasette
from tweet_site import search_budget
from tweet_site.hooks import reader_search
from tweet_site.search_budget import costly_slot
from tweet_site.search_query import MAX_PREFIXES

# Oldest first: message n is FIRST_MESSAGE + n (1-based), sent at second n of the day.
PAIR_TEXTS = [
    "We were running late to the station",  # 1
    "the quick brown fox jumps",  # 2
    "brown and quick, not a fox",  # 3
    "明日は東京タワーに行きます",  # 4
    "<script>alert('zq')</script> zqhostile & <b>bold</b>",  # 5
    "",  # 6: a photo alone
    "lunch tomorrow? " + "filler words here " * 40 + "zqlongmatch at the end",  # 7
    *[f"zqpage number {n}" for n in range(30)],  # 8..37
    "a cat and a dog",  # 38
    "only a cat",  # 39
]
GROUP_TEXTS = ["東京駅で会いましょう", "picnic at noon"]  # 40, 41
GROUP_NAME = "Picnic <crew>"
MARK = re.compile(r"<mark>(.*?)</mark>")
HIT = re.compile(r'<li class="dm-hit">(.*?)</li>', re.S)
LINK = re.compile(r'<a class="dm-hit-conversation" href="([^"]*)"')


def where(hit):
    """A result's line saying where its message is, as text."""
    line = re.search(r'<p class="dm-hit-where">(.*?)</p>', hit, re.S)[1]
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", line)).split())


def mid(n):
    return FIRST_MESSAGE + n


@pytest.fixture(scope="module")
def private_db(tmp_path_factory):
    root = tmp_path_factory.mktemp("private_search")
    export = dm_export(root / "export", PAIR_TEXTS, GROUP_TEXTS, GROUP_NAME)
    result = run_build(root / "archive.db", export, args=["--private"])
    assert result.exit_code == 0, result.output
    return root / "archive.db"


@pytest.fixture
def ds(private_db):
    return make_datasette(private_db)


async def search(ds, **args):
    response = await ds.client.get("/messages/search?" + urllib.parse.urlencode(args))
    assert response.status_code == 200, response.text[:500]
    return response.text


async def found(ds, q, **args):
    """The ids of the messages a search lists (its first page), in order."""
    response = await ds.client.get(
        "/messages/search.json?" + urllib.parse.urlencode({"q": q, "_shape": "array", **args})
    )
    assert response.status_code == 200, response.text[:500]
    return [row["message_id"] for row in response.json()]


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "q,ids",
    [
        ("run", [1]),  # stemmed: "running"
        ("stations", [1]),
        ('"quick brown"', [2]),
        ("quick brown", [3, 2]),
        ("stati*", [1]),  # a prefix (of the stemmed word: "runn*" finds no "running")
        ("cat -dog", [39]),
        ("dog OR picnic", [41, 38]),
        ("東京", [40, 4]),  # 2 characters inside longer runs: 東京タワー, 東京駅
        ("タワー", [4]),
        ("東京タワー", [4]),
        ("zqhostile", [5]),
        ("nothingmatchesthis", []),
    ],
)
async def test_what_a_search_finds(ds, q, ids):
    assert await found(ds, q, sort="newest") == [mid(n) for n in ids]


@pytest.mark.asyncio
async def test_best_match_ranks_the_fuller_match_first(ds):
    # Both hold "cat"; the shorter message is the better match.
    assert await found(ds, "cat") == [mid(39), mid(38)]


@pytest.mark.asyncio
async def test_a_result_shows_the_marked_snippet_its_conversation_sender_date_and_link(ds):
    page = await search(ds, q="東京")
    hits = HIT.findall(page)
    assert len(hits) == 2
    group, pair = hits
    assert MARK.findall(group) == ["東京"] and MARK.findall(pair) == ["東京"]
    assert "Picnic &lt;crew&gt;" in group and "(group)" in group
    assert LINK.findall(group) == [f"/messages/{GROUP}?at={mid(40)}#m{mid(40)}"]
    assert LINK.findall(pair) == [f"/messages/{PAIR}?at={mid(4)}#m{mid(4)}"]
    # Where: the conversation, and its sender where the title doesn't say it already (a
    # group's; the 1:1's title is the friend's id); a human date in UTC.
    assert where(group) == f"Picnic <crew> (group) · {FRIEND} · Mon 1 May 2023, 00:00 UTC"
    assert f"intent/user?user_id={FRIEND}" in group
    assert where(pair) == f"{FRIEND} · Mon 1 May 2023, 00:00 UTC"
    # The owner's own message in a 1:1: "you".
    (mine,) = HIT.findall(await search(ds, q="stations"))
    assert where(mine) == f"{FRIEND} · you · Mon 1 May 2023, 00:00 UTC"
    assert "<title>東京 — Search messages — " in page
    assert '<input id="dm-search-q" type="search" name="q" value="東京"' in page
    assert "<strong>2 messages</strong> match" in page


@pytest.mark.asyncio
async def test_stemmed_words_and_prefixes_are_marked_whole(ds):
    assert MARK.findall(await search(ds, q="run")) == ["running"]
    assert MARK.findall(await search(ds, q="stati*")) == ["station"]
    assert MARK.findall(await search(ds, q='"quick brown"')) == ["quick brown"]


@pytest.mark.asyncio
async def test_a_long_message_shows_the_part_around_its_match(ds):
    (hit,) = HIT.findall(await search(ds, q="zqlongmatch"))
    text = re.search(r'<p class="dm-hit-text" dir="auto">(.*?)</p>', hit, re.S)[1]
    assert text.startswith("…") and "lunch" not in text
    assert MARK.findall(text) == ["zqlongmatch"]
    assert len(re.sub("<[^>]+>", "", text)) <= 302


@pytest.mark.asyncio
async def test_hostile_text_and_queries_are_escaped(ds):
    page = await search(ds, q="zqhostile")
    assert "<script>alert" not in page and "<b>bold" not in page
    assert "&lt;script&gt;alert(&#39;zq&#39;)&lt;/script&gt; <mark>zqhostile</mark>" in page
    page = await search(ds, q='"><script>x</script>')
    assert "<script>x" not in page


@pytest.mark.asyncio
async def test_no_match_and_an_empty_search(ds):
    page = await search(ds, q="nothingmatchesthis")
    assert "No message matches <q>nothingmatchesthis</q>." in page
    page = await search(ds)
    assert "<title>Search messages — " in page and 'class="dm-hit"' not in page
    assert "Japanese and Chinese match any part of the text" in page
    page = await search(ds, q="OR -")
    assert "only operators" in page


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "sort,window", [("newest", None), ("relevance", None), ("relevance", 7), ("relevance", 26)]
)
async def test_paging_lists_every_match_once(ds, sort, window, monkeypatch):
    if window:  # relevance ranks windows of the newest matches: pages cross them
        monkeypatch.setattr(reader_search, "RANKED", window)
    seen, url, pages = (
        [],
        "/messages/search?" + urllib.parse.urlencode({"q": "zqpage", "sort": sort}),
        0,
    )
    while url:
        response = await ds.client.get(url)
        assert response.status_code == 200
        page = response.text
        seen += [int(m) for m in re.findall(r"at=(\d+)#m", page)]
        following = re.search(r'<a href="([^"]*)" rel="next">', page)
        url = following[1].replace("&amp;", "&") if following else None
        pages += 1
    assert pages == 2
    assert sorted(seen) == [mid(n) for n in range(8, 38)]
    if sort == "newest":
        assert seen == [mid(n) for n in range(37, 7, -1)]


@pytest.mark.asyncio
async def test_a_search_within_one_conversation(ds):
    # A chat page's search box: ?conversation=<id> keeps to its messages, every order and
    # page; a conversation the archive lacks searches them all.
    assert await found(ds, "東京", sort="newest", conversation=PAIR) == [mid(4)]
    assert await found(ds, "東京", sort="newest", conversation=GROUP) == [mid(40)]
    assert await found(ds, "東京", conversation=GROUP) == [mid(40)]
    assert await found(ds, "dog OR picnic", conversation=PAIR) == [mid(38)]
    assert await found(ds, "東京", sort="newest", conversation="1-2") == [mid(40), mid(4)]
    page = await search(ds, q="東京", conversation=GROUP)
    assert "<strong>1 message</strong> matches" in page
    scope = re.search(r'<p class="dm-scope">(.*?)</p>', page, re.S)[1]
    assert re.findall(r'<a href="([^"]*)"[^>]*>(.*?)</a>', scope) == [
        (f"/messages/{GROUP}", "Picnic &lt;crew&gt;"),
        ("/messages/search?q=%E6%9D%B1%E4%BA%AC", "Search all messages"),
    ]
    # The search box searches the conversation again; the pages that follow stay in it.
    assert f'<input type="hidden" name="conversation" value="{GROUP}">' in page
    page = await search(ds, q="zqpage", conversation=PAIR)
    following = html.unescape(re.search(r'<a href="([^"]*)" rel="next">', page)[1])
    assert f"conversation={PAIR}" in following
    assert f"conversation={PAIR}" in re.search(r'href="([^"]*\.json[^"]*)"', page)[1]
    assert 'class="dm-scope"' not in await search(ds, q="東京", conversation="1-2")


@pytest.mark.asyncio
async def test_json_and_csv_rows(ds):
    response = await ds.client.get("/messages/search.json?q=picnic&_shape=array")
    assert response.json() == [
        {
            "message_id": mid(41),
            "conversation_id": GROUP,
            "conversation": GROUP_NAME,
            "sender_id": int(FRIEND),
            "sender": FRIEND,
            "created_at": "2023-05-01T00:00:41+00:00",
            "text": "picnic at noon",
            "url": f"http://localhost/messages/{GROUP}?at={mid(41)}#m{mid(41)}",
        }
    ]
    response = await ds.client.get("/messages/search.csv?q=zqpage&_size=max")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert len(rows) == 30 and rows[0]["conversation_id"] == PAIR
    paged = (await ds.client.get("/messages/search.json?q=zqpage&_size=10")).json()
    assert len(paged["rows"]) == 10 and paged["next"]


@pytest.mark.asyncio
async def test_the_tweet_search_limits_apply(ds):
    many = " OR ".join(f"zq{n}*" for n in range(MAX_PREFIXES + 2))
    page = await search(ds, q=many)
    assert f"At most {MAX_PREFIXES} words ending in * are searched for" in page
    page = await search(ds, q="a*")
    assert "needs at least 2 letters before the *" in page
    long_query = "x" * 2000
    page = await search(ds, q=long_query)
    assert long_query not in page and "x" * 280 in page


@pytest.mark.asyncio
@pytest.mark.parametrize("path", ["/messages/search", "/messages/search.json?q=x"])
async def test_no_such_page_on_a_public_site(path, tmp_path):
    result = run_build(tmp_path / "archive.db", FIXTURES / "official" / "modern")
    assert result.exit_code == 0, result.output
    response = await make_datasette(tmp_path / "archive.db").client.get(path)
    assert response.status_code == 404


@pytest.mark.asyncio
async def test_people_the_archive_can_name_are_shown_by_handle(private_db, tmp_path):
    named = tmp_path / "archive.db"
    shutil.copy(private_db, named)
    db = sqlite_utils.Database(named)
    db["account_names"].insert(
        {"account_id": int(FRIEND), "screen_name": "zq_friend", "name": "Friend", "source": "test"},
        replace=True,  # whatever name the build found
    )
    db.conn.commit()
    db.close()
    rows = (await make_datasette(named).client.get("/messages/search.json?q=東京タワー")).json()
    assert [(r["sender"], r["conversation"]) for r in rows["rows"]] == [("@zq_friend", "Friend")]


@pytest.mark.asyncio
async def test_the_time_budget_and_the_costly_slot_apply(private_db, monkeypatch):
    # A budget too short for any statement: the page says how to narrow the search.
    with monkeypatch.context() as patched:
        patched.setattr(search_budget, "BUDGET_SECONDS", 0.001)
        response = await make_datasette(private_db).client.get("/messages/search?q=zqpage")
    assert response.status_code == 400
    assert "This search takes longer than the site allows" in response.text
    # A costly search (a 2-character Japanese term: each candidate checked in Python) waits
    # for the one running, then is told the site is busy; a cheap one doesn't wait.
    ds = make_datasette(private_db, settings=dict(SETTINGS, sql_time_limit_ms=400))
    ready, done = asyncio.Event(), asyncio.Event()

    async def hold():
        async with costly_slot(ds, time.monotonic()):
            ready.set()
            await done.wait()

    holder = asyncio.create_task(hold())
    await asyncio.wait_for(ready.wait(), 5)
    try:
        response = await ds.client.get("/messages/search?q=東京")
        assert (response.status_code, response.headers["retry-after"]) == (503, "5")
        assert "The site is busy" in response.text
        assert (await ds.client.get("/messages/search.json?q=東京")).status_code == 503
        # The dm_messages table's search box takes its turn too.
        table = "/archive/dm_messages.json?" + urllib.parse.urlencode({"_search": "東京"})
        assert (await ds.client.get(table)).status_code == 503
        assert (await ds.client.get("/messages/search?q=zqpage")).status_code == 200
    finally:
        done.set()
        await holder


@pytest.mark.asyncio
async def test_the_dm_messages_tables_search_box(ds):
    # Alone, a search goes to this page; with anything else it stays on the table.
    response = await ds.client.get("/archive/dm_messages?_search=東京")
    assert response.status_code == 302
    assert response.headers["location"] == "/messages/search?q=" + urllib.parse.quote("東京")
    rows = (await ds.client.get("/archive/dm_messages.json?_search=picnic&_shape=array")).json()
    assert [row["id"] for row in rows] == [mid(41)]
    # Raw FTS5 syntax within the parser's limits, as on the tweets table.
    raw = urllib.parse.urlencode({"_search": "aa* OR bb* OR cc* OR dd*", "_searchmode": "raw"})
    response = await ds.client.get("/archive/dm_messages.json?" + raw)
    assert response.status_code == 400


@pytest.mark.asyncio
async def test_a_message_of_the_parsers_markdown_links_and_names_as_its_chat_does(
    private_db, tmp_path
):
    # twitter-archive-parser's conversations are named md:<a>-<b>, their messages have
    # negative ids and may name their sender by handle only.
    copy = tmp_path / "archive.db"
    shutil.copy(private_db, copy)
    db = sqlite_utils.Database(copy)
    conversation = "md:zq_alice-fixture_owner"
    db["dm_conversations"].insert(
        {"id": conversation, "kind": "one_to_one", "participant_ids": "[]", "message_count": 1}
    )
    db["dm_messages"].insert(
        {
            "id": -5,
            "conversation_id": conversation,
            "sender_screen_name": "zq_alice",
            "created_at": "2020-01-01T00:00:00+00:00",
            "text": "zqparser words",
            "is_welcome": 0,
        }
    )
    search_index.create_search(db, search_index.DM_MESSAGES)
    db.conn.commit()
    db.close()
    response = await make_datasette(copy).client.get("/messages/search.json?q=zqparser")
    rows = response.json()
    assert response.status_code == 200, rows
    assert [(r["message_id"], r["sender"], r["url"]) for r in rows["rows"]] == [
        (-5, "@zq_alice", f"http://localhost/messages/{tilde_encode(conversation)}?at=-5#m-5")
    ]
