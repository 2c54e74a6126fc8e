"""The owner's accounts on a private site (hooks/private_people.py): followers, following,
mutuals, blocks, mutes, lists and likes, their .json and .csv, the menu's links and home's
private section; and a public site, which has none of them. The private fixture
(tests/fixtures/private) is invented."""

import csv
import html
import io
import re
import shutil

import pytest
import sqlite_utils

from tests.helpers.build import run_build
from tests.helpers.paths import FIXTURES
from tests.helpers.site import make_datasette
from tweet_site.lists.twitter_lists import readable

P = 2000000000000000000  # the fixture's account ids: P + n
INTENT = "https://twitter.com/intent/user?user_id="
PRIVATE_PATHS = ("/followers", "/following", "/mutuals", "/blocks", "/mutes", "/lists", "/likes")


@pytest.fixture(scope="module")
def private_db(tmp_path_factory):
    db_path = tmp_path_factory.mktemp("private_people") / "archive.db"
    result = run_build(db_path, FIXTURES / "private", args=["--private"])
    assert result.exit_code == 0, result.output
    return db_path


@pytest.fixture(scope="module")
def named_db(private_db, tmp_path_factory):
    """The private build with names known for two followers (one hostile) and 120 more
    followers, some of them followed too: names and pages to turn."""
    db_path = tmp_path_factory.mktemp("private_named") / "archive.db"
    shutil.copy(private_db, db_path)
    db = sqlite_utils.Database(db_path)
    # Whatever the build resolved, these names and no others.
    db.execute("delete from account_names")
    db["account_names"].insert_all(
        [
            {"account_id": P + 2, "screen_name": "friend_two", "name": "Friend <b>Two</b>"},
            {"account_id": P + 10, "screen_name": "ten_ten", "name": None},
        ]
    )
    more = [3000000000000000000 + n for n in range(120)]
    db["followers"].insert_all({"account_id": n, "user_link": None} for n in more)
    db["following"].insert_all({"account_id": n, "user_link": None} for n in more[::7])
    db.conn.commit()
    db.close()
    return db_path


@pytest.fixture
def pds(private_db, metadata):
    return make_datasette(private_db, metadata)


@pytest.fixture
def nds(named_db, metadata):
    return make_datasette(named_db, metadata)


def title(page):
    return html.unescape(re.search(r"<title>(.*?)</title>", page, re.S)[1].strip())


def heading(page):
    return html.unescape(re.search(r"<h1[^>]*>(.*?)</h1>", page, re.S)[1].strip())


def people(page):
    """Each account row: (what its link says, where it leads, its badges)."""
    rows = re.findall(r'<li class="person">(.*?)</li>', page, re.S)
    found = []
    for row in rows:
        link = re.search(r'<a class="person-link" href="([^"]+)"[^>]*>(.*?)</a>', row, re.S)
        text = html.unescape(re.sub(r"<[^>]+>", "", link[2]))
        badges = re.findall(r'<span class="person-badge">([^<]*)</span>', row)
        found.append((text, html.unescape(link[1]), badges))
    return found


def tabs(page):
    nav = re.search(r'<nav class="reader-kinds" aria-label="People">(.*?)</nav>', page, re.S)[1]
    return re.findall(r'<a href="([^"]+)"( aria-current="page")?>([^<]*)</a>', nav)


def pager(page):
    nav = re.search(r'<nav class="reader-pager"[^>]*>(.*?)</nav>', page, re.S)
    if not nav:
        return {}
    links = dict(
        (label.strip(), html.unescape(href))
        for href, label in re.findall(r'<a[^>]*href="([^"]+)"[^>]*>([^<]*)</a>', nav[1])
    )
    place = re.search(r'<span class="reader-position">([^<]*)</span>', nav[1])
    return {"links": links, "position": place[1] if place else None}


def bare(n):
    return (str(P + n), f"{INTENT}{P + n}", [])


@pytest.mark.asyncio
async def test_followers_page_lists_each_follower_by_id_with_you_follow_badges(pds):
    page = (await pds.client.get("/followers")).text
    assert title(page) == "Followers — @fixture_owner — private archive"
    assert heading(page) == "4 followers"
    assert people(page) == [
        (str(P + 2), f"{INTENT}{P + 2}", ["you follow"]),
        bare(3),
        (str(P + 10), f"{INTENT}{P + 10}", ["you follow"]),
        bare(11),
    ]
    assert tabs(page) == [
        ("/followers", ' aria-current="page"', "Followers 4"),
        ("/following", "", "Following 5"),
        ("/mutuals", "", "Mutuals 2"),
        ("/blocks", "", "Blocked 2"),
        ("/mutes", "", "Muted 2"),
    ]
    assert pager(page) == {}


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "path, page_title, words, rows",
    [
        (
            "/following",
            "Following",
            "5 accounts you follow",
            [
                (P + 2, ["follows you"]),
                (P + 10, ["follows you"]),
                (P + 20, []),
                (P + 21, []),
                (P + 22, []),
            ],
        ),
        ("/mutuals", "Mutuals", "2 mutuals", [(P + 2, []), (P + 10, [])]),
        (
            "/blocks",
            "Blocked accounts",
            "2 blocked accounts",
            [(P + 11, ["follows you"]), (P + 30, [])],
        ),
        ("/mutes", "Muted accounts", "2 muted accounts", [(P + 20, ["you follow"]), (P + 31, [])]),
    ],
)
async def test_each_account_page_has_its_rows_count_and_title(pds, path, page_title, words, rows):
    page = (await pds.client.get(path)).text
    assert title(page) == f"{page_title} — @fixture_owner — private archive"
    assert heading(page) == words
    assert people(page) == [(str(n), f"{INTENT}{n}", badges) for n, badges in rows]
    assert [href for href, current, _ in tabs(page) if current] == [path]


@pytest.mark.asyncio
async def test_mutuals_are_the_accounts_in_both_followers_and_following(nds, named_db):
    db = sqlite_utils.Database(named_db)
    followers = {r["account_id"] for r in db["followers"].rows}
    following = {r["account_id"] for r in db["following"].rows}
    rows = (await nds.client.get("/mutuals.json?_size=max&_shape=array")).json()
    assert [row["account_id"] for row in rows] == sorted(followers & following)
    assert len(rows) == 2 + 18
    page = (await nds.client.get("/mutuals")).text
    assert heading(page) == "20 mutuals"


@pytest.mark.asyncio
async def test_known_accounts_show_handle_and_name_escaped_others_the_bare_id(nds):
    page = (await nds.client.get("/followers")).text
    assert people(page)[:4] == [
        ("@friend_two Friend <b>Two</b>", f"{INTENT}{P + 2}", ["you follow"]),
        bare(3),
        ("@ten_ten", f"{INTENT}{P + 10}", ["you follow"]),
        bare(11),
    ]
    assert "Friend &lt;b&gt;Two&lt;/b&gt;" in page and "<b>Two" not in page
    rows = (await nds.client.get("/followers.json?_shape=array&_size=2")).json()
    assert rows == [
        {
            "account_id": P + 2,
            "screen_name": "friend_two",
            "name": "Friend <b>Two</b>",
            "follows_you": 1,
            "you_follow": 1,
            "profile_url": f"{INTENT}{P + 2}",
        },
        {
            "account_id": P + 3,
            "screen_name": None,
            "name": None,
            "follows_you": 1,
            "you_follow": 0,
            "profile_url": f"{INTENT}{P + 3}",
        },
    ]


@pytest.mark.asyncio
async def test_followers_page_by_page_with_keyset_cursors(nds, named_db):
    everyone = sorted(r["account_id"] for r in sqlite_utils.Database(named_db)["followers"].rows)
    assert len(everyone) == 124
    seen, path, pages = [], "/followers", []
    while path:
        page = (await nds.client.get(path)).text
        assert heading(page) == "124 followers"
        seen += [int(href.rsplit("=", 1)[1]) for _, href, _ in people(page)]
        pages.append((path, pager(page)))
        path = pager(page)["links"].get("Next page →")
    assert seen == everyone
    first, second, third = (p for p, _ in pages)
    assert [info for _, info in pages] == [
        {"links": {"Next page →": second}, "position": "1–50 of 124"},
        {
            "links": {"← Previous page": "/followers", "Next page →": third},
            "position": "51–100 of 124",
        },
        {
            "links": {"First page": "/followers", "← Previous page": second},
            "position": "101–124 of 124",
        },
    ]
    assert second == f"/followers?after={everyone[49]}"
    # The data of a page, and where the next starts.
    data = (await nds.client.get("/followers.json?_size=100")).json()
    assert [row["account_id"] for row in data["rows"]] == everyone[:100]
    assert data["next"] == str(everyone[99])
    assert data["next_url"] == f"http://localhost/followers.json?_size=100&after={everyone[99]}"


@pytest.mark.asyncio
@pytest.mark.parametrize("cursor", ["abc", "99999999999999999999", "-5", "1e5"])
async def test_a_cursor_that_is_no_account_id_gives_the_first_page(pds, cursor):
    response = await pds.client.get(f"/followers?after={cursor}")
    assert response.status_code == 200
    assert [text for text, _, _ in people(response.text)] == [str(P + n) for n in (2, 3, 10, 11)]


@pytest.mark.asyncio
async def test_each_page_has_its_rows_as_csv_and_its_table_one_click_away(pds):
    page = (await pds.client.get("/blocks")).text
    explore = re.search(r'<p class="people-explore muted">(.*?)</p>', page, re.S)[1]
    links = dict(
        (label, html.unescape(href))
        for href, label in re.findall(r'<a href="([^"]+)">([^<]+)</a>', explore)
    )
    assert links["JSON"] == "/blocks.json?_shape=array"
    assert links["CSV"] == "/blocks.csv?_size=max"
    assert links["the blocks table"] == "/archive/blocks"
    response = await pds.client.get(links["CSV"])
    assert response.headers["content-disposition"] == 'attachment; filename="blocks.csv"'
    assert list(csv.reader(io.StringIO(response.text))) == [
        ["account_id", "screen_name", "name", "follows_you", "you_follow", "profile_url"],
        [str(P + 11), "", "", "1", "0", f"{INTENT}{P + 11}"],
        [str(P + 30), "", "", "0", "0", f"{INTENT}{P + 30}"],
    ]
    for label in ("the blocks table", "SQL"):
        assert (await pds.client.get(links[label])).status_code == 200, label


@pytest.mark.asyncio
async def test_likes_newest_tweet_first_escaped_and_linked_by_id(pds):
    page = (await pds.client.get("/likes")).text
    assert title(page) == "Likes — @fixture_owner — private archive"
    assert heading(page) == "3 liked tweets"
    assert "Liked tweets, newest tweet first" in page
    items = re.findall(r'<li class="like">(.*?)</li>', page, re.S)
    texts = [
        html.unescape(re.search(r'<p class="like-text[^"]*"[^>]*>(.*?)</p>', i)[1]) for i in items
    ]
    assert texts == [
        "<script>alert('liked')</script> & <b>bold</b>",
        "(The export gives no text for this tweet.)",
        "An invented liked tweet about archives",
    ]
    assert [re.search(r'<a href="([^"]+)"', i)[1] for i in items] == [
        "https://twitter.com/i/web/status/1700000000000000002",
        "https://twitter.com/i/web/status/1650000000000000003",
        "https://twitter.com/i/web/status/1600000000000000001",
    ]
    assert "<script>alert" not in page and "javascript:" not in page
    rows = (await pds.client.get("/likes.json?_shape=array&_size=2")).json()
    assert [row["tweet_id"] for row in rows] == [1700000000000000002, 1650000000000000003]
    following = (await pds.client.get("/likes.json?_size=2")).json()
    assert following["next"] == "1650000000000000003"
    rest = (await pds.client.get("/likes.json?_shape=array&before=1650000000000000003")).json()
    assert [row["tweet_id"] for row in rest] == [1600000000000000001]


@pytest.mark.asyncio
async def test_the_addresses_in_a_liked_tweet_are_links(private_db, metadata, tmp_path):
    # The export gives a like's text and no entities: the http(s) addresses in it are
    # linked (rel nofollow), sentence punctuation left out, anything else stays text.
    copy = tmp_path / "archive.db"
    shutil.copy(private_db, copy)
    db = sqlite_utils.Database(copy)
    db["likes"].insert_all(
        [
            {
                "tweet_id": 1800000000000000001,
                "text": "Read https://t.co/AbC123. (and https://en.wikipedia.org/wiki/Tea_(drink))"
                "\nthen https://example.org/a?b=1&c=2, ok",
            },
            {
                "tweet_id": 1800000000000000002,
                "text": 'javascript:alert(1) ftp://x.org https://t.co/x"><script>alert(2)</script>',
            },
        ]
    )
    db.conn.commit()
    db.close()
    page = (await make_datasette(copy, metadata).client.get("/likes")).text
    items = re.findall(r'<li class="like">(.*?)</li>', page, re.S)
    texts = [re.search(r'<p class="like-text"[^>]*>(.*?)</p>', i, re.S)[1] for i in items[:2]]
    links = [re.findall(r'<a href="([^"]+)" title="[^"]*" rel="([^"]+)">', t) for t in texts]
    nofollow = "nofollow noopener noreferrer"
    assert links == [
        [("https://t.co/x", nofollow)],
        [
            ("https://t.co/AbC123", nofollow),
            ("https://en.wikipedia.org/wiki/Tea_(drink)", nofollow),
            ("https://example.org/a?b=1&amp;c=2", nofollow),
        ],
    ]
    assert html.unescape(re.sub(r"<[^>]+>", "", texts[1].replace("<br>", "\n"))) == (
        "Read t.co/AbC123. (and en.wikipedia.org/wiki/Tea_(drin…)\nthen example.org/a?b=1&c=2, ok"
    )
    assert "<script>alert(2)" not in page and 'href="javascript' not in page
    assert "&lt;script&gt;alert(2)&lt;/script&gt;" in texts[0]


@pytest.mark.asyncio
async def test_lists_by_kind_with_names_read_from_their_addresses(pds):
    page = (await pds.client.get("/lists")).text
    assert title(page) == "Lists — @fixture_owner — private archive"
    assert heading(page) == "4 lists"
    item = r'<li><a href="([^"]+)"[^>]*>([^<]*)</a>(?: <span class="muted">by ([^<]*)</span>)?</li>'
    sections = re.findall(
        r'<h2>([^<]*)<span class="muted">(\d+)</span></h2>(.*?)</section>', page, re.S
    )
    found = [
        (
            h.strip(),
            int(n),
            [
                (html.unescape(href), html.unescape(name), html.unescape(by))
                for href, name, by in re.findall(item, body)
            ],
        )
        for h, n, body in sections
    ]
    assert found == [
        (
            "Lists you created",
            1,
            [
                (
                    "https://twitter.com/fixture_owner/lists/birds-of-prey",
                    "birds of prey",
                    "@fixture_owner",
                )
            ],
        ),
        (
            "Lists you are a member of",
            2,
            [
                ("https://twitter.com//lists/no-owner-given", "no owner given", ""),
                (
                    "https://twitter.com/list_keeper/lists/people-who-archive",
                    "people who archive",
                    "@list_keeper",
                ),
            ],
        ),
        (
            "Lists you subscribe to",
            1,
            [("https://twitter.com/list_keeper/lists/%3Cscript%3E", "<script>", "@list_keeper")],
        ),
    ]
    assert "&lt;script&gt;</a>" in page
    rows = (await pds.client.get("/lists.json?_shape=array")).json()
    assert rows[0] == {
        "kind": "created",
        "url": "https://twitter.com/fixture_owner/lists/birds-of-prey",
        "owner": "@fixture_owner",
        "name": "birds of prey",
    }
    assert len(rows) == 4


@pytest.mark.parametrize(
    "url, expected",
    [
        (
            "https://twitter.com/someone/lists/cats-and-dogs",
            {"owner": "@someone", "name": "cats and dogs"},
        ),
        ("https://x.com/someone/lists/new_list", {"owner": "@someone", "name": "new list"}),
        ("https://twitter.com/i/lists/123456", {"owner": "", "name": "list 123456"}),
        ("https://twitter.com//lists/x", {"owner": "", "name": "x"}),
        ("https://example.com/elsewhere", {"owner": "", "name": "https://example.com/elsewhere"}),
        ("https://twitter.com/a/lists/%E6%9D%B1%E4%BA%AC", {"owner": "@a", "name": "東京"}),
    ],
)
def test_a_list_is_named_from_its_address(url, expected):
    assert readable(url) == expected


@pytest.mark.asyncio
async def test_private_menu_and_home_section(pds):
    home = (await pds.client.get("/")).text
    menu = re.search(r'<ul class="nav-links">(.*?)</ul>', home, re.S)[1]
    assert re.findall(r'<a href="([^"]+)">([^<]+)</a>', menu)[:4] == [
        ("/messages", "Messages"),
        ("/followers", "People"),
        ("/lists", "Lists"),
        ("/likes", "Likes"),
    ]
    section = re.search(r'<section class="home-private"[^>]*>(.*?)</section>', home, re.S)[1]
    assert '<h2 id="home-private-h">Your private archive</h2>' in section
    items = [
        (href, " ".join(html.unescape(re.sub(r"<[^>]+>", "", text)).split()))
        for href, text in re.findall(r'<li><a href="([^"]+)">(.*?)</li>', section, re.S)
    ]
    assert items == [
        ("/messages", "6 messages in 4 conversations"),  # and a welcome message
        ("/followers", "4 followers"),
        ("/following", "5 following"),
        ("/mutuals", "2 mutuals"),
        ("/blocks", "2 blocked"),
        ("/mutes", "2 muted"),
        ("/lists", "4 lists"),
        ("/likes", "3 liked tweets"),
    ]


@pytest.mark.asyncio
async def test_a_public_site_has_none_of_these_pages_nor_links_to_them(ds, site_db):
    # (Every build has a likes table, filled by --include-likes: still no page.)
    for path in PRIVATE_PATHS:
        for suffix in ("", ".json", ".csv"):
            response = await ds.client.get(path + suffix)
            assert response.status_code == 404, path + suffix
    for path in ("/", "/timeline", "/archive"):
        page = (await ds.client.get(path)).text
        assert [p for p in PRIVATE_PATHS + ("/messages",) if f'href="{p}"' in page] == [], path
        assert "Your private archive" not in page


@pytest.mark.asyncio
async def test_a_private_build_without_account_names_shows_bare_ids(private_db, metadata, tmp_path):
    # (Private builds made before account_names existed.)
    db_path = tmp_path / "archive.db"
    shutil.copy(private_db, db_path)
    db = sqlite_utils.Database(db_path)
    db["account_names"].drop()
    db.close()
    page = (await make_datasette(db_path, metadata).client.get("/mutuals")).text
    assert people(page) == [bare(2), bare(10)]
