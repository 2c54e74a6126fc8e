"""Reader lists page both ways and say where a page sits ("51–100 of 130"), with one
wording for their steps; their CSV links download; search reruns when its order or filter
changes (tests/browser/test_browser_reader_pager.py)."""

import html
import json
import re

import pytest

from tests.helpers.build import run_build
from tests.helpers.paths import FIXTURES, IDS
from tests.helpers.site import make_datasette

READER_IDS = json.loads((FIXTURES / "reader" / "ids.json").read_text())
SUMMER = [READER_IDS[f"july{i}"] for i in range(130)]
OWNER = -2451166271531631742


@pytest.fixture(scope="module")
def markdown_db(tmp_path_factory):
    """130 tweets in July 2019 tagged #Summer, and a few around them."""
    db_path = tmp_path_factory.mktemp("pager-md") / "archive.db"
    result = run_build(db_path, FIXTURES / "reader" / "markdown")
    assert result.exit_code == 0, result.output
    return db_path


@pytest.fixture
def md(markdown_db, metadata):
    return make_datasette(markdown_db, metadata)


def tweet_ids(page):
    return [int(i) for i in re.findall(r'<article class="tweet[^"]*" data-tweet-id="(\d+)"', page)]


def pager(page):
    """The pager's links and words: [(kind, text, href)], kind first/previous/position/next."""
    nav = re.search(r'<nav class="[^"]*reader-pager"[^>]*>(.*?)</nav>', page, re.S)
    if not nav:
        return []
    found = []
    for match in re.finditer(r"<(a|span)([^>]*)>([^<]*)</\1>", nav.group(1)):
        attributes, text = match.group(2), html.unescape(match.group(3))
        href = re.search(r'href="([^"]*)"', attributes)
        kind = (
            "next"
            if 'rel="next"' in attributes
            else re.search(r'class="reader-(\w+)"', attributes)[1]
        )
        found.append((kind, text, html.unescape(href[1]) if href else None))
    return found


async def walk(ds, path):
    """Every page from `path` on by Next, then back by Previous: (pagers, ids forth, ids back)."""
    pagers, forth, back = [], [], []
    while path:
        page = (await ds.client.get(path)).text
        pagers.append(pager(page))
        forth.append(tweet_ids(page))
        path = next((href for kind, _, href in pagers[-1] if kind == "next"), None)
    path = next((href for kind, _, href in pagers[-1] if kind == "previous"), None)
    while path:
        page = (await ds.client.get(path)).text
        back.append(tweet_ids(page))
        path = next((href for kind, _, href in pager(page) if kind == "previous"), None)
    return pagers, forth, back


@pytest.mark.asyncio
async def test_a_month_pages_forth_and_back_saying_where_it_is(md):
    pagers, forth, back = await walk(md, "/timeline/2019/07")
    assert forth == [SUMMER[:50], SUMMER[50:100], SUMMER[100:]]
    assert back == [SUMMER[50:100], SUMMER[:50]]
    second = "/timeline/2019/07?after=" + pagers[0][-1][2].split("after=")[1]
    assert [[(kind, text) for kind, text, _ in p] for p in pagers] == [
        [("position", "1–50 of 130"), ("next", "Newer tweets →")],
        [("previous", "← Older tweets"), ("position", "51–100 of 130"), ("next", "Newer tweets →")],
        [("first", "First page"), ("previous", "← Older tweets"), ("position", "101–130 of 130")],
    ]
    # Previous is the very address Next led to: in a static copy, the same file.
    assert pagers[1][0][2] == "/timeline/2019/07"
    assert pagers[2][1][2] == second
    assert pagers[2][0][2] == "/timeline/2019/07"


@pytest.mark.asyncio
async def test_a_hashtag_pages_back_from_older_to_newer_tweets(md):
    pagers, forth, back = await walk(md, "/hashtag/summer")
    newest_first = SUMMER[::-1]
    assert forth == [newest_first[:50], newest_first[50:100], newest_first[100:]]
    assert back == forth[1::-1]
    assert [[(kind, text) for kind, text, _ in p] for p in pagers][1] == [
        ("previous", "← Newer tweets"),
        ("position", "51–100 of 130"),
        ("next", "Older tweets →"),
    ]


@pytest.mark.asyncio
async def test_an_account_page_pages_back_and_says_where_it_is(md):
    pagers, forth, back = await walk(md, f"/archive/users/{OWNER}")
    assert [len(ids) for ids in forth] == [50, 50, 34]
    assert back == forth[1::-1]
    assert [(kind, text) for kind, text, _ in pagers[2]] == [
        ("first", "First page"),
        ("previous", "← Newer tweets"),
        ("position", "101–134 of 134"),
    ]


@pytest.mark.asyncio
async def test_a_search_in_date_order_pages_back(md):
    pagers, forth, back = await walk(md, "/search?q=summer&sort=newest")
    assert [len(ids) for ids in forth] == [25, 25, 25, 25, 25, 5]
    assert back == forth[-2::-1]
    assert [(kind, text) for kind, text, _ in pagers[0]] == [
        ("position", "1–25 of 130"),
        ("next", "Older tweets →"),
    ]
    relevance, _, _ = await walk(md, "/search?q=summer")
    assert [(kind, text) for kind, text, _ in relevance[1]] == [
        ("first", "First page"),
        ("next", "Next page →"),
    ]


@pytest.mark.asyncio
async def test_every_list_says_next_one_way(ds, md):
    words = set()
    for site, path in [
        (md, "/timeline/2019/07"),
        (md, "/hashtag/summer"),
        (md, "/on-this-day?date=07-05"),
        (md, "/search?q=summer"),
        (md, "/search?q=summer&sort=oldest"),
        (ds, "/most-liked?_size=1"),
    ]:
        page = (await site.client.get(path)).text
        words |= {text for kind, text, _ in pager(page) if kind in ("next", "previous")}
    assert words <= {"Older tweets →", "Newer tweets →", "Next page →"}, words


@pytest.mark.asyncio
async def test_threads_switch_their_order(ds):
    page = (await ds.client.get("/threads")).text
    switch = re.search(r'<nav class="reader-kinds" aria-label="Order">(.*?)</nav>', page, re.S)
    assert re.findall(r'<a href="([^"]+)"[^>]*>([^<]+)</a>', switch.group(1)) == [
        ("/threads", "Newest first"),
        ("/threads?sort=longest", "Longest first"),
    ]
    assert (await ds.client.get("/threads?sort=longest")).status_code == 200


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "path,name",
    [
        ("/timeline", "timeline.csv"),
        ("/timeline/2021/04", "tweets.csv"),
        ("/hashtag/sunset", "archive.csv"),
        ("/on-this-day?date=06-05", "on-this-day-06-05.csv"),
        ("/most-liked", "most-liked.csv"),
        ("/quotes", "quotes.csv"),
        ("/threads", "threads.csv"),
        ("/search?q=thread", "search.csv"),
        (f"/conversation/{IDS['t2']}", f"conversation-{IDS['t2']}.csv"),
        ("/-/user/nobody", "with_user.csv"),
    ],
)
async def test_csv_links_download_a_named_file(ds, path, name):
    page = (await ds.client.get(path)).text
    links = re.findall(r'<a href="([^"]+)">(?:as )?CSV</a>', page)
    assert len(links) == 1, path
    response = await ds.client.get(html.unescape(links[0]))
    assert response.status_code == 200
    assert response.headers["content-disposition"] == f'attachment; filename="{name}"'
