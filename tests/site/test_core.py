"""tweet_site/core.py, what the build and the site share: a tweet's address and which files
are media mean the same to both, because both read them there."""

import shutil

import pytest
import sqlite_utils

from etl import media, retweets
from etl.entities import extract_entities
from tests.helpers.build import run_build
from tests.helpers.paths import MARKDOWN
from tests.helpers.site import make_datasette
from tweet_site import core, links
from tweet_site.hooks.feed_text import feed_html
from tweet_site.tweets import linked_ids

ID = 1134400000000000000


def url_rows(text):
    """The urls rows the build stores for a text, as the site reads them."""
    found = extract_entities(text)
    return [(s, e, "url", u) for u, (s, e) in zip(found.urls, found.url_spans, strict=True)]


@pytest.mark.parametrize(
    "url, author",
    [
        (f"https://twitter.com/owner_a/status/{ID}", "owner_a"),
        (f"http://x.com/owner_a/statuses/{ID}?s=20#top", "owner_a"),
        (f"HTTPS://Mobile.Twitter.com/Owner_A/status/{ID}/", "Owner_A"),
        (f"https://m.twitter.com/owner_a/status/{ID}", "owner_a"),
        (f"https://twitter.com/#!/owner_a/status/{ID}", "owner_a"),  # before 2012
        (f"twitter.com/owner_a/status/{ID}", "owner_a"),  # as twitter-text finds it in text
        (f"https://x.com/i/web/status/{ID}", None),
        (f"https://x.com/i/status/{ID}", None),
    ],
)
def test_a_tweets_address_is_one_to_the_build_and_the_site(url, author):
    match = core.status_link(url)
    assert (int(match["id"]), core.status_author(match)) == (ID, author)
    # The build: a link in a tweet's text is a quote of that tweet; the redaction of an
    # account finds the links to its tweets; the site links the address to its own page.
    assert extract_entities(f"so true {url}").quoted_status_ids == (ID,)
    assert retweets.status_id(url) == links.status_id(url) == ID
    assert retweets.status_author(url) == (author.lower() if author else None)
    assert linked_ids(url_rows(f"so true {url} indeed")) == {ID}


@pytest.mark.parametrize(
    "url",
    [
        f"https://netflix.com/owner_a/status/{ID}",
        f"https://example.com/x.com/owner_a/status/{ID}",
        f"https://twitter.com/owner_a/status/{ID}abc",
        f"https://twitter.com/owner_a/status/{ID}.html",
        f"https://twitter.com/owner_a/likes/{ID}",
        "https://twitter.com/owner_a",
    ],
)
def test_what_is_no_tweets_address_is_none_to_both(url):
    assert core.status_link(url) is None
    assert extract_entities(f"so true {url}").quoted_status_ids == ()
    assert retweets.status_id(url) is links.status_id(url) is None


def test_the_tweets_a_text_links_to():
    text = (
        "https://netflix.com/a/status/1 https://example.com/x.com/a/status/2 http://x.com/a/"
        "status/3. (twitter.com/b/statuses/4) X.COM/#!/c/status/5abc x.com/i/status/6"
    )
    assert linked_ids(url_rows(text)) == {3, 4, 6}


def test_a_feed_links_an_archived_tweet_to_its_page():
    url = f"https://x.com/i/web/status/{ID}"
    html = feed_html(f"see {url}.", [(4, 4 + len(url), url)], lambda u: str(links.status_id(u)))
    assert html == f'see <a href="{ID}">{url}</a>.'


@pytest.mark.parametrize(
    "name, kind",
    [
        ("a.jpg", "image/jpeg"),
        ("A.JPEG", "image/jpeg"),
        ("a.png", "image/png"),
        ("a.gif", "image/gif"),
        ("a.webp", "image/webp"),
        ("a.mp4", "video/mp4"),
        ("a.m4v", "video/mp4"),
        ("a.mov", "video/quicktime"),
        ("a.webm", None),  # no export holds one: not media, to the build or the site
        ("a.svg", None),
        ("a.html", None),
        ("mp4", None),
    ],
)
def test_media_types(name, kind):
    assert core.mime_type(name) == kind
    assert media.is_media_file(name) is (kind is not None)


@pytest.mark.asyncio
async def test_the_site_serves_what_the_build_takes_for_media(tmp_path, metadata, monkeypatch):
    """A Markdown archive referring to an .m4v and a .webm file: the first is a video, served
    as one; the second is refused by the build, and so never served."""
    archive = tmp_path / "archive"
    shutil.copytree(MARKDOWN / "plain", archive)
    (archive / "media" / "clip.m4v").write_bytes(b"\x00\x00\x00\x18ftypM4V ")
    (archive / "media" / "clip.webm").write_bytes(b"\x1aE\xdf\xa3")
    month = archive / "tweets_2019-06.md"
    month.write_text(
        month.read_text()
        + "\nTwo clips\n\n"
        + '<video controls><source src="media/clip.m4v"></video>\n'
        + '<video controls><source src="media/clip.webm"></video>\n\n'
        + "(Originally on Twitter: [Sat Jun 15 10:00:00 +0000 2019]"
        + "(https://twitter.com/owner_a/status/1139800000000000000))\n\n----\n"
    )
    db_path = tmp_path / "archive.db"
    assert run_build(db_path, archive).exit_code == 0
    rows = sqlite_utils.Database(db_path).execute(
        "select position, type, path, mime_type from media where tweet_id = 1139800000000000000"
    )
    assert rows.fetchall() == [
        (0, "video", "media/clip.m4v", "video/mp4"),
        (1, "video", None, None),
    ]
    problems = sqlite_utils.Database(db_path).execute("select reason from etl_problems")
    assert [r for (r,) in problems if "webm" in r] == [
        f"media reference 'media/clip.webm' refused: {media.REFUSED_TYPE}"
    ]
    monkeypatch.setenv("TWEET_ARCHIVE_MEDIA_ROOT", str(archive))
    ds = make_datasette(db_path, metadata)
    clip = await ds.client.get("/-/media/1139800000000000000/0")
    assert (clip.status_code, clip.headers["content-type"]) == (200, "video/mp4")
    assert (await ds.client.get("/-/media/1139800000000000000/1")).status_code == 404
