"""tweet_site/text.py: a tweet's text as HTML from the entities the build stored (their
offsets), with search matches marked."""

from html.parser import HTMLParser

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markupsafe import Markup

from etl.entities import extract_entities
from tweet_site.text import BIDI_CONTROLS, Links, render_text


def entities_of(text):
    """(start, end, kind, value) rows, as the build stores them for a text-only format."""
    found = extract_entities(text)
    return [
        *(
            (s, e, "mention", v)
            for v, (s, e) in zip(found.mentions, found.mention_spans, strict=True)
        ),
        *(
            (s, e, "hashtag", v)
            for v, (s, e) in zip(found.hashtags, found.hashtag_spans, strict=True)
        ),
        *((s, e, "url", v) for v, (s, e) in zip(found.urls, found.url_spans, strict=True)),
    ]


def local_status_20(url):
    return "/archive/tweets/20#t20" if url.endswith("/status/20") else None


# What the cards showed before (tweet_site/hooks/render_tweets.py's tweet_html, in its <div>), for
# texts where its regex and the build found the same entities: the same HTML.
@pytest.mark.parametrize(
    "text, html",
    [
        (
            "<script>alert(1)</script> hello #Hostile world",
            "&lt;script&gt;alert(1)&lt;/script&gt; hello "
            '<a class="hashtag" href="/hashtag/Hostile">#Hostile</a> world',
        ),
        (
            "Hi @Alice_1, see https://example.com/safe?a=1&b=2. #日本語 ok",
            'Hi <a class="mention" href="/-/user/Alice_1">@Alice_1</a>, see '
            '<a href="https://example.com/safe?a=1&amp;b=2" '
            'title="https://example.com/safe?a=1&amp;b=2" rel="nofollow noopener noreferrer">'
            "example.com/safe?a=1&amp;b=2</a>. "
            '<a class="hashtag" href="/hashtag/%E6%97%A5%E6%9C%AC%E8%AA%9E">#日本語</a> ok',
        ),
        (
            "line one\r\nline two\nthree @x",
            'line one<br>line two<br>three <a class="mention" href="/-/user/x">@x</a>',
        ),
        (
            "Invoice \u202egnp.exe @fri\u200bend https://exa\u200bmple.com/x",
            'Invoice gnp.exe <a class="mention" href="/-/user/fri">@fri</a>\u200bend '
            '<a href="https://exa%E2%80%8Bmple.com/x" title="https://exa%E2%80%8Bmple.com/x" '
            'rel="nofollow noopener noreferrer">example.com/x</a>',
        ),
        (
            "long https://www.example.com/a/very/long/path/that/goes/on/and/on?x=1 end",
            'long <a href="https://www.example.com/a/very/long/path/that/goes/on/and/on?x=1" '
            'title="https://www.example.com/a/very/long/path/that/goes/on/and/on?x=1" '
            'rel="nofollow noopener noreferrer">example.com/a/very/long/path/th…</a> end',
        ),
        (
            "(see https://x.co/a). ＠full ＃タグ",
            '(see <a href="https://x.co/a" title="https://x.co/a" '
            'rel="nofollow noopener noreferrer">x.co/a</a>). '
            '<a class="mention" href="/-/user/full">@full</a> '
            '<a class="hashtag" href="/hashtag/%E3%82%BF%E3%82%B0">#タグ</a>',
        ),
        (
            "RT @user: a \"quote\" & 'apostrophe' https://twitter.com/jack/status/20",
            'RT <a class="mention" href="/-/user/user">@user</a>: a &#34;quote&#34; &amp; '
            '&#39;apostrophe&#39; <a class="local-tweet" href="/archive/tweets/20#t20" '
            'title="In this archive: https://twitter.com/jack/status/20">'
            "twitter.com/jack/status/20</a>",
        ),
    ],
)
def test_the_same_html_as_the_cards_before(text, html):
    rendered = render_text(text, entities_of(text), links=Links(local_tweet=local_status_20))
    assert isinstance(rendered, Markup)
    assert str(rendered) == html


@pytest.mark.parametrize(
    "text, html",
    [
        # What the cards' own regex missed, the build counts, and the card now links.
        (
            "see example.com/foo",
            'see <a href="http://example.com/foo" title="http://example.com/foo" '
            'rel="nofollow noopener noreferrer">example.com/foo</a>',
        ),
        ("rt@bob hi", 'rt<a class="mention" href="/-/user/bob">@bob</a> hi'),
        (
            "Look (https://en.wikipedia.org/wiki/Foo_(bar)) ok",
            'Look (<a href="https://en.wikipedia.org/wiki/Foo_(bar)" '
            'title="https://en.wikipedia.org/wiki/Foo_(bar)" rel="nofollow noopener noreferrer">'
            "en.wikipedia.org/wiki/Foo_(bar)</a>) ok",
        ),
        # A name written twice is one row: linked where it is first written.
        ("@bob and @bob", '<a class="mention" href="/-/user/bob">@bob</a> and @bob'),
    ],
)
def test_exactly_the_stored_entities_are_linked(text, html):
    assert str(render_text(text, entities_of(text))) == html


def test_links_go_where_the_site_says():
    links = Links(user=lambda n: f"/base/-/user/{n}", hashtag=lambda t: f"/base/hashtag/{t}")
    assert str(
        render_text("@a #b", [(0, 2, "mention", "A"), (3, 5, "hashtag", "b")], (), links)
    ) == (
        '<a class="mention" href="/base/-/user/A">@a</a> '
        '<a class="hashtag" href="/base/hashtag/b">#b</a>'
    )


def test_a_retweets_body_is_rendered_from_where_it_begins():
    text = "RT @bob: hi @x #t"
    assert str(render_text(text, entities_of(text), [(0, 13)], begin=9)) == (
        '<mark>hi </mark><a class="mention" href="/-/user/x"><mark>@</mark>x</a> '
        '<a class="hashtag" href="/hashtag/t">#t</a>'
    )


# --------------------------------------------------------------------------------- hostile


@pytest.mark.parametrize(
    "text, entities, html",
    [
        # A damaged archive's URLs that are no web links stay text.
        (
            "go javascript:alert(1)",
            [(3, 22, "url", "javascript:alert(1)")],
            "go javascript:alert(1)",
        ),
        (
            "data:text/html,<b>x</b>",
            [(0, 23, "url", "data:text/html,<b>x</b>")],
            "data:text/html,&lt;b&gt;x&lt;/b&gt;",
        ),
        # Quotes can't leave an attribute.
        (
            'https://x.com/a"onclick=alert(1)',
            [(0, 32, "url", 'https://x.com/a"onclick=alert(1)')],
            '<a href="https://x.com/a&#34;onclick=alert(1)" '
            'title="https://x.com/a&#34;onclick=alert(1)" rel="nofollow noopener noreferrer">'
            "x.com/a&#34;onclick=alert(1)</a>",
        ),
        # A hostile value (a name the users table holds) is escaped in the link.
        (
            "@x",
            [(0, 2, "mention", '"><script>')],
            '<a class="mention" href="/-/user/%22%3E%3Cscript%3E">@x</a>',
        ),
        # Rows that can't be placed are not linked: NULL, outside the text, overlapping.
        (
            "@a #b <i>",
            [
                (None, None, "mention", "gone"),
                (0, 99, "url", "https://x.co"),
                (3, 5, "hashtag", "b"),
                (4, 5, "hashtag", "c"),
                (0, 2, "other", "a"),
            ],
            '@a <a class="hashtag" href="/hashtag/b">#b</a> &lt;i&gt;',
        ),
    ],
)
def test_hostile_text_and_rows_are_escaped(text, entities, html):
    assert str(render_text(text, entities)) == html


def test_nothing_and_text_without_entities():
    assert render_text(None) == Markup("")
    assert render_text("") == Markup("")
    assert str(render_text("a < b")) == "a &lt; b"


# ----------------------------------------------------------------------------- highlights


@pytest.mark.parametrize(
    "text, highlights, html",
    [
        # Inside a link, across its edges, over two links, merged when they touch.
        ("hi @bob", [(4, 6)], 'hi <a class="mention" href="/-/user/bob">@<mark>bo</mark>b</a>'),
        (
            "hi @bob there",
            [(0, 5), (6, 10)],
            '<mark>hi </mark><a class="mention" href="/-/user/bob"><mark>@b</mark>o'
            "<mark>b</mark></a><mark> th</mark>ere",
        ),
        (
            "#a #b",
            [(1, 2), (2, 4)],
            '<a class="hashtag" href="/hashtag/a">#<mark>a</mark></a><mark> </mark>'
            '<a class="hashtag" href="/hashtag/b"><mark>#</mark>b</a>',
        ),
        # Line breaks inside a mark; a mark outside the text or empty is dropped.
        ("a\r\nb", [(0, 4), (9, 12), (2, 2)], "<mark>a<br>b</mark>"),
        ("a\r\nb", [(1, 2)], "a<mark></mark><br>b".replace("<mark></mark>", "")),
        # A match the shortened link text leaves out marks its "…"; the link's own text
        # is marked where it shows the match.
        (
            "https://example.com/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/secret",
            [(8, 15), (55, 61)],
            '<a href="https://example.com/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/secret" '
            'title="https://example.com/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/secret" '
            'rel="nofollow noopener noreferrer"><mark>example</mark>.com/aaaaaaaaaaaaaaaaaaa'
            "<mark>…</mark></a>",
        ),
    ],
)
def test_highlights_are_marked_and_nest_with_links(text, highlights, html):
    assert str(render_text(text, entities_of(text), highlights)) == html


def test_marked_text_is_escaped():
    assert str(render_text("<b>&", (), [(0, 4)])) == "<mark>&lt;b&gt;&amp;</mark>"


# ------------------------------------------------------------------------------ properties


class Card(HTMLParser):
    """The rendered text as a browser reads it: its pieces outside links, its links, and
    whether every element nests (only a, mark and br allowed)."""

    def __init__(self, html):
        super().__init__(convert_charrefs=True)
        self.outside, self.links, self.open, self.bad = [""], [], [], []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        if tag == "br":
            self.handle_data("\n")
            return
        if tag not in ("a", "mark") or (tag == "a" and "a" in self.open):
            self.bad.append(tag)
        self.open.append(tag)
        if tag == "a":
            self.links.append(dict(attrs)["href"])
            self.outside.append("")

    def handle_endtag(self, tag):
        if not self.open or self.open.pop() != tag:
            self.bad.append("/" + tag)

    def handle_data(self, data):
        if "a" not in self.open:
            self.outside[-1] += data


texts = st.lists(
    st.one_of(
        st.text(max_size=8),
        st.sampled_from(
            [
                "@bob",
                "＠Bob",
                "#tag",
                "＃タグ",
                "rt@x",
                "example.com/a",
                "https://x.co/b).",
                "<i>",
                "&amp;",
                "\r\n",
                "😀",
                "\u202e",
                "javascript:x",
            ]
        ),
    ),
    max_size=10,
).map(" ".join)


@settings(max_examples=200, deadline=None, derandomize=True)
@given(texts, st.lists(st.tuples(st.integers(-2, 60), st.integers(0, 60)), max_size=4))
def test_a_card_links_its_entities_and_shows_the_rest_of_its_text(text, highlights):
    entities = sorted(entities_of(text))
    card = Card(str(render_text(text, entities, highlights)))
    assert card.bad == [] and card.open == []
    assert len(card.links) == len(entities)
    pieces, last = [], 0
    for start, end, _, _ in entities:
        pieces.append(text[last:start])
        last = end
    pieces.append(text[last:])
    assert card.outside == [p.replace("\r\n", "\n").translate(BIDI_CONTROLS) for p in pieces]
