"""`publish --target static`: the site rendered into a folder any static host serves as it is.

The pages are the server site's own (the same package, templates and lists), fetched in
process from the published site folder while its configuration says it is being exported
(`plugins: tweet-archive: static:`), then written to files with every link made relative to
the page that holds it, so the folder works at a domain's root and under a prefix such as
https://NAME.github.io/REPO/ alike. Which server address becomes which file is `route()`:

- a page `/a/b` is `a/b/index.html`, linked as `a/b/`; `/` is `index.html`;
- the query keys that choose a page of a list (`after`, `before`, `date`, `sort`) become path
  segments, `/timeline/2021/03?after=123` is `timeline/2021/03/after-123/index.html`;
  a link with any other query (`?kind=`, `.json`, SQL) or to a page a static host can't
  answer (the tables, /-/ pages) is left as its text;
- files keep their path (`/static/reader.css`, `/-/static/app.css`, `/archive/latest.atom`);
  a media file `/-/media/<tweet>/<position>` is `media/<its path in the archive>`;
- `/search` is the page that searches the Pagefind index (`pagefind/`) in the browser.

The crawl starts at the home page and at every tweet, so every public tweet has its page,
and follows links from there: the months, hashtags, accounts, days and next pages a reader
can reach are exactly the ones written.
"""

from __future__ import annotations

import asyncio
import html
import json
import multiprocessing
import os
import posixpath
import re
import shutil
import sqlite3
from collections import deque
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from itertools import repeat
from pathlib import Path
from urllib.parse import parse_qsl, quote, unquote, urlencode, urljoin, urlsplit

# Every day with tweets has its "on this day" page (the pages step from one to the next).
from tweet_site.hooks.reader_on_this_day import DAYS_WITH_TWEETS

from . import site
from .site import DB_FILE, MEDIA
from .static_search import write_search_index

# Tweets' pages are rendered by this many processes at most, from this many tweets on
# (below, starting the processes costs more than it saves).
MAX_WORKERS = 4
PARALLEL_FROM = 2000
# Query keys that choose which page of a list is shown: each such page is a file.
PAGE_KEYS = ("date", "sort", "after", "before")
# Pages a static host can serve, by their server address.
PAGE_PATHS = re.compile(
    r"^/(?:"
    r"|timeline(?:/\d{4}(?:/\d{2})?)?"
    r"|hashtag/[^/]{1,600}"
    r"|on-this-day|most-liked|quotes|threads|media|stats|search"
    r"|archive/tweets/\d{1,20}"
    r"|conversation/\d{1,19}"
    r"|archive/users/-?\d{1,19}"
    r")$"
)
# Addresses that answer with a redirect to a page (an account by its screen name).
REDIRECTS = re.compile(r"^/-/user/@?[A-Za-z0-9_]{1,50}$")
FILE_PATHS = re.compile(
    r"^/(?:static/|-/static/|-/static-plugins/)[A-Za-z0-9_./-]{1,300}$"
    r"|^/archive/latest\.atom$"
    # The owner's pictures (hooks/owner_profile.py), kept in the database.
    r"|^/-/media/profile/[A-Za-z0-9_]{1,50}/(?:avatar|header)\.(?:jpg|png|gif|webp)$"
)
MEDIA_PATH = re.compile(r"^/-/media/(\d{1,20})/(\d{1,4})$")
PLUGIN_FILES = "-/static-plugins/"
# A tweet's page, at its server address.
TWEETS = "archive/tweets/"
# Written by the search step, not rendered: links to it are rewritten, never fetched.
PAGEFIND = "/pagefind/"
# Attributes that hold an address. A page's inline JSON and meta content (share previews,
# absolute by design) are left alone.
ADDRESS = re.compile(r'(\s(?:href|src|action|poster|data-src)=)"([^"]*)"')
# A quoted address of a site file in a page's inline script.
SCRIPT_ASSET = re.compile(
    r"""(["'])(/(?:-/static-plugins|-/static|static)/[A-Za-z0-9_./-]{1,300})\1"""
)
# A <link> (rel=alternate JSON) to what the folder won't hold.
DEAD_LINK = re.compile(r'<link\b[^>]*data-not-exported=""[^>]*>\n?')
# Indentation and blank lines between a template's lines; and what keeps its whitespace.
BLANK_LINES = re.compile(r"\n[ \t\r\n]+")
PRESERVED = re.compile(r"<(?:pre|textarea)\b", re.IGNORECASE)
# A list item that is only a link to what the folder won't hold (a menu entry, a page in
# the home page's list) goes with it.
DEAD_ITEM = re.compile(
    r"<li\b[^>]*>\s*<a\b[^>]*data-not-exported=\"\"[^>]*>(?:(?!<li\b|</li>).)*</li>\s*",
    re.DOTALL,
)
CSS_URL = re.compile(r"url\(\s*(['\"]?)([^'\")]+)\1\s*\)")
# A file name segment made of a query value: what a file system and a URL both keep as is.
UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._,:=@+-]")
MAX_SEGMENT_BYTES = 200
# The host of Datasette's in-process client (datasette.app: DatasetteClient).
OWN_HOST = "localhost"


class StaticError(Exception):
    pass


@dataclass(frozen=True)
class Route:
    """Where a server address lives in the folder: `file` (relative to the folder's root)
    and `href` (how a link from the root spells it); `kind` says how it is made."""

    kind: str  # page | file | media | elsewhere (written by another step: search, database)
    file: str
    href: str
    fetch: str = ""  # the server address to render (pages and files)
    query: str = ""  # kept as is in the link (the search page's q)


def segment(name: str) -> str | None:
    """A decoded path segment as a file name, or None if it can't be one safely."""
    if name in ("", ".", "..") or "/" in name or "\\" in name or "\x00" in name:
        return None
    if len(name.encode()) > MAX_SEGMENT_BYTES:
        return None
    return name


def value_segment(key: str, value: str) -> str:
    return f"{key}-" + UNSAFE_NAME.sub(lambda m: "~" + m.group().encode().hex(), value)


def route(path: str, query: str, media_paths) -> Route | None:
    """The file of a server address (path and query), or None when a static host can't
    serve it. `media_paths(tweet_id, position)` gives a media file's path in the archive."""
    if path.startswith(PAGEFIND) and ".." not in path.split("/"):
        return Route("elsewhere", path.lstrip("/"), quote(path.lstrip("/")))
    if path == f"/{DB_FILE}":
        # Copied in whole after the pages (a download, and Datasette Lite's source).
        return Route("elsewhere", DB_FILE, DB_FILE)
    if FILE_PATHS.match(path) and ".." not in path.split("/"):
        return Route("file", path.lstrip("/"), path.lstrip("/"), fetch=path)
    if match := MEDIA_PATH.match(path):
        media = media_paths(int(match[1]), int(match[2]))
        if media is None:
            return None
        return Route("media", f"{MEDIA}/{media}", quote(f"{MEDIA}/{media}"))
    if not PAGE_PATHS.match(path):
        return None
    params = parse_qsl(query, keep_blank_values=True)
    if path == "/search":
        # One page: its script reads the query from the address.
        return Route("page", "search/index.html", "search/", fetch="/search", query=query)
    if any(key not in PAGE_KEYS or not value for key, value in params):
        return None
    if len({key for key, _ in params}) != len(params):
        return None
    names = []
    for part in path.strip("/").split("/"):
        name = segment(unquote(part)) if part else None
        if part and name is None:
            return None
        if name:
            names.append(name)
    names += [value_segment(key, value) for key, value in sorted(params)]
    folder = "/".join(names)
    href = "".join(quote(name, safe="") + "/" for name in names)
    fetch = path + ("?" + urlencode(sorted(params)) if params else "")
    return Route("page", f"{folder}/index.html" if folder else "index.html", href, fetch=fetch)


def compact(page: str) -> str:
    """The page without the templates' indentation and blank lines, a third of a tweet's
    page: tweet text breaks lines with <br>, so only a <pre> or <textarea> keeps its
    whitespace (and a page holding one is left as it is)."""
    if PRESERVED.search(page):
        return page
    return BLANK_LINES.sub("\n", page)


def is_own(parts) -> bool:
    """An absolute address of the site itself: Datasette writes some (the alternate JSON
    link) with the in-process client's host."""
    return parts.scheme == "http" and parts.netloc == OWN_HOST


def relative(href: str, page_file: str) -> str:
    """`href` (from the folder's root) as a link from the page written at `page_file`."""
    here = posixpath.dirname(page_file)
    depth = len(here.split("/")) if here else 0
    return ("../" * depth + href) or "./"


@dataclass
class Export:
    pages: int = 0
    files: int = 0
    media: int = 0
    missing: list = field(default_factory=list)
    search: dict = field(default_factory=dict)


class Exporter:
    def __init__(self, folder: Path, out: Path):
        self.folder = folder
        self.out = out
        self.ds = site.datasette(folder)
        # The site's address when it is known (--site-url), else the host's root.
        self.site_url = (site_config(folder).get("site_url") or "/").rstrip("/") + "/"
        conn = sqlite3.connect(f"file:{folder / DB_FILE}?mode=ro", uri=True)
        try:
            self.media = {
                (tweet_id, position): path
                for tweet_id, position, path in conn.execute(
                    "select tweet_id, position, path from media where path is not null"
                )
            }
            self.tweet_ids = [row[0] for row in conn.execute("select id from tweets order by id")]
            self.days = [row[0] for row in conn.execute(DAYS_WITH_TWEETS)]
        finally:
            conn.close()
        self.queue: deque[Route] = deque()
        self.seen: set[str] = set()
        self.redirects: dict[str, Route | None] = {}
        self.plugins_copied: set[str] = set()
        self.result = Export()

    def media_path(self, tweet_id: int, position: int) -> str | None:
        path = self.media.get((tweet_id, position))
        if path is None or ".." in path.split("/") or path.startswith("/") or "\\" in path:
            return None
        return path

    def enqueue(self, target: Route) -> None:
        if target.file in self.seen:
            return
        self.seen.add(target.file)
        self.queue.append(target)
        if target.kind == "file" and target.file.startswith(PLUGIN_FILES):
            self.enqueue_plugin_files(target.file.split("/")[2])

    def enqueue_plugin_files(self, name: str) -> None:
        """All of a plugin's static files once one is used: its scripts load others that no
        page names (Leaflet finds its marker images from its own address)."""
        if name in self.plugins_copied:
            return
        self.plugins_copied.add(name)
        folder = plugin_static_folders().get(name)
        if folder is None:
            return
        for path in sorted(Path(folder).rglob("*")):
            relative_path = path.relative_to(folder).as_posix()
            if path.is_file() and (
                target := route(f"/{PLUGIN_FILES}{name}/{relative_path}", "", self.media_path)
            ):
                self.enqueue(target)

    async def resolve(self, address: str, base: str) -> Route | None:
        """The route of a link found on the page at server address `base`."""
        parts = urlsplit(urljoin(base, address))
        if (parts.scheme or parts.netloc) and not is_own(parts):
            return None
        if REDIRECTS.match(parts.path):
            if parts.path not in self.redirects:
                response = await self.ds.client.get(parts.path)
                location = response.headers.get("location")
                self.redirects[parts.path] = None
                if response.status_code in (301, 302, 307, 308) and location:
                    moved = urlsplit(location)
                    if not moved.netloc:
                        self.redirects[parts.path] = route(moved.path, moved.query, self.media_path)
            return self.redirects[parts.path]
        return route(parts.path, parts.query, self.media_path)

    async def rewrite(self, text: str, base: str, page_file: str) -> str:
        """The page with every address made relative to `page_file`; links to what the
        folder won't hold lose their href (they read as text)."""

        async def replace(match: re.Match, attribute: str, quoted: str) -> str:
            address = html.unescape(quoted)
            if not address or address.startswith(("#", "mailto:", "data:", "javascript:")):
                return match.group(0)
            parts = urlsplit(address)
            if (parts.scheme or parts.netloc) and not is_own(parts):
                return match.group(0)
            target = await self.resolve(address, base)
            if target is None:
                return None
            if target.kind != "elsewhere":
                self.enqueue(target)
            link = relative(target.href, page_file)
            if target.query:
                link += "?" + target.query
            if parts.fragment:
                link += "#" + parts.fragment
            return f'{attribute}"{html.escape(link)}"'

        pieces, last = [], 0
        for match in ADDRESS.finditer(text):
            pieces.append(text[last : match.start()])
            new = await replace(match, match.group(1), match.group(2))
            if new is None:
                # Not in the folder: an <a> without href reads as text; other elements
                # keep the attribute out rather than point at nothing.
                new = ' data-not-exported=""'
            pieces.append(new)
            last = match.end()
        pieces.append(text[last:])
        text = DEAD_LINK.sub("", DEAD_ITEM.sub("", "".join(pieces)))
        # Scripts in the page name files too (datasette-leaflet's, the tweet map's import()).
        pieces, last = [], 0
        for match in SCRIPT_ASSET.finditer(text):
            target = route(match[2], "", self.media_path)
            if target is None:
                continue
            self.enqueue(target)
            pieces.append(text[last : match.start()])
            pieces.append(match[1] + relative(target.href, page_file) + match[1])
            last = match.end()
        pieces.append(text[last:])
        return "".join(pieces)

    async def write_page(self, target: Route) -> None:
        response = await self.ds.client.get(target.fetch)
        if response.status_code != 200:
            self.result.missing.append(f"{target.fetch} ({response.status_code})")
            return
        text = await self.rewrite(response.text, target.fetch, target.file)
        self.write(target.file, compact(text).encode())
        self.result.pages += 1

    async def write_file(self, target: Route) -> None:
        response = await self.ds.client.get(target.fetch)
        if response.status_code != 200:
            self.result.missing.append(f"{target.fetch} ({response.status_code})")
            return
        body = response.content
        if target.file.endswith(".css"):
            body = (await self.rewrite_css(body.decode(), target)).encode()
        elif target.file.endswith(".atom"):
            # A feed's own address and its entries' links are absolute in the feed: the
            # site's address when it is known (--site-url), else from the host's root.
            body = body.replace(f"http://{OWN_HOST}/".encode(), self.site_url.encode())
        self.write(target.file, body)
        self.result.files += 1

    async def rewrite_css(self, text: str, target: Route) -> str:
        pieces, last = [], 0
        for match in CSS_URL.finditer(text):
            pieces.append(text[last : match.start()])
            address = match.group(2)
            found = (
                None if address.startswith("data:") else await self.resolve(address, target.fetch)
            )
            if found is not None:
                self.enqueue(found)
                pieces.append(f'url("{relative(found.href, target.file)}")')
            else:
                pieces.append(match.group(0))
            last = match.end()
        pieces.append(text[last:])
        return "".join(pieces)

    def copy_media(self, target: Route) -> None:
        source = self.folder / target.file
        if not source.is_file():
            self.result.missing.append(target.file)
            return
        destination = self.out / target.file
        if destination.exists():
            return
        destination.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(source, destination)
        except OSError:
            shutil.copyfile(source, destination)
        self.result.media += 1

    def write(self, name: str, body: bytes) -> None:
        path = self.out / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(body)

    def tweet_page(self, tweet_id: int) -> Route:
        return route(f"/{TWEETS}{tweet_id}", "", self.media_path)

    async def run(self, rendered: list[Route] = ()) -> Export:
        """Crawl from the home page and every tweet, less the pages already `rendered`
        (by workers), from whose links the crawl goes on."""
        self.enqueue(route("/", "", self.media_path))
        for tweet_id in self.tweet_ids:
            self.enqueue(self.tweet_page(tweet_id))
        for month_day in self.days:
            self.enqueue(route("/on-this-day", f"date={month_day}", self.media_path))
        for target in rendered:
            self.enqueue(target)
        await self.drain()
        await self.write_not_found()
        return self.result

    async def render_only(self, tweet_ids: list[int]) -> list[Route]:
        """A worker's share: these tweets' pages, and what they link to, not rendered."""
        for tweet_id in tweet_ids:
            target = self.tweet_page(tweet_id)
            self.seen.add(target.file)
            await self.write_page(target)
        return list(self.queue)

    async def drain(self) -> None:
        while self.queue:
            target = self.queue.popleft()
            if target.kind == "page":
                await self.write_page(target)
            elif target.kind == "file":
                await self.write_file(target)
            elif target.kind == "media":
                self.copy_media(target)
        await self.write_not_found()
        return self.result

    async def write_not_found(self) -> None:
        """404.html: static hosts answer it for any missing address, at any depth, so its
        links start from the site's address (`site_url`), or from the host's root."""
        response = await self.ds.client.get("/archive/tweets/0")
        text = await self.rewrite(response.text, "/archive/tweets/0", "404.html")
        text = text.replace("<head>", f'<head>\n<base href="{html.escape(self.site_url)}">', 1)
        self.write("404.html", text.encode())


def plugin_static_folders() -> dict[str, str]:
    """Each installed Datasette plugin's static folder, by the names of its address
    (datasette.app serves it under its name and with underscores for hyphens)."""
    from datasette.plugins import get_plugins

    folders = {}
    for plugin in get_plugins():
        if plugin.get("static_path"):
            folders[plugin["name"]] = plugin["static_path"]
            folders[plugin["name"].replace("-", "_")] = plugin["static_path"]
    return folders


def site_config(folder: Path) -> dict:
    metadata = json.loads((folder / site.METADATA_FILE).read_text())
    return (metadata.get("plugins") or {}).get("tweet-archive") or {}


def render_share(folder: Path, out: Path, tweet_ids: list[int]) -> tuple[list[Route], Export]:
    """A worker process: render these tweets' pages with a Datasette of its own."""
    exporter = Exporter(folder, out)
    found = asyncio.run(exporter.render_only(tweet_ids))
    return found, exporter.result


def export(folder: Path, out: Path, workers: int | None = None) -> Export:
    """Render the site in `folder` (a published site folder) into `out`, with the
    published database beside the pages as a download. The tweets' pages, most of the
    work, are shared among `workers` processes (one a core) on a large archive."""
    exporter = Exporter(folder, out)
    workers = workers or min(os.cpu_count() or 1, MAX_WORKERS)
    rendered: list[Route] = []
    if workers > 1 and len(exporter.tweet_ids) >= PARALLEL_FROM:
        ids = exporter.tweet_ids
        shares = [ids[i::workers] for i in range(workers)]
        # spawn: a forked child would inherit this process's Datasette threads mid-flight.
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(workers, mp_context=context) as pool:
            for found, part in pool.map(render_share, repeat(folder), repeat(out), shares):
                rendered.extend(found)
                exporter.result.pages += part.pages
                exporter.result.missing.extend(part.missing)
        for tweet_id in ids:
            exporter.seen.add(exporter.tweet_page(tweet_id).file)
    result = site.run_apart(exporter.run(rendered))
    shutil.copyfile(folder / DB_FILE, out / DB_FILE)
    result.search = write_search_index(out / DB_FILE, out, lambda tweet_id: f"{TWEETS}{tweet_id}/")
    # GitHub Pages runs Jekyll unless told not to, which would leave out `-/` and `_` files.
    (out / ".nojekyll").write_text("")
    # Cloudflare Pages and Netlify read response headers from `_headers`: Datasette Lite, on
    # another origin, may fetch the database (GitHub Pages sends the header for every file).
    (out / "_headers").write_text(f"/{DB_FILE}\n  Access-Control-Allow-Origin: *\n")
    return result
