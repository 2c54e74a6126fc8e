"""The site's bar and names a screen reader says (issue 18, items 6 and 14), in process: every
reader page and a tweet's page carry a search box in the bar that asks /search (home and
/search have their own), the menu's links are in the bar as well as behind the menu button,
and the timeline's month cells are named by what they show."""

import html
import re

import pytest

from tests.helpers.paths import IDS

SEARCH_FORM = (
    '<form class="site-search" action="/search" method="get" role="search"'
    ' aria-label="Search the tweets">'
    ' <label for="site-search-q" class="visually-hidden">Search the tweets</label>'
    ' <input id="site-search-q" type="search" name="q" placeholder="Search tweets"'
    ' autocomplete="off">'
    ' <button type="submit">Search</button>'
    " </form>"
    ' <a class="site-search-link" href="/search">'
)

READER_PAGES = [
    "/timeline",
    "/timeline/2021",
    "/timeline/2021/03",
    "/hashtag/sunset",
    "/on-this-day?date=06-05",
    "/most-liked",
    "/quotes",
    "/threads",
    "/media",
    "/stats",
    "/archive/users/4242424242",
    f"/archive/tweets/{IDS['t3']}",
    f"/archive/tweets/{IDS['photo']}",
]


def header(page: str) -> str:
    bar = page[page.index("<header>") : page.index("</header>")]
    return re.sub(r"\s+", " ", re.sub(r">\s+<", "> <", bar))


@pytest.mark.asyncio
@pytest.mark.parametrize("path", READER_PAGES)
async def test_reader_pages_have_a_search_box_in_the_bar(ds, path):
    response = await ds.client.get(path)
    assert response.status_code == 200, path
    # (one tap on a phone: the icon is a link to the search page, not a box to open)
    assert SEARCH_FORM in header(response.text)


@pytest.mark.asyncio
@pytest.mark.parametrize("path", ["/", "/search?q=tokyo", "/no/such/page"])
async def test_pages_with_their_own_search_box_have_none_in_the_bar(ds, path):
    response = await ds.client.get(path)
    assert response.status_code in (200, 404)
    page = response.text
    assert "site-search" not in header(page)
    assert 'role="search"' in page[page.index("</header>") :]


@pytest.mark.asyncio
async def test_the_menus_links_are_in_the_bar(ds):
    page = (await ds.client.get("/timeline")).text
    bar = header(page)
    inline = bar[bar.index('<ul class="nav-links">') : bar.index("</ul>")]
    menu = bar[bar.index('<div class="nav-menu-inner">') : bar.index("</details>")]
    links = re.compile(r'<li><a href="([^"]+)">([^<]+)</a></li>')
    assert links.findall(inline) == links.findall(menu)
    assert ("/timeline", "Timeline") in links.findall(inline)


@pytest.mark.asyncio
async def test_timeline_month_cells_are_named_by_their_text(ds):
    """axe's label-content-name-mismatch: the cells said "Jan 4" and were named "January 2023:
    4". A cell is now named by its text, then what it means."""
    page = (await ds.client.get("/timeline")).text
    cells = re.findall(r'<ol class="reader-months">(.*?)</ol>', page, re.S)
    links = re.findall(r"<a ([^>]*)>(.*?)</a>", "".join(cells), re.S)
    assert links
    names = []
    for attributes, inner in links:
        assert "aria-label" not in attributes
        names.append(" ".join(html.unescape(re.sub(r"<[^>]+>", " ", inner)).split()))
    month = re.compile(r"^(\w{3}) ([\d,]+) tweets?, (\w+) (\d{4})$")
    for name in names:
        short, count, full, _year = month.match(name).groups()
        assert full.startswith(short), name
        assert name.endswith(" tweet, " + f"{full} {_year}") == (count == "1"), name
