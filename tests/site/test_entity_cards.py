"""A card links exactly what the database counts, end to end: tricky texts built from an
official export whose entity lists leave them out (the build fills them in from the text) and
from Markdown (the build extracts them), then read through the site: the tweet's page, the
tweets table's cells, the search page with a match running into a link, and the Atom feed."""

import json
import re
import sqlite3
import urllib.parse
from html.parser import HTMLParser
from xml.etree import ElementTree

import pytest

from tests.helpers.build import run_build
from tests.helpers.site import make_datasette
from tweet_site.text import SHOWN_URL

FIRST = 1500000000000000001
OWNER = "card_owner"
# Text, and the entities the database must hold for it: (kind, as written).
TWEETS = [
    (
        "see example.com/foo and rt@bob",
        [("url", "example.com/foo"), ("mention", "@bob")],
    ),
    (
        "＠name ＃tag (see https://x.co/a).",
        [("mention", "＠name"), ("hashtag", "＃tag"), ("url", "https://x.co/a")],
    ),
    (
        "Look (https://en.wikipedia.org/wiki/Foo_(bar)) or [https://example.org/x] @carol",
        [
            ("url", "https://en.wikipedia.org/wiki/Foo_(bar)"),
            ("url", "https://example.org/x"),
            ("mention", "@carol"),
        ],
    ),
    (
        f"earlier: https://twitter.com/{OWNER}/status/{FIRST}, and #tag again",
        [("url", f"https://twitter.com/{OWNER}/status/{FIRST}"), ("hashtag", "#tag")],
    ),
]
MARKDOWN_FIRST = FIRST + 100
ROWS = """
select m.start, m.end, 'mention', u.screen_name from mentions m join users u on u.id = m.user_id
where m.tweet_id = :id and m.start is not null
union all
select start, end, 'hashtag', tag from hashtags where tweet_id = :id and start is not null
union all
select start, end, 'url', url from urls where tweet_id = :id and start is not null
order by 1
"""


def write_export(root):
    """An official export listing only @carol (with her id): the rest, as in old exports,
    only its text holds."""
    data = root / "data"
    data.mkdir(parents=True)
    account = {"account": {"username": OWNER, "accountId": "4242", "accountDisplayName": "C"}}
    (data / "account.js").write_text("window.YTD.account.part0 = " + json.dumps([account]))
    items = []
    for n, (text, _) in enumerate(TWEETS):
        mentions = []
        if "@carol" in text:
            at = text.index("@carol")
            mentions = [{"screen_name": "carol", "id_str": "77", "indices": [at, at + 6]}]
        entities = {"hashtags": [], "user_mentions": mentions, "urls": []}
        items.append(
            {
                "tweet": {
                    "id_str": str(FIRST + n),
                    "created_at": f"Thu Nov 07 18:26:{n:02d} +0000 2024",
                    "full_text": text,
                    "entities": entities,
                }
            }
        )
    (data / "tweets.js").write_text("window.YTD.tweets.part0 = " + json.dumps(items))


def write_markdown(root):
    root.mkdir()
    entries = []
    for n, (text, _) in enumerate(TWEETS):
        url = f"https://twitter.com/{OWNER}/status/{MARKDOWN_FIRST + n}"
        footer = f"(Originally on Twitter: [Fri May 31 10:00:{n:02d} +0000 2019]({url}))"
        entries.append(f"{text}\n\n{footer}\n\n----\n\n")
    (root / "tweets_2019-05.md").write_text("".join(entries), encoding="utf-8")


@pytest.fixture(scope="module")
def cards_db(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("entity-cards")
    write_export(tmp / "export")
    write_markdown(tmp / "markdown")
    db_path = tmp / "archive.db"
    result = run_build(db_path, tmp / "export", tmp / "markdown")
    assert result.exit_code == 0, result.output
    return db_path


@pytest.fixture
def cds(cards_db, metadata):
    return make_datasette(cards_db, metadata)


IDS = [FIRST + n for n in range(len(TWEETS))] + [MARKDOWN_FIRST + n for n in range(len(TWEETS))]


def stored(db_path, tweet_id):
    conn = sqlite3.connect(db_path)
    try:
        text = conn.execute("select text from tweets where id = ?", [tweet_id]).fetchone()[0]
        return text, conn.execute(ROWS, {"id": tweet_id}).fetchall()
    finally:
        conn.close()


class Links(HTMLParser):
    """Each link's (href, text shown) and the text outside links, of one card's text."""

    def __init__(self, html):
        super().__init__(convert_charrefs=True)
        self.links, self.outside, self.inside = [], [""], None
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self.inside = [dict(attrs)["href"], ""]
        elif tag == "br":
            self.handle_data("\n")

    def handle_endtag(self, tag):
        if tag == "a":
            self.links.append(tuple(self.inside))
            self.outside.append("")
            self.inside = None

    def handle_data(self, data):
        if self.inside is not None:
            self.inside[1] += data
        else:
            self.outside[-1] += data


def target(kind, value):
    if kind == "mention":
        return "/-/user/" + urllib.parse.quote(value)
    if kind == "hashtag":
        return "/hashtag/" + urllib.parse.quote(value, safe="")
    if value.endswith(f"/status/{FIRST}"):
        return f"/archive/tweets/{FIRST}#t{FIRST}"  # a tweet the archive holds: its page
    return value if "://" in value else "http://" + value


def shown(kind, written):
    if kind == "url":  # without its scheme, cut with "…" past SHOWN_URL characters
        url = re.sub(r"^https?://(www\.)?", "", written)
        return url if len(url) <= SHOWN_URL else url[: SHOWN_URL - 1] + "…"
    return ("@" if kind == "mention" else "#") + written[1:]


def expected_card(text, rows):
    """(links, text outside them) of a card linking exactly `rows`."""
    outside, last = [], 0
    for start, end, _, _ in rows:
        outside.append(text[last:start])
        last = end
    outside.append(text[last:])
    links = [(target(kind, value), shown(kind, text[s:e])) for s, e, kind, value in rows]
    return links, outside


def text_div(html, after):
    """The first card text element after `after` in a page."""
    at = html.index(after)
    return re.search(r'<div class="tweet-text"[^>]*>(.*?)</div>', html[at:], re.S)[1]


@pytest.mark.parametrize("n", range(len(TWEETS)))
def test_the_build_stores_each_tricky_entity_where_it_is_written(cards_db, n):
    text, wanted = TWEETS[n]
    for tweet_id in (FIRST + n, MARKDOWN_FIRST + n):
        stored_text, rows = stored(cards_db, tweet_id)
        assert stored_text == text
        assert [(kind, text[s:e]) for s, e, kind, _ in rows] == sorted(
            wanted, key=lambda w: text.index(w[1])
        )


@pytest.mark.asyncio
@pytest.mark.parametrize("tweet_id", IDS)
async def test_a_tweet_page_links_exactly_the_rows(cds, cards_db, tweet_id):
    response = await cds.client.get(f"/archive/tweets/{tweet_id}")
    assert response.status_code == 200
    card = Links(text_div(response.text, 'aria-current="page"'))
    text, rows = stored(cards_db, tweet_id)
    assert (card.links, card.outside) == expected_card(text, rows)


@pytest.mark.asyncio
async def test_the_tweets_tables_cells_link_exactly_the_rows(cds, cards_db):
    response = await cds.client.get("/archive/tweets?_sort=id&_size=max")
    assert response.status_code == 200
    cells = re.findall(r'<td class="col-text type-str">(.*?)</td>', response.text, re.S)
    assert len(cells) == len(IDS)
    for tweet_id, cell in zip(sorted(IDS), cells, strict=True):
        card = Links(cell)
        assert (card.links, card.outside) == expected_card(*stored(cards_db, tweet_id))


@pytest.mark.asyncio
async def test_a_search_match_running_into_a_link_is_marked_inside_it(cds):
    response = await cds.client.get("/search?q=%22see+example%22&sort=newest")
    assert response.status_code == 200
    marked = (
        '<mark>see </mark><a href="http://example.com/foo" title="http://example.com/foo" '
        'rel="nofollow noopener noreferrer"><mark>example</mark>.com/foo</a> and rt'
        '<a class="mention" href="/-/user/bob">@bob</a>'
    )
    assert response.text.count(marked) == 2  # the export's tweet and the Markdown one
    # A match inside a link's address is marked in the text it shows, the link kept whole.
    response = await cds.client.get("/search?q=wikipedia")
    assert (
        '<a href="https://en.wikipedia.org/wiki/Foo_(bar)" '
        'title="https://en.wikipedia.org/wiki/Foo_(bar)" rel="nofollow noopener noreferrer">'
        "en.<mark>wikipedia</mark>.org/wiki/Foo_(bar)</a>"
    ) in response.text


@pytest.mark.asyncio
async def test_the_feed_links_exactly_the_stored_links(cds):
    response = await cds.client.get("/archive/latest.atom")
    assert response.status_code == 200
    atom = "{http://www.w3.org/2005/Atom}"
    contents = [c.text for c in ElementTree.fromstring(response.text).iter(f"{atom}content")]
    local = f"https://twitter.com/{OWNER}/status/{FIRST}"
    for html in (
        # The archive's own page for a tweet it holds; the sentence's comma left out.
        f'earlier: <a href="/archive/tweets/{FIRST}">{local}</a>, and #tag again',
        '＠name ＃tag (see <a href="https://x.co/a">https://x.co/a</a>).',
        'see <a href="http://example.com/foo">example.com/foo</a> and rt@bob',
    ):
        assert contents.count(html) == 2, html  # the export's tweet and the Markdown one
