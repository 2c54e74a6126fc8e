"""Share previews (issue 17, item 7): a tweet page's Open Graph and Twitter card tags
(hooks/tweet_page.py's share_preview, templates/row-archive-tweets.html), a meta description
on every page (templates/base.html's description block), and the tweet page's "Copy link"
(static/copy-link.js; a plain permalink without JavaScript), on the server site and in the
pages a static export renders."""

import copy
import shutil
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
import sqlite_utils

from tests.helpers.paths import IDS
from tests.helpers.site import make_datasette
from tweet_site.hooks.tweet_page import SHARE_TEXT_LENGTH, plain_line

SITE_URL = "https://tweets.example.org/"
PAGES_URL = "https://name.github.io/my repo/"
PHOTO = IDS["photo"]
PHOTO_PATH = "media/1367184246174646272-AbCdEfGhIjKlMnO.png"


class Head(HTMLParser):
    """The tags of a page's <head>, their attributes unescaped as a browser reads them."""

    def __init__(self, html):
        super().__init__(convert_charrefs=True)
        self.tags, self.in_head = [], False
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        if tag == "head":
            self.in_head = True
        elif tag == "body":
            self.in_head = False
        elif self.in_head:
            self.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag):
        if tag == "head":
            self.in_head = False

    def meta(self):
        """{property or name: content} of the head's meta tags; each named once."""
        named = [
            (attrs.get("property") or attrs.get("name"), attrs.get("content"))
            for tag, attrs in self.tags
            if tag == "meta" and (attrs.get("property") or attrs.get("name"))
        ]
        assert len(named) == len(dict(named)), named
        return dict(named)


def configured(metadata, **settings):
    metadata = copy.deepcopy(metadata)
    metadata["plugins"]["tweet-archive"].update(settings)
    return metadata


def static(metadata, site_url):
    """The metadata publish --target static renders the site with."""
    return configured(
        metadata,
        site_url=site_url,
        static={"db_file": "archive.db", "db_bytes": 1, "site_url": site_url},
    )


async def get(ds, path, status=200):
    response = await ds.client.get(path)
    assert response.status_code == status, (path, response.text[:300])
    return response.text


def previews(html):
    meta = Head(html).meta()
    return {k: v for k, v in meta.items() if k.startswith(("og:", "twitter:", "article:"))}


@pytest.fixture
def site(site_db, metadata, monkeypatch):
    """The site fixture at a known address (plugins: tweet-archive: site_url)."""
    monkeypatch.delenv("TWEET_ARCHIVE_MEDIA_ROOT", raising=False)
    return make_datasette(site_db, configured(metadata, site_url=SITE_URL))


@pytest.mark.asyncio
async def test_a_tweet_page_previews_its_author_date_text_and_first_photo(site):
    html = await get(site, f"/archive/tweets/{PHOTO}")
    assert previews(html) == {
        "og:type": "article",
        "og:title": "Site Owner (@site_owner) on 3 Mar 2021",
        "og:description": "Sunset over the bay #sunset",
        "og:site_name": "@site_owner — tweet archive",
        "og:url": f"https://tweets.example.org/archive/tweets/{PHOTO}",
        "article:published_time": "2021-03-03T18:45:00+00:00",
        "og:image": f"https://tweets.example.org/-/media/{PHOTO}/0",
        "og:image:width": "8",
        "og:image:height": "6",
        "twitter:card": "summary_large_image",
    }
    assert Head(html).meta()["description"] == "Sunset over the bay #sunset"
    # The photo's address is the one the page shows it at, and answers with the photo.
    image = urlsplit(previews(html)["og:image"]).path
    assert f'<img src="{image}"' in html
    response = await site.client.get(image)
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/png"


@pytest.mark.asyncio
async def test_without_an_absolute_address_a_preview_leaves_out_the_url_and_photo(
    site_db, metadata, monkeypatch
):
    monkeypatch.delenv("TWEET_ARCHIVE_MEDIA_ROOT", raising=False)
    ds = make_datasette(site_db, metadata)
    found = previews(await get(ds, f"/archive/tweets/{PHOTO}"))
    assert "og:url" not in found and "og:image" not in found
    assert found["twitter:card"] == "summary"
    assert found["og:description"] == "Sunset over the bay #sunset"
    # Media kept on a CDN (--media-url) are absolute anyway: linked where they are.
    ds = make_datasette(site_db, configured(metadata, media_url="https://cdn.example.net/a/"))
    found = previews(await get(ds, f"/archive/tweets/{PHOTO}"))
    assert found["og:image"] == f"https://cdn.example.net/a/{PHOTO_PATH}"
    assert found["twitter:card"] == "summary_large_image"
    assert "og:url" not in found


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "name, card",
    [
        # A video, a GIF and a missing file are no photo: no large image card.
        ("video", "summary"),
        ("gif", "summary"),
        ("missing", "summary"),
        ("english", "summary"),
        ("t3", "summary_large_image"),
    ],
)
async def test_only_a_photo_makes_a_large_image_card(site, name, card):
    found = previews(await get(site, f"/archive/tweets/{IDS[name]}"))
    assert found["twitter:card"] == card
    assert ("og:image" in found) == (card == "summary_large_image")


@pytest.mark.asyncio
async def test_a_retweet_is_previewed_as_the_owner_retweeting_the_original(site):
    found = previews(await get(site, f"/archive/tweets/{IDS['retweet']}"))
    assert found["og:title"] == "Site Owner (@site_owner) retweeted @friend_b on 10 Mar 2021"
    assert found["og:description"] == "Great post about <b>tags</b> & things #Hostile"


@pytest.mark.asyncio
async def test_a_static_export_previews_its_own_addresses(site_db, metadata, monkeypatch):
    """The export writes a tweet's page at archive/tweets/<id>/ and its photo at
    media/<path in the archive>, under the address it will be served at."""
    monkeypatch.delenv("TWEET_ARCHIVE_MEDIA_ROOT", raising=False)
    ds = make_datasette(site_db, static(metadata, PAGES_URL))
    found = previews(await get(ds, f"/archive/tweets/{PHOTO}"))
    assert found["og:url"] == f"https://name.github.io/my%20repo/archive/tweets/{PHOTO}/"
    assert found["og:image"] == f"https://name.github.io/my%20repo/media/{PHOTO_PATH}"
    ds = make_datasette(site_db, static(metadata, None))
    found = previews(await get(ds, f"/archive/tweets/{PHOTO}"))
    assert "og:url" not in found and "og:image" not in found


@pytest.fixture
def hostile_db(site_db, tmp_path):
    """The site fixture with a tweet whose text and author's name try to leave the
    attribute, spread over lines, and run on past any preview's length."""
    path = tmp_path / "archive.db"
    shutil.copy(site_db, path)
    db = sqlite_utils.Database(path)
    text = '"><script>alert(1)</script>\n\nline two\t' + "word " * 80 + "\u202eend"
    db["tweets"].update(PHOTO, {"text": text})
    db["users"].update(4242424242, {"name": 'Evil "><img src=x onerror=alert(1)>\nName'})
    db.conn.close()
    return path


@pytest.mark.asyncio
async def test_archive_text_in_previews_is_one_escaped_line(hostile_db, metadata, monkeypatch):
    monkeypatch.delenv("TWEET_ARCHIVE_MEDIA_ROOT", raising=False)
    ds = make_datasette(hostile_db, configured(metadata, site_url=SITE_URL))
    html = await get(ds, f"/archive/tweets/{PHOTO}")
    head = Head(html)
    # Nothing got out of an attribute: the head's scripts are the site's own files.
    assert [t for t, _ in head.tags if t not in ("meta", "link", "title", "script", "style")] == []
    assert all(attrs.get("src") for tag, attrs in head.tags if tag == "script")
    meta = head.meta()
    description = meta["og:description"]
    assert description.startswith('"><script>alert(1)</script> line two word word')
    assert description.endswith("word…") and len(description) <= SHARE_TEXT_LENGTH
    assert "\n" not in description and "\t" not in description
    assert meta["description"] == description
    title = 'Evil "><img src=x onerror=alert(1)> Name (@site_owner) on 3 Mar 2021'
    assert meta["og:title"] == title
    assert "<script>alert" not in html.split("</head>", 1)[0]


@pytest.mark.parametrize(
    "text, limit, expected",
    [
        ("short\n\n  text ", 200, "short text"),
        ("word " * 60, 200, ("word " * 39).strip() + "…"),
        # Without spaces (Japanese, a long link) it is cut at the length itself.
        ("東京" * 150, 200, "東京" * 99 + "東…"),
        # Direction controls go (a preview can't be made to read backwards), controls space.
        ("a\u202eb\u2066c\x00d", None, "abc d"),
        (None, 10, ""),
    ],
)
def test_plain_line_is_one_line_cut_at_a_word(text, limit, expected):
    assert plain_line(text, limit) == expected
    assert limit is None or len(plain_line(text, limit)) <= limit


OWNER = 4242424242


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "path, status, says",
    [
        ("/", 200, "24 tweets, replies and retweets by @site_owner (Site Owner)"),
        ("/timeline", 200, "Timeline: 24 tweets in 3 years"),
        ("/timeline/2021", 200, "2021: 19 tweets, oldest first"),
        ("/hashtag/Hostile", 200, "#Hostile: 2 tweets with this hashtag"),
        ("/on-this-day?date=03-03", 200, "On this day: 3 March"),
        ("/threads", 200, "Threads: Threads written by replying to one's own tweets"),
        ("/media", 200, "Photos, videos and GIFs from the tweets of the archive"),
        ("/stats", 200, "The archive in numbers"),
        ("/search?q=sunset", 200, "sunset — Search tweets"),
        (f"/archive/users/{OWNER}", 200, "retweeting @site_owner (Site Owner)"),
        (f"/archive/tweets/{IDS['english']}", 200, "I was running after the quick brown fox"),
        ("/no/such/page", 404, "Page not found: there is no page at this address"),
        ("/archive/tweets/1", 404, "Page not found"),
        ("/archive/tweets", 200, "tweets"),
    ],
)
async def test_every_page_has_a_meta_description_about_itself(ds, path, status, says):
    description = Head(await get(ds, path, status)).meta()["description"]
    assert says in description


@pytest.mark.asyncio
async def test_the_home_page_without_a_site_description_names_owner_and_count(
    site_db, metadata, monkeypatch
):
    monkeypatch.delenv("TWEET_ARCHIVE_MEDIA_ROOT", raising=False)
    ds = make_datasette(site_db, {**metadata, "description_html": "", "description": ""})
    description = Head(await get(ds, "/")).meta()["description"]
    assert description == (
        "The archive of @site_owner (Site Owner): 24 tweets from 2020 to 2022, "
        "to read by month, search and explore."
    )


@pytest.mark.asyncio
async def test_a_tweet_page_links_itself_and_loads_the_copy_script(site):
    path = f"/archive/tweets/{IDS['english']}"
    html = await get(site, path)
    assert (
        f'<a class="copy-link" href="{path}">Link to this tweet</a>'
        '<span class="copy-link-status" role="status" aria-live="polite"></span>'
    ) in html
    scripts = [a["src"] for tag, a in Head(html).tags if tag == "script"]
    assert "/static/copy-link.js" in [src.split("?v=")[0] for src in scripts]
    # A file, not an inline script (the site sends a Content-Security-Policy).
    response = await site.client.get("/static/copy-link.js")
    assert response.status_code == 200
    assert "javascript" in response.headers["content-type"]
    assert "navigator.clipboard.writeText" in response.text
