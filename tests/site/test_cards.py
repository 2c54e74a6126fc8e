"""Tweet cards wherever they appear (templates/_tweet.html, tweet_site/tweets.py's load_tweets,
hooks/render_tweets.py), on the cards fixture (tests/fixtures/cards): photos as a grid that
opens the lightbox, quoted tweets inside the quoting card, "Replying to @name" on replies
whose parent id no source has, cards that open their tweet, a retweet the export cut short."""

import json
import re

import pytest

from tests.helpers.build import run_build
from tests.helpers.paths import FIXTURES
from tests.helpers.site import make_datasette

CARDS = FIXTURES / "cards"
IDS = json.loads((CARDS / "ids.json").read_text())
OWNER = "card_owner"


@pytest.fixture(scope="module")
def cards_db(tmp_path_factory):
    db_path = tmp_path_factory.mktemp("cards") / "archive.db"
    result = run_build(db_path, CARDS / "markdown", CARDS / "later")
    assert result.exit_code == 0, result.output
    return db_path


@pytest.fixture
def ds(cards_db, monkeypatch):
    monkeypatch.delenv("TWEET_ARCHIVE_MEDIA_ROOT", raising=False)
    return make_datasette(cards_db)


async def get(ds, path):
    response = await ds.client.get(path, follow_redirects=True)
    assert response.status_code == 200, (path, response.text[:300])
    return response.text


def card(page, tweet_id):
    """The HTML of the card (or tweet page's main article) of `tweet_id`, to its end."""
    start = page.index(f'data-tweet-id="{tweet_id}"')
    start = page.rindex("<article", 0, start)
    depth, at = 0, start
    for match in re.finditer(r"<(/?)article\b", page[start:]):
        depth += -1 if match[1] else 1
        if depth == 0:
            at = start + match.end()
            break
    return page[start : page.index(">", at) + 1]


def photos(html):
    return re.findall(r'<a class="media-photo media-open[^"]*" href="([^"]+)" data-src="\1"', html)


@pytest.mark.asyncio
async def test_photos_are_a_grid_that_opens_the_lightbox(ds):
    four = IDS["four"]
    page = await get(ds, f"/archive/tweets/{four}")
    main = card(page, four)
    assert '<div class="tweet-media media-4">' in main
    assert photos(main) == [f"/-/media/{four}/{n}" for n in range(4)]
    # Every page with cards loads the scripts that open photos and cards.
    for script in ("cards.js", "lightbox.js"):
        assert re.search(rf'<script src="/static/{script}(\?v=[0-9a-f]+)?"></script>', page)
    # In lists too, by their number: one, two, three, four.
    month = await get(ds, "/timeline/2023/02")
    for key, count in (("four", 4), ("three", 3), ("two", 2), ("screenshot", 1)):
        html = card(month, IDS[key])
        assert f'<div class="tweet-media media-{count}">' in html, key
        assert len(photos(html)) == count, key
    assert 'class="media-photo media-open photo-tall"' in card(month, IDS["screenshot"])


@pytest.mark.asyncio
async def test_quoted_tweets_are_inside_the_quoting_card_everywhere(ds):
    quote, four = IDS["quote"], IDS["four"]
    for path in (
        "/quotes",
        "/timeline/2023/02",
        f"/-/user/{OWNER}",
        "/search?q=look",
        f"/archive/tweets/{quote}",
    ):
        html = card(await get(ds, path), quote)
        nested = html[html.index('<article class="quoted-card') :]
        assert nested.startswith(
            '<article class="quoted-card tweet-linked" aria-label="Quoted tweet" '
            f'data-tweet-id="{four}">'
        ), path
        assert f'<a class="tweet-time" href="/archive/tweets/{four}#t{four}">' in nested, path
        assert "Four photos from the trip" in nested, path
        # Its first photo, and how many more.
        assert photos(nested) == [f"/-/media/{four}/0"], path
        assert '<p class="quoted-more">and 3 more photos</p>' in nested, path
    missing = card(await get(ds, "/quotes"), IDS["quote_missing"])
    assert (
        '<p class="quoted-card quoted-missing">Quoting <a class="mention" '
        'href="/-/user/far_away">@far_away</a>, not in this archive: '
        '<a href="https://twitter.com/far_away/status/1234567890123456789" '
        'rel="nofollow noopener noreferrer">see it on twitter.com</a></p>'
    ) in missing


@pytest.mark.asyncio
async def test_quoted_tweets_load_in_one_batch(ds, monkeypatch):
    from tweet_site import tweets

    calls = []
    original = tweets.load_tweets

    async def counting(db, ids, quoted=True):
        calls.append((sorted(int(i) for i in ids), quoted))
        return await original(db, ids, quoted)

    monkeypatch.setattr(tweets, "load_tweets", counting)
    db = ds.get_database("archive")
    loaded = await original(db, [IDS["quote"], IDS["quote_missing"], IDS["four"]])
    assert [t["quoted"] and t["quoted"]["id"] for t in loaded] == [IDS["four"], None, None]
    assert calls == [([IDS["four"]], False)]


@pytest.mark.asyncio
async def test_replies_say_whom_they_answer(ds):
    month = await get(ds, "/timeline/2023/02")
    # A Markdown reply without a parent id: the names its text begins with.
    assert (
        '<p class="reply-context">Replying to <a class="mention" href="/-/user/pen_pal">@pen_pal'
        '</a> and <a class="mention" href="/-/user/other_pal">@other_pal</a></p>'
    ) in card(month, IDS["reply"])
    page = await get(ds, f"/archive/tweets/{IDS['reply']}")
    assert 'Replying to <a class="mention" href="/-/user/pen_pal">@pen_pal</a>' in card(
        page, IDS["reply"]
    )
    # With a parent id: the parent's page in the archive, or on twitter.com.
    march = await get(ds, "/timeline/2023/03")
    post, reply = IDS["long_post"], IDS["long_reply"]
    assert (
        f'<p class="reply-context">Replying to <a class="mention" href="/-/user/{OWNER}">'
        f'@{OWNER}</a> · <a class="reply-parent" href="/archive/tweets/{post}#t{post}">'
        "the tweet it answers</a></p>"
    ) in card(march, reply)
    assert (
        '<p class="reply-context">Replying to <a class="mention" href="/-/user/far_away">'
        '@far_away</a> · <a class="reply-parent" '
        'href="https://twitter.com/far_away/status/1234567890123456789" '
        'rel="nofollow noopener noreferrer">the tweet it answers, on twitter.com</a></p>'
    ) in card(march, IDS["reply_away"])
    assert "reply-context" not in card(march, post)
    # Within a thread the tweet answered is shown above instead.
    thread = await get(ds, f"/archive/tweets/{reply}")
    assert "reply-context" not in thread


@pytest.mark.asyncio
async def test_cards_open_their_tweet(ds):
    month = await get(ds, "/timeline/2023/02")
    four = IDS["four"]
    html = card(month, four)
    assert html.startswith(f'<article class="tweet  tweet-linked" data-tweet-id="{four}">')
    assert f'<a class="tweet-time" href="/archive/tweets/{four}#t{four}">' in html
    # The opened tweet itself has no link to follow.
    page = await get(ds, f"/archive/tweets/{four}")
    assert "tweet-linked" not in card(page, four)


@pytest.mark.asyncio
async def test_a_retweet_cut_by_the_export_says_so(ds):
    cut = IDS["cut_retweet"]
    note = (
        '<span class="retweet-cut">Cut short by Twitter\'s export.</span> '
        f'<a href="https://twitter.com/{OWNER}/status/{cut}" rel="nofollow noopener noreferrer">'
        "The whole tweet on twitter.com</a>"
    )
    month = await get(ds, "/timeline/2023/02")
    assert note in card(month, cut).replace("&#39;", "'")
    page = await get(ds, f"/archive/tweets/{cut}")
    assert note in card(page, cut).replace("&#39;", "'")
    # Other retweets and tweets ending in "…" say nothing of the kind.
    assert month.count("retweet-cut") == 1


@pytest.mark.asyncio
async def test_whole_conversation_opens_the_conversation_page(ds):
    reply = IDS["long_reply"]
    page = await get(ds, f"/archive/tweets/{reply}")
    assert f'<a href="/conversation/{reply}">Whole conversation</a>' in page
