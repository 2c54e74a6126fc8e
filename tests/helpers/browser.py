"""Driving headless Chromium (the `browser` fixture of conftest.py) against a served site."""

import contextlib
import functools
import http.server
import os
import threading
from pathlib import Path

from .paths import ROOT

# The browser tests' Chromium: Debian's unless $CHROMIUM names another.
CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
SCREENSHOTS = ROOT / "build" / "screenshots"


def offline_context(browser, base: str, **options):
    """A browser context (Playwright's new_context options) whose requests anywhere but the
    site under test (map tiles) get an empty 204, so tests never reach the internet, and which
    reports Content-Security-Policy violations as console errors naming the directive."""
    context = browser.new_context(**options)
    context.route(
        "**/*",
        lambda route: (
            route.continue_()
            if route.request.url.startswith(base)
            else route.fulfill(status=204, body="")
        ),
    )
    context.add_init_script(
        "document.addEventListener('securitypolicyviolation', e => console.error("
        "'CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI))"
    )
    return context


# The two screens every page is looked at on: a phone and a desktop.
SIZES = {"phone": (390, 844), "desktop": (1280, 900)}


class Visit:
    """A browser page that records console errors, page errors and dialogs."""

    def __init__(self, browser, base, size=(1200, 900), scheme="light"):
        self.base = base
        self.context = offline_context(
            browser, base, viewport={"width": size[0], "height": size[1]}, color_scheme=scheme
        )
        self.page = self.context.new_page()
        self.errors, self.dialogs = [], []
        self.page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))

    def open(self, path):
        response = self.page.goto(self.base + path)
        assert response.status == 200, path
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"], path
        self.page.wait_for_load_state("networkidle")
        return self.page

    def screenshot(self, name):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)

    def close(self):
        self.context.close()
        assert (self.errors, self.dialogs) == ([], [])


@contextlib.contextmanager
def screens(browser, base: str):
    """screen(size, scheme="light", site=None): a Visit of `site` (else `base`) on a SIZES
    screen in a colour scheme, made when first asked for and kept for the next test; all are
    closed at the end (their errors are the tests' to check)."""
    made: dict[tuple, Visit] = {}

    def screen(size, scheme="light", site=None):
        key = (site or base, size, scheme)
        if key not in made:
            made[key] = Visit(browser, key[0], SIZES[size], scheme)
        return made[key]

    try:
        yield screen
    finally:
        for visit in made.values():
            visit.context.close()


class _QuietFiles(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@contextlib.contextmanager
def file_server(root: Path):
    """`root` served as a static host serves a folder (Python's plain file server, on
    127.0.0.1): yields its address, `http://127.0.0.1:PORT`, without a slash."""
    handler = functools.partial(_QuietFiles, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
