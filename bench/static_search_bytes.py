"""The bytes one search of a static copy transfers (issue 17: Pagefind's own claim is under
300 kB on a 10,000-page site).

    .venv/bin/python bench/static_search_bytes.py FOLDER "query" ["another query" ...]
    .venv/bin/python bench/static_search_bytes.py FOLDER "the" --sort newest --more 2

FOLDER is a `publish --target static` folder (search/index.html and pagefind/). It is served
by a plain file server on 127.0.0.1 and each query opened in a fresh headless Chromium
(Debian's, or $CHROMIUM), with an empty cache, as FOLDER/search/?q=...; the search is done
when the page's summary is written. The file server counts the bytes of every file it sends
(it compresses nothing; Pagefind's files are gzipped already; what the browser had cached it
doesn't ask again), split into the page (its HTML, CSS and scripts) and the search
(everything under pagefind/): the search part is what a search costs on top of opening any
page of the site. `--more N` also clicks "More results" N times (each adds its requests to
the search). Seconds are from opening the page to the first results shown (the first page
only, not the clicks).
"""

from __future__ import annotations

import argparse
import functools
import http.server
import os
import sys
import threading
import time
from pathlib import Path
from urllib.parse import quote, urlsplit

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
DONE = ".search-summary:not(:empty):not(:has-text('Searching'))"


SENT: list[tuple[str, int]] = []


class Counting(http.server.SimpleHTTPRequestHandler):
    """A plain file server noting the bytes of each file it sends."""

    def copyfile(self, source, outputfile):
        data = source.read()
        outputfile.write(data)
        SENT.append((urlsplit(self.path).path, len(data)))

    def log_message(self, *args):
        pass


def serve(folder: Path) -> http.server.ThreadingHTTPServer:
    handler = functools.partial(Counting, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def measure(browser, base: str, query: str, sort: str, more: int) -> dict:
    """{"page": bytes, "search": bytes, "requests": n, "files": {path: bytes}, "summary"}."""
    context = browser.new_context()
    SENT.clear()
    try:
        page = context.new_page()
        address = f"{base}search/?q={quote(query)}" + (f"&sort={sort}" if sort else "")
        started = time.perf_counter()
        page.goto(address)
        page.wait_for_selector(DONE, timeout=120_000)
        seconds = time.perf_counter() - started
        for _ in range(more):
            if not page.is_visible(".search-more"):
                break
            shown = page.locator(".search-results > li").count()
            page.click(".search-more")
            page.locator(".search-results > li").nth(shown).wait_for(timeout=120_000)
        page.wait_for_load_state("networkidle")
        summary = page.inner_text(".search-summary")
        cards = page.locator(".search-results > li").count()
        files = {}
        for path, size in SENT:
            files[path] = files.get(path, 0) + size
    finally:
        context.close()
    search = {path: size for path, size in files.items() if "/pagefind/" in path}
    return {
        "page": sum(files.values()) - sum(search.values()),
        "search": sum(search.values()),
        "requests": len(SENT),
        "search_requests": sum(1 for path, _ in SENT if "/pagefind/" in path),
        "files": files,
        "summary": summary,
        "cards": cards,
        "seconds": seconds,
    }


def kinds(files: dict) -> dict:
    """The search's files and bytes by kind of Pagefind file."""
    groups: dict[str, list[int]] = {}
    for path, size in files.items():
        if "/pagefind/" not in path:
            continue
        name = path.rsplit("/pagefind/", 1)[1]
        kind = name.split("/")[0] if "/" in name else name.rsplit(".", 1)[-1]
        if name in ("pagefind.js", "pagefind-worker.js", "tweets.json"):
            kind = name
        elif name.startswith("pagefind-entry.json"):
            kind = "pagefind-entry.json"
        group = groups.setdefault(kind, [0, 0])
        group[0] += 1
        group[1] += size
    return groups


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("queries", nargs="+")
    parser.add_argument("--sort", choices=["relevance", "newest"], default="")
    parser.add_argument("--more", type=int, default=0, help='click "More results" N times')
    args = parser.parse_args(argv)
    if not (args.folder / "search" / "index.html").is_file():
        print(f"{args.folder} has no search/index.html", file=sys.stderr)
        return 2
    if not (args.folder / "pagefind" / "pagefind.js").is_file():
        print(f"{args.folder} has no pagefind/ search index", file=sys.stderr)
        return 2
    from playwright.sync_api import sync_playwright

    server = serve(args.folder)
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM))
            try:
                print("| query | search kB | requests | page kB | cards | seconds | summary |")
                print("|---|---:|---:|---:|---:|---:|---|")
                details = []
                for query in args.queries:
                    result = measure(browser, base, query, args.sort, args.more)
                    details.append((query, result))
                    print(
                        f"| {query} | {result['search'] / 1000:,.1f} | "
                        f"{result['search_requests']} | {result['page'] / 1000:,.1f} | "
                        f"{result['cards']} | {result['seconds']:.1f} | {result['summary']} |"
                    )
                for query, result in details:
                    print(f"\n{query}: the search's files")
                    for kind, (count, size) in sorted(kinds(result["files"]).items()):
                        print(f"  {kind:24} {count:4} files {size / 1000:9,.1f} kB")
            finally:
                browser.close()
    finally:
        server.shutdown()
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
