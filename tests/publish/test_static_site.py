"""`publish --target static`: a folder a plain file server serves as it is, under any prefix.

The hostile site archive (tests/fixtures/site) is published to a folder, then read the way a
static host would serve it: every link of every page, followed from the home page, must
land on a file of the folder, and none may climb out of it (the site may live at
https://NAME.github.io/REPO/).
"""

import html.parser
import posixpath
import re
import sqlite3
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from click.testing import CliRunner

from etl.cli import cli
from etl.static_site import relative, route
from tests.helpers.paths import IDS


@pytest.fixture(scope="module")
def static_folder(site_db, tmp_path_factory):
    out = tmp_path_factory.mktemp("static") / "site"
    result = CliRunner().invoke(
        cli,
        ["publish", str(site_db), "--target", "static", "--out", str(out)]
        + ["--site-url", "https://owner.github.io/tweets/"],
    )
    assert result.exit_code == 0, result.output
    return out


class Links(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.links = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("href", "src", "action", "data-src") and value is not None:
                self.links.append((tag, name, value))


def links_of(page: Path) -> list[tuple[str, str, str]]:
    parser = Links()
    parser.feed(page.read_text())
    return parser.links


def served_file(folder: Path, page: Path, link: str) -> Path | None:
    """The file a plain static server answers for `link` found on `page` (None: another
    site's address or an anchor), failing when the link climbs out of the folder."""
    parts = urlsplit(link)
    if parts.scheme or parts.netloc or not parts.path:
        return None
    here = page.parent.relative_to(folder).as_posix()
    joined = posixpath.normpath(posixpath.join(here, unquote(parts.path)))
    assert not joined.startswith(".."), f"{page.relative_to(folder)}: {link} leaves the site"
    target = folder / joined
    if parts.path.endswith("/") or target.is_dir():
        target = target / "index.html"
    return target


def crawl(folder: Path) -> tuple[set[Path], list[str]]:
    seen, broken = set(), []
    todo = [folder / "index.html"]
    while todo:
        page = todo.pop()
        if page in seen:
            continue
        seen.add(page)
        if page.suffix != ".html":
            continue
        for tag, attribute, link in links_of(page):
            target = served_file(folder, page, link)
            if target is None:
                continue
            if not target.is_file():
                broken.append(f"{page.relative_to(folder)}: <{tag} {attribute}={link}>")
                continue
            todo.append(target)
    return seen, broken


def test_every_link_from_the_home_page_lands_in_the_folder(static_folder):
    seen, broken = crawl(static_folder)
    assert broken == []
    pages = {p.relative_to(static_folder).as_posix() for p in seen}
    for expected in [
        "index.html",
        "timeline/index.html",
        "search/index.html",
        "stats/index.html",
        "media/index.html",
        "static/reader.css",
        "-/static/app.css",
    ]:
        assert expected in pages


def test_every_public_tweet_has_its_page_and_no_private_one_does(static_folder):
    db = sqlite3.connect(static_folder / "archive.db")
    ids = [row[0] for row in db.execute("select id from tweets")]
    db.close()
    assert len(ids) >= 20
    missing = [i for i in ids if not (static_folder / f"archive/tweets/{i}/index.html").is_file()]
    assert missing == []
    written = {int(p.name) for p in (static_folder / "archive/tweets").iterdir()}
    assert written == set(ids)


def test_a_tweet_page_reads_as_on_the_server(static_folder):
    tweet_id = IDS["geo_sf"]
    page = (static_folder / f"archive/tweets/{tweet_id}/index.html").read_text()
    assert '<meta charset="utf-8">' in page
    # Static hosts send no Content-Security-Policy: the page states the server's.
    assert '<meta http-equiv="Content-Security-Policy" content="default-src &#39;self&#39;;' in page
    # Its styles and the home page, from three folders down.
    assert 'href="../../../static/tweet.css"' in page
    assert 'href="../../../"' in page
    # Its map's script loads Leaflet from the folder, by a path relative to the page.
    scripts = re.findall(r"'(\.\./\.\./\.\./-/static-plugins/[^']+\.js)'", page)
    assert scripts and all(
        (static_folder / "archive/tweets/x" / s).resolve().is_file() for s in scripts
    )
    # Nothing points at the server's tables, SQL or JSON.
    for _, _, link in links_of(static_folder / f"archive/tweets/{tweet_id}/index.html"):
        assert "?sql=" not in link and not link.endswith((".json", ".csv")), link


def test_the_folder_holds_the_database_a_404_page_and_no_server_files(static_folder):
    names = sorted(p.name for p in static_folder.iterdir())
    for expected in ["404.html", "archive.db", ".nojekyll", "index.html", "static", "-"]:
        assert expected in names
    for server_file in ["metadata.json", "settings.json", "inspect-data.json", "Dockerfile"]:
        assert server_file not in names
    not_found = (static_folder / "404.html").read_text()
    # Served for any missing address at any depth: its links start from the site's address.
    assert '<base href="https://owner.github.io/tweets/">' in not_found


@pytest.mark.parametrize(
    "address, expected",
    [
        (("/", ""), ("index.html", "")),
        (
            ("/timeline/2021/03", "after=123"),
            ("timeline/2021/03/after-123/index.html", "timeline/2021/03/after-123/"),
        ),
        (("/archive/tweets/42", ""), ("archive/tweets/42/index.html", "archive/tweets/42/")),
        (
            ("/hashtag/%E6%97%A5%E6%9C%AC", ""),
            ("hashtag/日本/index.html", "hashtag/%E6%97%A5%E6%9C%AC/"),
        ),
        (
            ("/on-this-day", "date=03-15"),
            ("on-this-day/date-03-15/index.html", "on-this-day/date-03-15/"),
        ),
        (("/static/reader.css", ""), ("static/reader.css", "static/reader.css")),
    ],
)
def test_server_addresses_map_onto_files_predictably(address, expected):
    found = route(*address, lambda tweet_id, position: None)
    assert (found.file, found.href) == expected


@pytest.mark.parametrize(
    "path, query",
    [
        ("/timeline", "kind=reply"),
        ("/archive/tweets", ""),
        ("/archive", "sql=select+1"),
        ("/timeline.json", ""),
        ("/hashtag/..", ""),
        ("/hashtag/a%2F..%2F..", ""),
        ("/-/media/1/0", ""),
        ("/static/../../etc/passwd", ""),
    ],
)
def test_what_a_static_host_cant_answer_is_not_linked(path, query):
    assert route(path, query, lambda tweet_id, position: None) is None


def test_links_are_relative_to_the_page_that_holds_them():
    assert relative("", "index.html") == "./"
    assert relative("timeline/", "archive/tweets/1/index.html") == "../../../timeline/"
    assert relative("static/a.css", "404.html") == "static/a.css"


def test_every_day_with_tweets_has_its_on_this_day_page_and_steps_to_the_next(static_folder):
    db = sqlite3.connect(static_folder / "archive.db")
    days = [
        row[0]
        for row in db.execute(
            "select distinct strftime('%m-%d', created_at) from tweets order by 1"
        )
    ]
    db.close()
    written = sorted(p.name for p in (static_folder / "on-this-day").iterdir() if p.is_dir())
    assert written == [f"date-{day}" for day in days]
    first = (static_folder / f"on-this-day/date-{days[0]}/index.html").read_text()
    # Previous wraps round the year to the last day with tweets, next is the following one.
    assert f'on-this-day/date-{days[-1]}/" rel="prev"' in first
    assert f'on-this-day/date-{days[1]}/">' in first
    # The undated page opens the reader's today (static/on-this-day.js) among these days.
    undated = (static_folder / "on-this-day/index.html").read_text()
    assert f'data-days="{" ".join(days)}"' in undated
    assert 'src="../static/on-this-day.js"' in undated


def test_a_thread_opens_its_conversation_page_in_the_folder(static_folder):
    threads = static_folder / "threads/index.html"
    conversation = f"conversation/{IDS['t1']}/index.html"
    assert f"../conversation/{IDS['t1']}/" in [link for _, _, link in links_of(threads)]
    page = (static_folder / conversation).read_text()
    found = re.findall(r'data-tweet-id="(\d+)"', page)
    assert found == [str(IDS[name]) for name in ("t1", "t2", "t3", "t_branch")]
    # Its JSON, CSV and SQL are the server's: not linked from the folder.
    for _, _, link in links_of(static_folder / conversation):
        assert not link.endswith((".json", ".csv")) and "conversation?id" not in link, link
