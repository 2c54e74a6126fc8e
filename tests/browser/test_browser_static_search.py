"""A static copy's search in Chromium: the /search page as the site renders it for a static
export, its files and the Pagefind index (etl/static_search.py) in a folder a plain file
server serves under a prefix (/repo/, as GitHub Pages serves a project site). English words
match their other forms, two characters of Japanese match inside a longer word, results are
the site's tweet cards with the match marked, archive text stays text, and every request
stays on the host."""

import asyncio
import copy
import re
from concurrent.futures import ThreadPoolExecutor

import pytest

from etl import static_search
from etl.static_search import write_search_index
from tests.helpers.browser import CHROMIUM, SCREENSHOTS, file_server, offline_context
from tests.helpers.paths import IDS
from tests.helpers.site import make_datasette

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} not installed")
ADDRESS = re.compile(r'(\s(?:href|src|action|data-src)=)"/([^"]*)"')
FILES = re.compile(r"^(?:static|-/static|-/static-plugins)/[^?#]+")


def static_metadata(metadata):
    static = copy.deepcopy(metadata)
    static["plugins"]["tweet-archive"]["static"] = {
        "db_file": "archive.db",
        "db_bytes": 1,
        "site_url": None,
    }
    return static


async def write_page(db_path, metadata, folder):
    ds = make_datasette(db_path, static_metadata(metadata))
    page = (await ds.client.get("/search")).text
    for address in sorted({m[2] for m in ADDRESS.finditer(page)}):
        if match := FILES.match(address):
            path = match[0]
            response = await ds.client.get("/" + path)
            assert response.status_code == 200, path
            (folder / path).parent.mkdir(parents=True, exist_ok=True)
            (folder / path).write_bytes(response.content)
    (folder / "search").mkdir(parents=True)
    (folder / "search" / "index.html").write_text(ADDRESS.sub(r'\1"../\2"', page))


def export_search(db_path, metadata, folder):
    """The search page written as search/index.html with its links made relative (as the
    exporter writes every page), the site files it names, and the search index."""
    # Playwright's sync API keeps an event loop running in this thread.
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, write_page(db_path, metadata, folder)).result()
    return write_search_index(db_path, folder, lambda tweet_id: f"archive/tweets/{tweet_id}/")


@pytest.fixture(scope="module")
def site_base(site_db, metadata, tmp_path_factory):
    root = tmp_path_factory.mktemp("static-search")
    export_search(site_db, metadata, root / "repo")
    with file_server(root) as address:
        yield address + "/repo/"


@pytest.fixture(scope="module")
def sharded_base(search_db, metadata, tmp_path_factory):
    """The search fixture's 147 tweets (131 with "harbour", 130 of them of 2019) in shards of
    40."""
    root = tmp_path_factory.mktemp("static-search-shards")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(static_search, "SHARD_TWEETS", 40)
        counts = export_search(search_db, metadata, root / "repo")
    assert counts["shards"] == 4
    with file_server(root) as address:
        yield address + "/repo/"


class Visit:
    """A page of the static copy, recording errors, dialogs and requests to other hosts."""

    def __init__(self, browser, base):
        self.context = offline_context(browser, base, viewport={"width": 390, "height": 844})
        self.page = self.context.new_page()
        self.errors, self.dialogs, self.elsewhere = [], [], []
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        self.context.on("request", lambda r: r.url.startswith(base) or self.elsewhere.append(r.url))
        self.base = base

    def search(self, query):
        response = self.page.goto(self.base + "search/?" + query)
        assert response.status == 200
        self.page.wait_for_selector(".search-summary:not(:empty):not(:has-text('Searching'))")
        return self.page

    def cards(self):
        return self.page.eval_on_selector_all(
            ".search-results article.tweet",
            """cards => cards.map(c => ({
                id: c.dataset.tweetId,
                href: c.querySelector('a.tweet-time').href,
                author: c.querySelector('.tweet-author')?.textContent,
                kind: c.querySelector('.tweet-kind')?.textContent || null,
                text: c.querySelector('.tweet-text').textContent,
                marks: [...c.querySelectorAll('.tweet-text mark')].map(m => m.textContent),
                elements: [...c.querySelectorAll('.tweet-text *')].map(e => e.tagName),
            }))""",
        )

    def close(self):
        self.context.close()
        assert (self.errors, self.dialogs, self.elsewhere) == ([], [], [])


@pytest.fixture
def visit(browser, site_base):
    visit = Visit(browser, site_base)
    yield visit
    visit.close()


def test_an_english_word_finds_its_other_forms_marked(visit, site_base):
    page = visit.search("q=run")
    cards = visit.cards()
    assert [c["id"] for c in cards] == [str(IDS["english"])]
    assert cards[0]["marks"] == ["running"]
    assert cards[0]["href"] == f"{site_base}archive/tweets/{IDS['english']}/"
    assert cards[0]["author"] == "@site_owner"
    assert page.inner_text(".search-summary").startswith("1 tweet matches")
    # The form shows the search it ran.
    assert page.input_value("#search-q") == "run"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "static-search-390.png"), full_page=True)


@pytest.mark.parametrize(
    "query, marks",
    [
        # Two characters inside longer words: 東京タワー, and the hashtag #東京.
        ("東京", ["東京", "東京"]),
        ("京タ", ["京タ"]),
        ("タワーに行", ["タワーに行"]),
        ("京", ["京", "京"]),
        # A phrase: its pairs in a row.
        ('"東京タワー"', ["東京タワー"]),
    ],
)
def test_japanese_matches_inside_words(visit, query, marks):
    visit.search("q=" + query)
    cards = visit.cards()
    assert [c["id"] for c in cards] == [str(IDS["japanese"])]
    assert cards[0]["marks"] == marks
    assert cards[0]["text"].startswith("東京タワーに行きました #東京")


def test_a_phrase_matches_its_words_in_order(visit):
    visit.search('q="quick brown fox"')
    (card,) = visit.cards()
    assert card["marks"] == ["quick", "brown", "fox"]
    visit.search('q="brown quick"')
    assert visit.cards() == []


def test_no_match_says_so(visit):
    page = visit.search("q=東西")
    assert visit.cards() == []
    assert page.inner_text(".search-summary") == "No tweet matches 東西."


@pytest.mark.parametrize(
    "query, found",
    [
        ("fox running", ["english"]),
        # Every word must be in the tweet: Pagefind alone would leave out a word found
        # nowhere, and take 東京 for 東京大学.
        ("fox zzzz", []),
        ("東京大学", []),
        ("東京 Привет", ["japanese"]),
        ("東京 fox", []),
    ],
)
def test_every_word_must_match(visit, query, found):
    visit.search("q=" + query)
    assert [c["id"] for c in visit.cards()] == [str(IDS[key]) for key in found]


def test_hostile_text_is_shown_as_text(visit):
    visit.search("q=onerror")
    cards = visit.cards()
    assert [c["id"] for c in cards] == [str(IDS["img"])]
    assert '"><img src=x onerror=alert(1)>' in cards[0]["text"]
    assert cards[0]["elements"] == ["MARK"]
    visit.search("q=hello")
    (card,) = visit.cards()
    assert card["text"].startswith("<script>alert(1)</script> hello")
    assert card["marks"] == ["hello"]
    hostile = ".search-results img, .search-results script"
    assert visit.page.eval_on_selector_all(hostile, "found => found.length") == 0


def test_a_retweet_reads_as_its_card(visit):
    visit.search("q=tags")
    (card,) = visit.cards()
    assert card["author"] == "@friend_b"
    assert card["text"].startswith("Great post about <b>tags</b>")
    assert card["marks"] == ["tags"]
    retweeted_by = visit.page.inner_text(".search-results .retweeted-by").strip()
    assert retweeted_by == "🔁 @site_owner retweeted"


@pytest.fixture
def sharded(browser, sharded_base):
    visit = Visit(browser, sharded_base)
    yield visit
    visit.close()


def test_more_results_pages_through_every_shard_newest_first(sharded):
    page = sharded.search("q=harbour&sort=newest")
    # The newest shard holds fewer than a page of them: the next shard's follow, and the
    # older two are still to search.
    summary = page.inner_text(".search-summary")
    assert re.match(r"At least \d+ tweets match harbour\. Searched back to \d+ \w+ 2019;", summary)
    assert 40 < int(summary.split()[2]) < 131
    seen = [c["id"] for c in sharded.cards()]
    assert len(seen) == 25
    while page.is_visible(".search-more"):
        before = len(seen)
        page.click(".search-more")
        page.locator(".search-results > li").nth(before).wait_for()
        seen = [c["id"] for c in sharded.cards()]
    # The 130 of the search fixture and one of the official export's.
    assert len(seen) == len(set(seen)) == 131
    assert seen == sorted(seen, key=int, reverse=True)
    assert page.inner_text(".search-summary").startswith("131 tweets match")


def test_filters_by_kind_and_year(sharded):
    sharded.search("q=harbour&kind=reply&sort=newest")
    while sharded.page.is_visible(".search-more"):
        before = len(sharded.cards())
        sharded.page.click(".search-more")
        sharded.page.locator(".search-results > li").nth(before).wait_for()
    cards = sharded.cards()
    assert {c["kind"] for c in cards} == {"reply"}
    assert len(cards) == 23
    page = sharded.search("q=harbour&year=2023")
    assert sharded.cards() == []
    assert page.inner_text(".search-summary") == "No tweet matches harbour with these filters."
    assert page.input_value("select[name=year]") == "2023"
    sharded.search("q=harbour&kind=-reply-retweet&year=2019")
    assert {c["kind"] for c in sharded.cards()} == {None}  # tweets, without a label


def test_best_match_ranks_a_shard_at_a_time(sharded):
    page = sharded.search("q=harbour")
    assert "Best matches first, 40 tweets at a time from the newest." in page.inner_text(
        ".search-summary"
    )
    ids = [int(c["id"]) for c in sharded.cards()]
    assert len(ids) == 25 and ids != sorted(ids, reverse=True)
