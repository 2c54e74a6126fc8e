"""Reader pages (hooks/reader_pages.py): the timeline, a year, a month, a hashtag, on this
day, most liked, quote tweets and threads; and the home page and menu that lead to them."""

import html
import json
import re
import urllib.parse
from datetime import UTC, datetime

import pytest

from tests.helpers.build import run_build
from tests.helpers.paths import FIXTURES, IDS
from tests.helpers.site import make_datasette

READER = FIXTURES / "reader"
READER_IDS = json.loads((READER / "ids.json").read_text())
SUMMER = [READER_IDS[f"july{i}"] for i in range(130)]


@pytest.fixture(scope="module")
def markdown_db(tmp_path_factory):
    """130 tweets in July 2019 tagged #Summer in three spellings, and a few around them."""
    db_path = tmp_path_factory.mktemp("reader-md") / "archive.db"
    result = run_build(db_path, READER / "markdown")
    assert result.exit_code == 0, result.output
    return db_path


@pytest.fixture(scope="module")
def official_db(tmp_path_factory):
    """An official export with an edited tweet, a quote, a thread and a Unicode hashtag."""
    db_path = tmp_path_factory.mktemp("reader-official") / "archive.db"
    result = run_build(db_path, READER / "official")
    assert result.exit_code == 0, result.output
    return db_path


@pytest.fixture
def md(markdown_db, metadata):
    return make_datasette(markdown_db, metadata)


@pytest.fixture
def official(official_db, metadata):
    return make_datasette(official_db, metadata)


def tweet_ids(page):
    return [int(i) for i in re.findall(r'<article class="tweet[^"]*" data-tweet-id="(\d+)"', page)]


def title(page):
    return html.unescape(re.search(r"<title>(.*?)</title>", page, re.S).group(1).strip())


def next_link(page):
    match = re.search(r'<a href="([^"]+)" rel="next">', page)
    return html.unescape(match.group(1)) if match else None


async def get(ds, path, status=200):
    response = await ds.client.get(path)
    assert response.status_code == status, (path, response.text[:300])
    return response.text


async def all_pages(ds, path, limit=10):
    """The tweet ids of a list page and of every page after it, and how many pages."""
    ids, pages = [], 0
    while path and pages < limit:
        page = await get(ds, path)
        ids += tweet_ids(page)
        pages += 1
        path = next_link(page)
    return ids, pages


def month_cells(page):
    """The timeline's month cells as (href, "March 2021: 13"), from the name a screen reader
    says: the cell's text ("Mar 13") and, hidden, "tweets, March 2021"."""
    cells = re.findall(
        r'<a href="(/timeline/[^"]+)"><span>\w+</span> <strong>([\d,]+)</strong>'
        r'<span class="visually-hidden"> tweets?, ([^<]+)</span></a>',
        page,
    )
    return [(html.unescape(href), f"{month}: {count}") for href, count, month in cells]


@pytest.mark.asyncio
async def test_timeline_lists_every_year_and_month_with_counts(ds):
    page = await get(ds, "/timeline")
    assert title(page) == "Timeline — @site_owner — tweet archive"
    assert "<h1" in page and ">Timeline</h1>" in page
    years = re.findall(
        r'<h2><a href="(/timeline/\d{4})">(\d{4})</a> <span class="muted">(\d+)', page
    )
    assert years == [
        ("/timeline/2022", "2022", "1"),
        ("/timeline/2021", "2021", "19"),
        ("/timeline/2020", "2020", "4"),
    ]
    months = month_cells(page)
    assert months == [
        ("/timeline/2022/06", "June 2022: 1"),
        ("/timeline/2021/03", "March 2021: 13"),
        ("/timeline/2021/04", "April 2021: 5"),
        ("/timeline/2021/06", "June 2021: 1"),
        ("/timeline/2020/05", "May 2020: 4"),
    ]
    assert '<a href="/timeline.json?_shape=array">JSON</a>' in page
    rows = json.loads(await get(ds, "/timeline.json?_shape=array"))
    assert [(row["month"], row["tweets"]) for row in rows] == [
        ("2020-05", 4),
        ("2021-03", 13),
        ("2021-04", 5),
        ("2021-06", 1),
        ("2022-06", 1),
    ]


@pytest.mark.asyncio
async def test_timeline_counts_one_kind(ds):
    page = await get(ds, "/timeline?kind=reply")
    assert "5 replies in 3 years" in page
    months = month_cells(page)
    assert months == [
        ("/timeline/2021/03?kind=reply", "March 2021: 1"),
        ("/timeline/2021/04?kind=reply", "April 2021: 4"),
    ]
    assert '<a href="/timeline?kind=reply" aria-current="page">Replies</a>' in page


@pytest.mark.asyncio
async def test_a_month_reads_oldest_first_past_100_tweets(md):
    page = await get(md, "/timeline/2019/07")
    assert title(page) == "July 2019 — @reader_owner — tweet archive"
    assert "130 tweets, oldest first" in page
    assert '<a class="reader-prev" href="/timeline/2019/06" rel="prev">← June 2019</a>' in page
    assert '<a class="reader-next" href="/timeline/2019/08">August 2019 →</a>' in page
    assert '<a class="reader-up" href="/timeline/2019">All of 2019</a>' in page
    assert 'datetime="2019-07-01T00:00:00+00:00">Mon 1 Jul 2019, 00:00 UTC</time>' in page
    ids, pages = await all_pages(md, "/timeline/2019/07")
    assert (ids, pages) == (SUMMER, 3)
    explore = re.search(r'these tweets as <a href="([^"]+)">JSON</a>', page).group(1)
    rows = json.loads(await get(md, html.unescape(explore)))
    assert [row["id"] for row in rows][:3] == SUMMER[:3]


@pytest.mark.asyncio
async def test_a_month_shows_one_kind(md):
    ids, _ = await all_pages(md, "/timeline/2019/07?kind=retweet")
    assert ids == SUMMER[9::10]
    ids, pages = await all_pages(md, "/timeline/2019/07?kind=tweet")
    assert (ids, pages) == ([i for n, i in enumerate(SUMMER) if n % 10 != 9], 3)
    page = await get(md, "/timeline/2019/07?kind=reply")
    assert tweet_ids(page) == []
    assert "No replies then." in page
    # Unknown kinds are ignored; the cursor of another page or garbage starts from the top.
    for path in ("?kind=everything", "?after=garbage", "?after=%3Cscript%3E", "?kind=,,,"):
        assert tweet_ids(await get(md, "/timeline/2019/07" + path))[:2] == SUMMER[:2], path


@pytest.mark.asyncio
async def test_a_year_lists_its_months_and_tweets(md):
    page = await get(md, "/timeline/2019")
    assert title(page) == "2019 — @reader_owner — tweet archive"
    parts = re.findall(r'<li><a href="(/timeline/2019/\d\d)">(\w+) <span class="muted">(\d+)', page)
    assert parts == [
        ("/timeline/2019/06", "Jun", "1"),
        ("/timeline/2019/07", "Jul", "130"),
        ("/timeline/2019/08", "Aug", "1"),
    ]
    assert '<a class="reader-prev" href="/timeline/2017" rel="prev">← 2017</a>' in page
    assert '<a class="reader-next" href="/timeline/2020">2020 →</a>' in page
    assert re.findall(r"<h2>(\w+ 2019)</h2>", page) == ["June 2019", "July 2019"]
    ids, pages = await all_pages(md, "/timeline/2019")
    assert ids == [READER_IDS["june_last"], *SUMMER, READER_IDS["august_first"]]
    assert pages == 3


@pytest.mark.asyncio
async def test_lists_show_the_latest_version_of_an_edited_tweet(official):
    edited = [READER_IDS["edit_a"], READER_IDS["edit_b"]]
    for path in ("/timeline/2023/03", "/timeline/2023", "/hashtag/versions", "/most-liked"):
        ids = tweet_ids(await get(official, path))
        assert READER_IDS["edit_b"] in ids and READER_IDS["edit_a"] not in ids, path
    page = await get(official, "/timeline")
    assert ("/timeline/2023/03", "March 2023: 1") in month_cells(page)
    assert set(tweet_ids(await get(official, "/quotes"))) >= {READER_IDS["quote"]}
    assert edited[0] not in tweet_ids(await get(official, "/on-this-day?date=03-05"))


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "path",
    [
        "/timeline/2019",
        "/timeline/2021/02",
        "/timeline/2021/13",
        "/timeline/2021/00",
        "/timeline/0000",
        "/timeline/2021/3",
        "/timeline/21",
        "/hashtag/nosuchtag",
        "/hashtag/%3Cscript%3Ealert(1)%3C%2Fscript%3E",
        "/hashtag/two%20words",
        "/hashtag/" + "a" * 200,
        "/hashtag/%23",
        "/on-this-day?date=02-30",
        "/on-this-day?date=13-01",
        "/on-this-day?date=nonsense",
        "/on-this-day?date=" + "9" * 50,
        "/on-this-day?month=13&day_of_month=1",
        "/on-this-day?month=x",
    ],
)
async def test_no_page_for_what_the_archive_has_not(ds, path):
    # (Datasette sends a missing address with %-escapes to its ~-escaped form first.)
    response = await ds.client.get(path, follow_redirects=True)
    assert response.status_code == 404, path
    page = response.text
    assert "<script>alert(1)" not in page
    assert "Page not found" in page


@pytest.mark.asyncio
async def test_a_hashtag_page_matches_any_case_newest_first(md):
    for tag in ("summer", "SUMMER", "Summer", "%23summer", "%EF%BC%83Summer"):
        page = await get(md, f"/hashtag/{tag}")
        assert tweet_ids(page) == SUMMER[::-1][:50], tag
    assert title(page) == "#summer — @reader_owner — tweet archive"
    assert "130 tweets with this hashtag, newest first" in page
    ids, pages = await all_pages(md, "/hashtag/summer")
    assert (ids, pages) == (SUMMER[::-1], 3)
    ids, _ = await all_pages(md, "/hashtag/summer?kind=retweet")
    assert ids == SUMMER[9::10][::-1]
    explore = re.search(r'these tweets as <a href="([^"]+)">JSON</a>', page).group(1)
    rows = json.loads(await get(md, html.unescape(explore)))
    assert [row["id"] for row in rows] == SUMMER[::-1][:100]


@pytest.mark.asyncio
async def test_a_hashtag_matches_case_beyond_ascii(official):
    expected = [READER_IDS["arger_lower"], READER_IDS["arger_upper"]]
    for tag in ("ärger", "Ärger", "ÄRGER"):
        page = await get(official, "/hashtag/" + urllib.parse.quote(tag))
        assert tweet_ids(page) == expected, tag
    assert tweet_ids(await get(official, "/hashtag/~C3~84RGER")) == expected


@pytest.mark.asyncio
async def test_hostile_text_is_escaped_on_every_list(md, official):
    page = await get(md, "/timeline/2019/07")
    assert "<script>alert(5)</script>" not in page
    assert "&lt;script&gt;alert(5)&lt;/script&gt;" in page
    assert "<b>bold</b>" not in page
    for path in ("/timeline/2023/06", "/most-liked", "/on-this-day?date=06-03"):
        page = await get(official, path)
        assert READER_IDS["hostile"] in tweet_ids(page), path
        assert "<script>alert(1)" not in page and "<img src=x" not in page, path


@pytest.mark.asyncio
async def test_on_this_day_groups_the_years_newest_first(md):
    page = await get(md, "/on-this-day?date=07-15")
    assert title(page) == "On this day: 15 July — @reader_owner — tweet archive"
    headings = re.findall(r"<h2>(\w+ \d+ \w+ \d{4})", page)
    assert headings == ["Wednesday 15 July 2020", "Monday 15 July 2019", "Saturday 15 July 2017"]
    assert tweet_ids(page) == [
        READER_IDS["day_2020"],
        *SUMMER[68:72][::-1],
        READER_IDS["day_2017"],
    ]
    assert '<a class="reader-prev" href="/on-this-day?date=07-14" rel="prev">← 14 Jul</a>' in page
    assert '<a class="reader-next" href="/on-this-day?date=07-16">16 Jul →</a>' in page
    assert '<option value="15" selected>15</option>' in page
    assert '<option value="7" selected>July</option>' in page
    assert tweet_ids(await get(md, "/on-this-day?date=2019-07-15")) == tweet_ids(page)
    assert tweet_ids(await get(md, "/on-this-day?date=7-15")) == tweet_ids(page)
    assert "/on-this-day.json?date=07-15&amp;_shape=array" in page
    rows = json.loads(await get(md, "/on-this-day.json?date=07-15&_shape=array"))
    assert [row["tweet_id"] for row in rows] == tweet_ids(page)


@pytest.mark.asyncio
async def test_on_this_day_steps_across_the_year_and_29_february(md):
    page = await get(md, "/on-this-day?date=01-01")
    assert 'href="/on-this-day?date=12-31" rel="prev">← 31 Dec</a>' in page
    page = await get(md, "/on-this-day?date=02-29")
    assert "No tweets on 29 February in any year of the archive." in page
    assert 'href="/on-this-day?date=02-28" rel="prev">' in page
    assert 'href="/on-this-day?date=03-01">' in page
    response = await md.client.get("/on-this-day?month=2&day_of_month=31")
    assert response.status_code == 302
    assert response.headers["location"] == "/on-this-day?date=02-29"


@pytest.mark.asyncio
async def test_on_this_day_is_today_by_default(md):
    today = datetime.now(UTC)
    page = await get(md, "/on-this-day")
    assert f"On this day: {today.day} {today:%B}" in page


@pytest.mark.asyncio
async def test_on_this_day_pages_run_across_years(md):
    from tweet_site import lists
    from tweet_site.lists import on_this_day

    db = md.get_database("archive")
    years = ["2020", "2019", "2018", "2017"]
    seen, cursor = [], None
    for _ in range(5):
        query = on_this_day.query(years, "07-15", (), cursor)
        rows, cursor = await lists.page(db, query, 2, on_this_day.cursor)
        seen.append([row["tweet_id"] for row in rows])
        if not cursor:
            break
    assert seen == [
        [READER_IDS["day_2020"], SUMMER[71]],
        [SUMMER[70], SUMMER[69]],
        [SUMMER[68], READER_IDS["day_2017"]],
    ]


@pytest.mark.asyncio
async def test_most_liked_orders_by_likes_and_pages_on(ds, official):
    page = await get(ds, "/most-liked")
    assert title(page) == "Most liked — @site_owner — tweet archive"
    assert tweet_ids(page)[:2] == [IDS["popular"], IDS["geo_sf"]]
    assert '<p class="reader-note muted">1,000 likes · 1 retweet</p>' in page
    official_ids = tweet_ids(await get(official, "/most-liked"))
    assert official_ids == [
        READER_IDS["edit_b"],
        READER_IDS["thread1"],
        READER_IDS["quote"],
        READER_IDS["hostile"],
    ]
    after = f"/most-liked?before=4~{READER_IDS['thread1']}"
    assert tweet_ids(await get(official, after)) == official_ids[2:]
    assert tweet_ids(await get(official, "/most-liked?before=junk")) == official_ids


@pytest.mark.asyncio
async def test_quotes_show_the_quoted_tweet(ds):
    page = await get(ds, "/quotes")
    assert title(page) == "Quote tweets — @site_owner — tweet archive"
    # The quoted tweets are inside the quoting cards, not cards of their own below them.
    assert tweet_ids(page) == [IDS["quote_missing"], IDS["quote"]]
    card = page[page.index(f'data-tweet-id="{IDS["quote"]}"') :]
    card = card[: card.index("</ol>")]  # the last card of the list
    assert (
        f'<article class="quoted-card tweet-linked" aria-label="Quoted tweet" '
        f'data-tweet-id="{IDS["english"]}">'
    ) in card
    assert "I was running after the quick brown fox" in card
    assert (
        'Quoting <a class="mention" href="/-/user/someone_else">@someone_else</a>, not in this '
        'archive: <a href="https://twitter.com/someone_else/status/1234567890123" '
        'rel="nofollow noopener noreferrer">see it on twitter.com</a>'
    ) in page


@pytest.mark.asyncio
async def test_threads_link_to_their_first_tweet(ds, official):
    page = await get(ds, "/threads")
    assert title(page) == "Threads — @site_owner — tweet archive"
    assert tweet_ids(page) == [IDS["t1"]]
    assert f'<a href="/conversation/{IDS["t1"]}">Read the thread (4 tweets) →</a>' in page
    page = await get(official, "/threads")
    assert tweet_ids(page) == [READER_IDS["thread1"]]
    assert "Read the thread (3 tweets)" in page


@pytest.mark.asyncio
async def test_explorer_links_answer(ds):
    paths = [
        "/timeline",
        "/timeline/2021",
        "/timeline/2021/03?kind=tweet,quote",
        "/hashtag/sunset",
        "/on-this-day?date=06-05",
        "/most-liked",
        "/quotes",
        "/threads",
    ]
    for path in paths:
        page = await get(ds, path)
        links = re.search(
            r'these tweets as <a href="([^"]+)">JSON</a>, <a href="([^"]+)">CSV</a> or '
            r'<a href="([^"]+)">SQL</a>',
            page,
        )
        assert links, path
        json_url, csv_url, sql_url = (html.unescape(u) for u in links.groups())
        assert isinstance(json.loads(await get(ds, json_url)), list), path
        assert (await get(ds, csv_url)).count("\n") >= 1, path
        await get(ds, sql_url)


@pytest.mark.asyncio
async def test_a_markdown_archive_offers_no_dead_ends(md):
    page = await get(md, "/")
    explore = page[page.index('<section class="home-queries">') :]
    assert re.findall(r'<li><a href="([^"]+)">', explore) == [
        "/timeline",
        "/on-this-day",
        "/stats",
        "/archive/latest.atom",
        "/archive",
    ]
    counts = re.findall(r'<a href="([^"]+)"><strong>([\d,]+)</strong> ([\w &;]+)</a>', page)
    assert counts == [
        ("/timeline", "134", "in all"),
        ("/timeline?kind=tweet", "121", "tweets"),
        ("/timeline?kind=retweet", "13", "retweets"),
        ("/stats", "1", "account"),
        ("/stats", "1", "hashtag"),
    ]
    menu = page[page.index('<div class="nav-menu-inner">') : page.index("</details>")]
    labels = re.findall(r'<li><a href="[^"]+">([^<]+)</a></li>', menu)
    assert labels[:4] == ["Search tweets", "Timeline", "On this day", "Statistics"]
    for dead_end in ("Most liked", "Threads", "Map", "Media gallery", "Quote tweets"):
        assert dead_end not in labels
        assert f">{dead_end}</a>" not in explore
    # Reached anyway (an old link), the page says why it is empty.
    assert "This archive has no like counts" in await get(md, "/most-liked")
    assert "No threads in this archive." in await get(md, "/threads")
    assert "No quote tweets in this archive." in await get(md, "/quotes")


@pytest.mark.asyncio
async def test_home_descriptions_are_whole_sentences(ds):
    page = await get(ds, "/")
    explore = page[page.index('<section class="home-queries">') :]
    descriptions = re.findall(r'<span class="muted">— (.*?)</span>', explore)
    assert len(descriptions) >= 8
    for text in descriptions:
        assert text.endswith("."), text
        assert "..." not in text and "…" not in text, text


@pytest.mark.asyncio
async def test_home_counters_and_chart_lead_to_reader_pages(ds):
    page = await get(ds, "/")
    counts = page[
        page.index('<ul class="home-counts">') : page.index("</ul>", page.index("home-counts"))
    ]
    for href in re.findall(r'href="([^"]+)"', counts):
        assert not href.startswith("/archive/") or href == "/archive/geotagged", href
    assert '<a class="muted" href="/timeline">(by month)</a>' in page


@pytest.mark.asyncio
async def test_an_official_archive_offers_what_it_has(official, md):
    page = await get(official, "/")
    explore = page[page.index('<section class="home-queries">') :]
    assert re.findall(r'<li><a href="([^"]+)">', explore) == [
        "/timeline",
        "/on-this-day",
        "/most-liked",
        "/quotes",
        "/threads",
        "/stats",
        "/archive/latest.atom",
        "/archive",
    ]
    # Kind filters only for kinds the archive has (no retweets here; no replies or quotes
    # in the Markdown one).
    page = await get(official, "/timeline")
    kinds = page[
        page.index('<nav class="reader-kinds"') : page.index("</nav>", page.index("reader-kinds"))
    ]
    assert re.findall(r">([^<>]+)</a>", kinds) == [
        "Everything",
        "No replies or retweets",
        "Tweets",
        "Replies",
        "Quotes",
    ]
    page = await get(md, "/timeline")
    kinds = page[
        page.index('<nav class="reader-kinds"') : page.index("</nav>", page.index("reader-kinds"))
    ]
    assert re.findall(r">([^<>]+)</a>", kinds) == [
        "Everything",
        "No replies or retweets",
        "Tweets",
        "Retweets",
    ]
