"""The media grid (/media) and the stats page (/stats), in process."""

import re
import shutil
import sqlite3

import pytest

from tests.helpers.build import run_build
from tests.helpers.paths import FIXTURES, IDS
from tests.helpers.site import make_datasette
from tweet_site.links import media_url
from tweet_site.lists import media as media_list

HOSTILE = '"><img src=x onerror=alert(1)><script>alert(2)</script>'


def tweet_links(html):
    return [int(i) for i in re.findall(r'href="/archive/tweets/(\d+)"', html)]


def main(html):
    return html[html.index('<main id="content"') :]


@pytest.mark.asyncio
async def test_media_grid(ds):
    response = await ds.client.get("/media")
    assert response.status_code == 200
    page = response.text
    assert "<title>Photos, videos and GIFs — " in page
    assert "<h1>Photos, videos and GIFs</h1>" in page
    # Newest first, one tile per media file the archive holds, each linking to its tweet.
    assert tweet_links(main(page)) == [IDS["t3"], IDS["gif"], IDS["video"], IDS["photo"]]
    # Files through the site's media route, as tweet cards write their addresses.
    photo = media_url(ds, IDS["photo"], 0)
    assert photo == f"/-/media/{IDS['photo']}/0"
    assert f'<img src="{photo}" alt="Photo: Sunset over the bay #sunset" loading="lazy"' in page
    assert f'data-src="{photo}" data-kind="photo"' in page
    assert f'<video src="/-/media/{IDS["gif"]}/0" preload="metadata" muted playsinline' in page
    # Files the archive lacks are left out, and said so, with a way to see them too.
    assert "1 more is referred to by tweets but not in the archive: " in page
    assert '<a href="/media?missing=1">show them too</a>' in page
    with_missing = (await ds.client.get("/media?missing=1")).text
    assert tweet_links(main(with_missing)) == [
        IDS[n] for n in ("t3", "gif", "video", "missing", "photo")
    ]
    # ... each as a labelled placeholder, never an image that can't load.
    assert f"/-/media/{IDS['missing']}/" not in with_missing
    assert (
        f'<a class="media-placeholder" href="/archive/tweets/{IDS["missing"]}">'
        "<span>Video not in the archive</span>"
    ) in with_missing
    assert '<a href="/media">Only the files it holds</a>' in with_missing
    # The lightbox: a script of the site's own, no inline event handlers.
    assert re.search(r'<script src="/static/lightbox\.js\?v=[0-9a-f]{16}" defer></script>', page)
    assert '<dialog class="lightbox"' in page
    assert not re.search(r"\son[a-z]+=", page)
    assert "Older media →" not in page
    explore = re.search(r'this list as <a href="([^"]+)">JSON</a>', page)[1]
    rows = (await ds.client.get(explore.replace("&amp;", "&"))).json()
    assert [r["tweet_id"] for r in rows] == [IDS[n] for n in ("t3", "gif", "video", "photo")]
    rows = (await ds.client.get("/media.json?missing=1&_shape=array")).json()
    assert [r["tweet_id"] for r in rows] == [
        IDS[n] for n in ("t3", "gif", "video", "missing", "photo")
    ]


@pytest.mark.asyncio
async def test_media_grid_by_type(ds):
    videos = (await ds.client.get("/media?type=video")).text
    assert "<title>Videos — " in videos
    assert tweet_links(main(videos)) == [IDS["video"]]
    all_videos = (await ds.client.get("/media?type=video&missing=1")).text
    assert tweet_links(main(all_videos)) == [IDS["video"], IDS["missing"]]
    assert '<a href="/media?type=video" aria-current="page">Videos</a>' in videos
    gifs = (await ds.client.get("/media?type=animated_gif")).text
    assert tweet_links(main(gifs)) == [IDS["gif"]]
    anything = (await ds.client.get("/media?type=%3Cscript%3E&before=nonsense")).text
    assert tweet_links(main(anything)) == tweet_links(main((await ds.client.get("/media")).text))


@pytest.fixture(scope="module")
def many_media(site_db, tmp_path_factory):
    """The site fixture and 130 more tweets with media: 180 media items, with alt text on
    some, hostile text on others, and files missing for every seventh tweet."""
    db_path = tmp_path_factory.mktemp("media_stats") / "archive.db"
    shutil.copy(site_db, db_path)
    conn = sqlite3.connect(db_path)
    owner = conn.execute("select id from users where is_owner = 1").fetchone()[0]
    for n in range(130):
        tweet_id = 1600000000000000000 + n * 1000
        created = f"2023-{1 + n // 28:02d}-{1 + n % 28:02d}T12:00:00+00:00"
        media = 1 + (n % 3 == 0)
        conn.execute(
            "insert into tweets (id, id_str, created_at, kind, text, user_id, is_retweet, "
            "is_latest_version, media_count) values (?, ?, ?, 'tweet', ?, ?, 0, 1, ?)",
            [tweet_id, str(tweet_id), created, f"Picture {n} {HOSTILE}", owner, media],
        )
        for position in range(media):
            conn.execute(
                "insert into media (tweet_id, position, type, path, alt_text) "
                "values (?, ?, ?, ?, ?)",
                [
                    tweet_id,
                    position,
                    "video" if n % 10 == 0 else "photo",
                    None if n % 7 == 0 else f"data/tweets_media/{tweet_id}-{position}.jpg",
                    f"Described {n}.{position} {HOSTILE}" if n % 2 else None,
                ],
            )
    # An earlier version of an edited tweet: never shown, its latest version is.
    conn.execute(
        "update tweets set is_latest_version = 0, edit_initial_id = id "
        "where id = 1600000000000129000"
    )
    conn.commit()
    conn.close()
    return db_path


async def walk(ds, path):
    """Every page from `path`, following the Older links; the tweet ids of the tiles."""
    seen, pages = [], 0
    while path:
        response = await ds.client.get(path)
        assert response.status_code == 200
        page = response.text
        pages += 1
        assert pages < 20
        tiles = main(page)[: main(page).index("media-explore")]
        seen += tweet_links(tiles)
        older = re.search(r'<a href="([^"]+)" rel="next">Older media →</a>', page)
        path = older[1].replace("&amp;", "&") if older else None
        for hostile in ("<script>", "<img src=x", 'x onerror="'):
            assert hostile not in tiles
        assert len(re.findall(r'class="media-tile', page)) <= 100
    return seen, pages


@pytest.mark.asyncio
@pytest.mark.parametrize("sparse", [1e-9, 1.0])
async def test_media_pages_go_past_100_newest_first(many_media, metadata, sparse):
    """Both ways of finding a page's media tweets (walking the tweets newest first, or looking
    the few media tweets up) give the same pages."""
    ds = make_datasette(many_media, metadata)
    await ds.invoke_startup()
    module = media_list
    module.COUNT_CACHE.clear()
    old = module.SPARSE
    module.SPARSE = sparse
    try:
        seen, pages = await walk(ds, "/media?missing=1")
        held, _ = await walk(ds, "/media")
        photos, _ = await walk(ds, "/media?type=photo")
    finally:
        module.SPARSE = old
        module.COUNT_CACHE.clear()
    conn = sqlite3.connect(many_media)
    expected = [
        row[0]
        for row in conn.execute(
            "select media.tweet_id from media join tweets on tweets.id = media.tweet_id "
            "where is_latest_version = 1 "
            "order by tweets.created_at desc, tweets.id desc, media.position"
        )
    ]
    assert len(expected) > 100
    assert pages >= 5
    # Asked for, missing files show as placeholders: every media item of every latest tweet,
    # once; by default only the files the archive holds, in the same order.
    assert seen == expected
    held_expected = [
        row[0]
        for row in conn.execute(
            "select media.tweet_id from media join tweets on tweets.id = media.tweet_id "
            "where is_latest_version = 1 and media.path is not null "
            "order by tweets.created_at desc, tweets.id desc, media.position"
        )
    ]
    assert len(held_expected) < len(expected)
    assert held == held_expected
    assert 1600000000000129000 not in seen
    assert all(
        conn.execute("select type from media where tweet_id = ?", [i]).fetchone()[0] == "photo"
        for i in photos
    )
    assert (
        len(set(photos))
        == conn.execute(
            "select count(distinct tweet_id) from media join tweets on tweets.id = media.tweet_id "
            "where type = 'photo' and path is not null and is_latest_version = 1"
        ).fetchone()[0]
    )


@pytest.mark.asyncio
async def test_media_alt_text_and_escaping(many_media, metadata):
    ds = make_datasette(many_media, metadata)
    page = (await ds.client.get("/media")).text
    escaped = "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;&lt;script&gt;alert(2)&lt;/script&gt;"
    # The author's description when there is one, else the tweet's text.
    assert f'alt="Described 127.0 {escaped}"' in page
    assert f'alt="Photo: Picture 128 {escaped}"' in page
    assert "<script>alert" not in page


@pytest.mark.asyncio
async def test_media_grid_of_an_archive_without_media(metadata, tmp_path, site_db):
    db_path = tmp_path / "archive.db"
    shutil.copy(site_db, db_path)
    with sqlite3.connect(db_path) as conn:
        conn.execute("delete from media")
        conn.execute("update tweets set media_count = 0")
        conn.execute("update archive_totals set tweets_with_media = 0")
    conn.close()
    page = (await make_datasette(db_path, metadata).client.get("/media")).text
    assert "This archive has no photos, videos and gifs." in page
    assert 'class="media-tile' not in page


@pytest.mark.asyncio
async def test_stats_page(ds):
    response = await ds.client.get("/stats")
    assert response.status_code == 200
    page = response.text
    assert "<title>Stats — " in page
    assert "<h1>Stats</h1>" in page
    assert "24 tweets by @site_owner" in page
    years = re.findall(
        r'<th scope="row"><a href="/timeline/(\d{4})">\d{4}</a></th>\s*'
        r"<td>([\d,]+)</td>\s*<td>([\d,]+)</td>\s*<td>([\d,]+)</td>",
        page,
    )
    assert years == [("2020", "4", "0", "0"), ("2021", "19", "5", "1"), ("2022", "1", "0", "0")]

    def section(name):
        start = page.index(f'<section class="stats-section stats-{name}"')
        return page[start : page.index("</section>", start)]

    def names(name):
        return re.findall(r'<span class="stats-name">(.*?)</span>', section(name), re.S)

    assert names("replied") == ['<a href="/-/user/friend_b">@friend_b</a>']
    assert names("retweeted") == ['<a href="/-/user/friend_b">@friend_b</a>']
    assert names("mentioned")[0] == '<a href="/-/user/friend_b">@friend_b</a>'
    assert names("hashtags") == [
        '<a href="/hashtag/Hostile" dir="auto">#Hostile</a>',
        '<a href="/hashtag/OnThisDay" dir="auto">#OnThisDay</a>',
        '<a href="/hashtag/sunset" dir="auto">#sunset</a>',
        '<a href="/hashtag/%E6%9D%B1%E4%BA%AC" dir="auto">#東京</a>',
    ]
    assert names("domains")[0] == '<a href="/archive/urls?domain=example.com">example.com</a>'
    assert names("emoji") == ['<span class="stats-emoji-char">🧵']
    assert names("days")[0] == (
        '<a href="/timeline/2021/04"><time datetime="2021-04-01">Thu 1 Apr 2021</time></a>'
    )
    assert '2<span class="stats-unit"> replies</span>' in section("replied")
    assert '4<span class="stats-unit"> tweets</span>' in section("days")
    # The first and the latest tweet, as cards.
    assert f"/archive/tweets/{IDS['geo_sf']}" in section("end")
    assert page.count('<section class="stats-section stats-end"') == 2
    assert not re.search(r"\son[a-z]+=", page)
    for link in ("/archive/reply_counts", "/archive/emoji_counts", "/archive/tweets_per_month"):
        assert f'<a href="{link}">' in page
        assert (await ds.client.get(link + ".json")).status_code == 200


@pytest.mark.asyncio
async def test_stats_escapes_what_the_archive_says(site_db, metadata, tmp_path):
    db_path = tmp_path / "archive.db"
    shutil.copy(site_db, db_path)
    with sqlite3.connect(db_path) as conn:
        conn.execute("update reply_counts set screen_name = ?", [HOSTILE])
        conn.execute("update hashtag_counts set tag = ? where tag = 'sunset'", [HOSTILE])
        conn.execute("update emoji_counts set emoji = ?", [HOSTILE])
        conn.execute("update domain_counts set domain = ? where domain = 'example.com'", [HOSTILE])
    conn.close()
    page = (await make_datasette(db_path, metadata).client.get("/stats")).text
    assert "<script>alert" not in page and "<img src=x" not in page
    # A name /-/user/ would refuse is shown, not linked.
    assert "@&#34;&gt;&lt;img src=x onerror=alert(1)&gt;" in page
    assert '/-/user/"' not in page and "/-/user/%22" not in page
    assert '<a href="/hashtag/%22%3E%3Cimg%20src%3Dx' in page


@pytest.mark.asyncio
async def test_stats_of_an_archive_built_before_its_tables(site_db, metadata, tmp_path):
    db_path = tmp_path / "archive.db"
    shutil.copy(site_db, db_path)
    with sqlite3.connect(db_path) as conn:
        for table in ("reply_counts", "retweet_counts", "emoji_counts", "tweets_per_day"):
            conn.execute(f"drop table {table}")
    conn.close()
    response = await make_datasette(db_path, metadata).client.get("/stats")
    assert response.status_code == 200
    assert "No emoji." in response.text and "#Hostile" in response.text


@pytest.mark.asyncio
async def test_stats_count_an_edited_tweet_once(metadata, tmp_path):
    db_path = tmp_path / "archive.db"
    result = run_build(db_path, FIXTURES / "official" / "modern")
    assert result.exit_code == 0, result.output
    conn = sqlite3.connect(db_path)
    latest, rows = conn.execute("select sum(is_latest_version), count(*) from tweets").fetchone()
    conn.close()
    assert rows == latest + 1  # the fixture's edited tweet, in two versions
    page = (await make_datasette(db_path, metadata).client.get("/stats")).text
    assert f"{latest} tweets by @fixture_owner" in page
    assert '<th scope="row"><a href="/timeline/2023">2023</a></th>\n          <td>8</td>' in page
