"""Tweet text, media and search snippets as HTML (tweet_site/hooks/render_tweets.py): a card's
text is tweet_site/text.py's render_text of the stored entities (tests/test_render_text.py),
with the site's links."""

import re

import pytest
from markupsafe import Markup

from tests.helpers.paths import IDS
from tests.site.test_render_text import entities_of
from tweet_site.hooks.render_tweets import (
    highlighted_html,
    media_html,
    safe_href,
    tweet_html,
    written_in,
)

HOSTILE_TAG = '<a class="hashtag" href="/hashtag/Hostile">#Hostile</a>'


def html(text, ds):
    """The card of a text whose entities the build found by its own rules."""
    return str(tweet_html(text, ds, "archive", entities=entities_of(text)))


def test_script_is_escaped_and_hashtag_linked(ds):
    assert html("<script>alert(1)</script> hello #Hostile world", ds) == (
        '<div class="tweet-text" dir="auto">&lt;script&gt;alert(1)&lt;/script&gt; hello '
        + HOSTILE_TAG
        + " world</div>"
    )


def test_attribute_breakout_and_javascript_urls_stay_text(ds):
    text = (
        '"><img src=x onerror=alert(1)> [click](javascript:alert(1)) javascript:alert(1) '
        "data:text/html,<b>x</b> ftp://example.org https://example.com/safe?a=1&b=2."
    )
    assert html(text, ds) == (
        '<div class="tweet-text" dir="auto">&#34;&gt;&lt;img src=x onerror=alert(1)&gt; '
        "[click](javascript:alert(1)) javascript:alert(1) data:text/html,&lt;b&gt;x&lt;/b&gt; "
        'ftp://example.org <a href="https://example.com/safe?a=1&amp;b=2" '
        'title="https://example.com/safe?a=1&amp;b=2" rel="nofollow noopener noreferrer">'
        "example.com/safe?a=1&amp;b=2</a>.</div>"
    )


def test_bidi_overrides_are_removed_and_invisible_characters_cannot_disguise_links(ds):
    text = "Invoice \u202egnp.exe zero\u200bwidth @fri\u200bend https://exa\u200bmple.com/x"
    assert html(text, ds) == (
        '<div class="tweet-text" dir="auto">Invoice gnp.exe zero\u200bwidth '
        '<a class="mention" href="/-/user/fri">@fri</a>\u200bend '
        '<a href="https://exa%E2%80%8Bmple.com/x" title="https://exa%E2%80%8Bmple.com/x" '
        'rel="nofollow noopener noreferrer">example.com/x</a></div>'
    )


def test_emoji_sequences_keep_their_zero_width_joiners(ds):
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467"
    assert (
        html(f"family {family}", ds) == f'<div class="tweet-text" dir="auto">family {family}</div>'
    )


def test_mentions_hashtags_newlines_and_non_latin_text(ds):
    text = "@friend_b: 東京タワー #東京, mail a@b.com #123 @this_name_is_too_long\nПривет"
    assert html(text, ds) == (
        '<div class="tweet-text" dir="auto"><a class="mention" href="/-/user/friend_b">'
        "@friend_b</a>: 東京タワー "
        '<a class="hashtag" href="/hashtag/%E6%9D%B1%E4%BA%AC">#東京</a>, '
        "mail a@b.com #123 @this_name_is_too_long<br>Привет</div>"
    )


@pytest.mark.parametrize(
    "candidate,url,rest",
    [
        ("https://example.com/a.", "https://example.com/a", "."),
        ("https://example.com/a),", "https://example.com/a", "),"),
        ("https://en.wikipedia.org/wiki/Fox_(x).", "https://en.wikipedia.org/wiki/Fox_(x)", "."),
        ("https://example.com/?q=1", "https://example.com/?q=1", ""),
        # Cut short by a retweet's "…": no usable link, and the build stores none.
        ("https://t.co/abc…", None, "https://t.co/abc…"),
    ],
)
def test_trailing_punctuation_is_not_part_of_a_link(candidate, url, rest, ds):
    shown = re.sub(r"<a [^>]*>([^<]*)</a>", r"[\1]", html(f"see {candidate}", ds))
    linked = f"[{url.removeprefix('https://')}]" if url else ""
    assert shown == f'<div class="tweet-text" dir="auto">see {linked}{rest}</div>'


def test_a_card_links_its_stored_entities_with_the_sites_addresses(ds):
    text = "RT @bob: see example.com/foo #tag https://twitter.com/a/status/20 @bob"
    rows = entities_of(text)
    local = frozenset({20})
    assert str(tweet_html(text, ds, "archive", "en", local, rows, [(13, 20)], begin=9)) == (
        '<div class="tweet-text" dir="auto" lang="en">see '
        '<a href="http://example.com/foo" title="http://example.com/foo" '
        'rel="nofollow noopener noreferrer"><mark>example</mark>.com/foo</a> '
        '<a class="hashtag" href="/hashtag/tag">#tag</a> '
        '<a class="local-tweet" href="/archive/tweets/20#t20" '
        'title="In this archive: https://twitter.com/a/status/20">twitter.com/a/status/20</a>'
        " @bob</div>"
    )
    # Nothing but what it is given: no entities, no links.
    assert str(tweet_html(text, ds, "archive")) == (
        f'<div class="tweet-text" dir="auto">{text}</div>'
    )


def test_a_cell_links_only_entities_its_text_holds_where_they_say():
    rows = [(0, 4, "mention", "bob"), (5, 9, "hashtag", "tag"), (10, 15, "url", "x.com")]
    assert written_in("@bob #tag x.com", rows) == rows
    assert written_in("bob! tag! x.org", rows) == []
    assert written_in("@bob", rows) == rows[:1]  # a cut text: what lies past it is left


@pytest.mark.parametrize(
    "url,href",
    [
        ("https://example.com/", "https://example.com/"),
        ("HTTP://EXAMPLE.COM/A", "HTTP://EXAMPLE.COM/A"),
        ("javascript:alert(1)", None),
        ("JaVaScRiPt:alert(1)", None),
        ("data:text/html,x", None),
        ("https://", None),
        ("//evil.example/", None),
        ("https://a.example/\u202ex", "https://a.example/%E2%80%AEx"),
        ("https://[::1", None),
    ],
)
def test_only_http_urls_become_links(url, href):
    assert safe_href(url) == href


def test_media_html(ds):
    photo = {"type": "photo", "path": "media/a.png", "tweet_id": 7, "position": 0, "width": 8}
    # A link to the file, which static/lightbox.js opens large over the page.
    assert str(media_html({**photo, "height": 6}, ds)) == (
        '<a class="media-photo media-open" href="/-/media/7/0" data-src="/-/media/7/0" '
        'data-kind="photo" data-alt="Photo 1"><img src="/-/media/7/0" alt="Photo 1" '
        'loading="lazy" width="8" height="6"></a>'
    )
    # A tall picture (a screenshot) is cropped from its top; its description is escaped.
    described = {**photo, "height": 20, "alt_text": 'a "<b>" & c'}
    assert str(media_html(described, ds)) == (
        '<a class="media-photo media-open photo-tall" href="/-/media/7/0" '
        'data-src="/-/media/7/0" data-kind="photo" data-alt="a &#34;&lt;b&gt;&#34; &amp; c">'
        '<img src="/-/media/7/0" alt="a &#34;&lt;b&gt;&#34; &amp; c" loading="lazy" '
        'width="8" height="20"></a>'
    )
    assert str(media_html({**photo, "type": "video", "position": 1}, ds)) == (
        '<video class="media-video" controls preload="metadata" src="/-/media/7/1"></video>'
    )
    assert str(media_html({**photo, "type": "animated_gif"}, ds)) == (
        '<video class="media-gif" autoplay loop muted playsinline src="/-/media/7/0"></video>'
    )
    missing = {"type": "video", "path": None, "filename": 'a"<b>.mp4', "tweet_id": 7, "position": 0}
    assert str(media_html(missing, ds)) == (
        '<span class="media-missing" title="a&#34;&lt;b&gt;.mp4">'
        "Video not in the archive: a&#34;&lt;b&gt;.mp4</span>"
    )
    remote = {"type": "photo", "path": None, "url": "javascript:alert(1)", "tweet_id": 7}
    assert str(media_html({**remote, "position": 0}, ds)) == (
        '<span class="media-missing" title="">Photo not in the archive</span>'
    )
    remote["url"] = "https://t.co/x"
    assert str(media_html({**remote, "position": 0}, ds)) == (
        '<span class="media-missing" title="">Photo not in the archive '
        '<a href="https://t.co/x" rel="nofollow noopener noreferrer">original link</a></span>'
    )


def test_highlights_are_escaped_then_marked():
    assert highlighted_html('<b onmouseover="x">\x02hit\x03 \x02open\x03 \x02stray') == Markup(
        '<div class="tweet-text snippet" dir="auto">&lt;b onmouseover=&#34;x&#34;&gt;'
        "<mark>hit</mark> <mark>open</mark> stray</div>"
    )


def cell(html_page, column):
    return re.findall(rf'<td class="col-{column} type-\w+">(.*?)</td>', html_page, re.S)


@pytest.mark.asyncio
async def test_tweets_table_cells_render_text_and_media(ds):
    response = await ds.client.get("/archive/tweets?_sort=id&_size=max")
    assert response.status_code == 200
    texts = cell(response.text, "text")
    assert len(texts) == 24
    page = response.text
    assert "<script>alert(1)</script>" not in page
    assert '"><img src=x' not in page
    assert 'href="javascript:' not in page.lower()
    assert "\u202e" not in page
    photo = IDS["photo"]
    assert (
        f'<a class="media-photo media-open" href="/-/media/{photo}/0" '
        f'data-src="/-/media/{photo}/0" data-kind="photo" data-alt="Photo 1">'
        f'<img src="/-/media/{photo}/0" alt="Photo 1" loading="lazy" width="8" height="6"></a>'
    ) in page
    assert '<span class="media-missing"' in page
    assert HOSTILE_TAG in page


@pytest.mark.asyncio
async def test_row_page_of_the_script_tweet_escapes_it(ds):
    response = await ds.client.get(f"/archive/tweets/{IDS['script']}")
    assert response.status_code == 200
    assert "<script>alert(1)" not in response.text
    assert "&lt;script&gt;alert(1)&lt;/script&gt; hello" in response.text


@pytest.mark.asyncio
async def test_query_pages_render_tweet_ids_names_and_paths(ds):
    # The SQL of the photos' page (Datasette's SQL page, linked from the page for explorers).
    page = (await ds.client.get("/media?type=photo")).text
    sql = re.search(r'<a href="([^"]+)">SQL</a>', page)[1].replace("&amp;", "&")
    response = await ds.client.get(sql)
    assert response.status_code == 200
    thread_photo = IDS["t3"]
    assert f'<a href="/archive/tweets/{thread_photo}">{thread_photo}</a>' in response.text
    assert f'<img src="/-/media/{thread_photo}/0"' in response.text
    response = await ds.client.get("/archive/top_mentions")
    assert '<a class="mention" href="/-/user/friend_b">@friend_b</a>' in response.text


@pytest.mark.asyncio
async def test_arbitrary_sql_text_columns_are_escaped(ds):
    response = await ds.client.get(
        "/archive?sql=select+text+from+tweets+where+text+like+'%25script%25'"
    )
    assert response.status_code == 200
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in response.text
    assert "<script>alert(1)" not in response.text
