"""Accessibility of the site's frame and of Datasette's own pages (issue 10, item 11).

In process (ds.client): every page says its language, starts with a "Skip to content" link
and has one <main id="content">; the table filter form's fields all have a name a screen
reader can say; canned queries are titled by their title, not their SQL. From the stylesheet:
every colour pair the site draws text with reaches WCAG AA's 4.5:1 in the light and in the
dark scheme. In Chromium: right-to-left tweets start at the right, and dark mode follows the
system's preference.
"""

import re
from html.parser import HTMLParser

import pytest

from tests.helpers.build import run_build
from tests.helpers.paths import FIXTURES, IDS, ROOT
from tests.helpers.site import served

CSS = (ROOT / "tweet_site" / "static" / "archive.css").read_text()
RTL = FIXTURES / "accessibility" / "rtl"
RTL_IDS = {"arabic": 1388405437298655232, "hebrew": 1388420537298655232}

PAGES = [
    "/",
    "/archive",
    "/archive/tweets",
    "/archive/tweets?kind=tweet&_sort=created_at",
    "/archive/users",
    "/archive/latest",
    "/archive/search?q=tokyo",
    f"/archive/tweets/{IDS['t3']}",
    "/no/such/page",
]


class Page(HTMLParser):
    """The facts of a page an assistive technology starts from."""

    FOCUSABLE = {"a", "button", "input", "select", "textarea", "summary"}

    def __init__(self, html):
        super().__init__()
        self.lang = None
        self.in_body = False
        self.focusable = []  # (tag, attrs) in document order
        self.mains = []
        self.label_for = set()
        self.label_depth = 0
        self.fields = []  # (tag, attrs, inside a <label>)
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self.lang = attrs.get("lang")
        elif tag == "body":
            self.in_body = True
        elif tag == "main":
            self.mains.append(attrs)
        elif tag == "label":
            self.label_depth += 1
            if attrs.get("for"):
                self.label_for.add(attrs["for"])
        if not self.in_body:
            return
        if tag in self.FOCUSABLE and not (tag == "a" and "href" not in attrs):
            if attrs.get("type") != "hidden":
                self.focusable.append((tag, attrs))
        if tag in ("input", "select", "textarea") and attrs.get("type") not in (
            "hidden",
            "submit",
            "button",
        ):
            self.fields.append((tag, attrs, self.label_depth > 0))

    def handle_endtag(self, tag):
        if tag == "label":
            self.label_depth -= 1

    def unlabelled(self):
        return [
            (tag, attrs.get("name"))
            for tag, attrs, in_label in self.fields
            if not (in_label or attrs.get("aria-label") or attrs.get("id") in self.label_for)
        ]


@pytest.mark.asyncio
@pytest.mark.parametrize("path", PAGES)
async def test_page_has_language_skip_link_and_main_landmark(ds, path):
    response = await ds.client.get(path)
    assert response.status_code == (404 if path == "/no/such/page" else 200), path
    page = Page(response.text)
    assert page.lang == "en", path
    tag, attrs = page.focusable[0]
    assert (tag, attrs.get("href"), attrs.get("class")) == ("a", "#content", "skip-link"), path
    assert [main.get("id") for main in page.mains] == ["content"], path


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "path",
    [
        "/archive/tweets",
        # An applied filter adds a row of its own fields.
        "/archive/tweets?kind__exact=tweet",
        "/archive/users",
        "/archive/latest",
        "/archive/search?q=tokyo",
        "/",
    ],
)
async def test_every_form_field_has_a_name_to_say(ds, path):
    response = await ds.client.get(path)
    assert response.status_code == 200, path
    page = Page(response.text)
    assert page.fields, path
    assert page.unlabelled() == [], path


@pytest.mark.asyncio
async def test_canned_query_tab_shows_its_title_not_its_sql(ds):
    html = (await ds.client.get("/archive/latest")).text
    assert re.search(r"<title>\s*Latest tweets\s*</title>", html), html[:400]


@pytest.mark.asyncio
async def test_tweets_table_folds_its_column_glossary(ds):
    """34 column descriptions no longer push the first row below three phone screens."""
    html = (await ds.client.get("/archive/tweets")).text
    glossary = html.index('<dl class="column-descriptions">')
    assert html.rindex('<details class="column-descriptions-box">', 0, glossary) > 0
    assert 'href="#all-columns">Show every column</a>' in html


@pytest.mark.asyncio
@pytest.mark.parametrize("path", ["/no/such/page", "/archive/no_such_table", "/archive/tweets/1"])
async def test_not_found_page_speaks_to_readers(ds, path):
    """Datasette's reasons ("Database not found") are not a reader's words."""
    response = await ds.client.get(path)
    assert response.status_code == 404
    assert "not found)" not in response.text
    assert "There is no page at this address." in response.text


def custom_properties(css):
    """({name: value} of the light :root, {name: value} of the dark one)."""
    light = re.search(r":root\s*{(.*?)}", css, re.S).group(1)
    dark_block = css.split("@media (prefers-color-scheme: dark)", 1)[1]
    dark = re.search(r":root\s*{(.*?)}", dark_block, re.S).group(1)
    read = lambda block: dict(re.findall(r"(--[\w-]+):\s*(#[0-9a-fA-F]{3,6})", block))  # noqa: E731
    return read(light), read(dark)


def contrast(a, b):
    def luminance(colour):
        colour = colour.lstrip("#")
        if len(colour) == 3:
            colour = "".join(c * 2 for c in colour)
        channels = [int(colour[i : i + 2], 16) / 255 for i in (0, 2, 4)]
        r, g, b = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    light, dark = sorted([luminance(a), luminance(b)], reverse=True)
    return (light + 0.05) / (dark + 0.05)


TEXT_PAIRS = [
    ("--fg", "--bg"),
    ("--fg", "--card-bg"),
    ("--fg", "--card-bg-alt"),
    ("--fg", "--mark-bg"),
    ("--fg", "--code-bg"),
    ("--muted", "--bg"),
    ("--muted", "--card-bg"),
    ("--muted", "--card-bg-alt"),
    ("--link", "--bg"),
    ("--link", "--card-bg"),
    ("--link", "--card-bg-alt"),
    ("--link", "--mark-bg"),  # a search's match inside a link, a mention or a hashtag
    ("--accent-fg", "--accent"),
    ("--nav-fg", "--nav-bg"),
    ("--chip-fg", "--chip-bg"),
]


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_colour_pairs_reach_aa(scheme):
    light, dark = custom_properties(CSS)
    colours = light if scheme == "light" else dark
    ratios = {(f, b): round(contrast(colours[f], colours[b]), 2) for f, b in TEXT_PAIRS}
    assert {pair: r for pair, r in ratios.items() if r < 4.5} == {}
    # Form field borders are user-interface components: 3:1 (WCAG 1.4.11).
    assert contrast(colours["--border-strong"], colours["--card-bg"]) >= 3


def test_links_in_tweet_text_are_underlined():
    # Colour alone doesn't tell a mention or hashtag from the text around it (axe-core's
    # link-in-text-block): no rule takes the underline off a link in a tweet's text.
    rules = re.findall(r"([^{}]*)\{([^}]*)\}", CSS)
    plain = [sel.strip() for sel, body in rules if "text-decoration: none" in body]
    assert [sel for sel in plain if ".tweet-text" in sel] == []
    assert ".tweet-text a {" in CSS


def test_dark_scheme_sets_every_colour():
    light, dark = custom_properties(CSS)
    required = {"--bg", "--fg", "--muted", "--link", "--card-bg", "--border", "--accent"}
    assert required | {"--mark-bg"} <= set(light)
    assert set(dark) == set(light)
    assert all(dark[name] != light[name] for name in ("--bg", "--fg", "--card-bg", "--link"))


# In Chromium: right-to-left tweets, and the scheme the system asks for. (Kept last: the
# module's Playwright loop would stop the async tests above from running after it.)


@pytest.fixture(scope="module")
def rtl_site(browser, tmp_path_factory):
    db_path = tmp_path_factory.mktemp("rtl") / "archive.db"
    result = run_build(db_path, RTL)
    assert result.exit_code == 0, result.output
    with served(db_path) as base:
        yield browser, base


# Where the text's first line sits in its box: a gap on the left means it starts at the right.
TEXT_SIDES = """el => {
  const box = el.getBoundingClientRect();
  const range = document.createRange();
  range.selectNodeContents(el);
  const line = range.getClientRects()[0];
  return {align: getComputedStyle(el).textAlign, dir: getComputedStyle(el).direction,
          left: line.left - box.left, right: box.right - line.right};
}"""


@pytest.mark.parametrize("name", list(RTL_IDS))
@pytest.mark.parametrize("width", [390, 1280])
def test_right_to_left_tweet_starts_at_the_right(rtl_site, name, width):
    browser, base = rtl_site
    context = browser.new_context(viewport={"width": width, "height": 900})
    try:
        page = context.new_page()
        page.goto(f"{base}/archive/tweets/{RTL_IDS[name]}")
        text = page.locator(".tweet-text").first
        sides = text.evaluate(TEXT_SIDES)
        assert sides["align"] == "start" and sides["dir"] == "rtl", sides
        assert sides["right"] < 2 and sides["left"] > sides["right"], sides
        # The same goes for the tweets table and the reader timeline.
        for path in ("/archive/tweets", "/timeline/2021/05"):
            page.goto(base + path)
            cell = page.locator(".tweet-text", has_text=name == "arabic" and "مرحبا" or "שלום")
            assert cell.first.evaluate(TEXT_SIDES)["dir"] == "rtl", path
    finally:
        context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_dark_mode_follows_the_system(rtl_site, scheme):
    browser, base = rtl_site
    context = browser.new_context(color_scheme=scheme)
    try:
        page = context.new_page()
        page.goto(base + "/archive/tweets")
        background = page.evaluate("getComputedStyle(document.body).backgroundColor")
        light, dark = custom_properties(CSS)
        expected = (light if scheme == "light" else dark)["--bg"].lstrip("#")
        rgb = tuple(int(expected[i : i + 2], 16) for i in (0, 2, 4))
        assert background == "rgb({}, {}, {})".format(*rgb)
    finally:
        context.close()
