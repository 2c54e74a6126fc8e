"""The reader's CSS and scripts at /static/, and how every site file reaches a browser: with
its content's hash in the address, cached for a year, compressed.

/static/ is served from the package's own static/ folder. Datasette also serves a registered
package's static/ at /-/static-plugins/tweet_site/, but robots.txt keeps crawlers out of /-/,
and a search engine should see the pages styled. The address is the same whether the package
is installed editable or from a wheel.

Pages name site files as templates write them (`/static/reader.css`); on the way out each
such src or href gets `?v=` and the first 16 hex digits of the file's SHA-256, and a request
carrying the current hash is answered `immutable`, cached for a year: a changed file has a
new address, so nothing stale is ever used. Without it (an address a script builds) a file
is cached for five minutes. Text answers (pages, CSS, scripts, JSON, feeds) are gzipped
(asgi-gzip) for clients that accept it; media, CSV streams and ranges go as they are.
A static export (hooks/static_mode.py) is left alone: it writes plain files, whose host
decides their caching (etl/static_site.py drops a file address's query)."""

import hashlib
import re
from importlib.resources import files
from pathlib import Path
from urllib.parse import parse_qs

import datasette as datasette_package
from asgi_gzip import GZipResponder, IdentityResponder
from datasette import hookimpl
from datasette.utils.asgi import asgi_static

from tweet_site.config import static_site

STATIC = files("tweet_site") / "static"
DATASETTE_STATIC = Path(datasette_package.__file__).parent / "static"
IMMUTABLE = b"public, max-age=31536000, immutable"
SHORT = b"public, max-age=300"
# Where site files live, below the base URL: the reader's, Datasette's and its plugins'.
FILE_PREFIXES = ("static/", "-/static/", "-/static-plugins/")
# A file's address in an element's src or href, an earlier query (app.css's hash) included.
FILE_ADDRESS = (
    rb'(\s(?:href|src)=")%s'
    rb'((?:static|-/static|-/static-plugins)/[A-Za-z0-9_./-]{1,300})(?:\?[^"]*)?"'
)
COMPRESSIBLE = {
    b"text/html",
    b"text/css",
    b"text/javascript",
    b"application/javascript",
    b"application/json",
    b"application/xml",
    b"application/atom+xml",
    b"image/svg+xml",
}
# gzip's own default: a tenth of level 9's CPU for all but a few percent of its saving.
LEVEL = 6
# Smaller answers gain less than the header costs.
MINIMUM_SIZE = 500


class Fingerprints:
    """The hash of each site file a page names, read once (the files ship with the
    installed packages and don't change while the server runs)."""

    def __init__(self):
        self.hashes = {}
        self.roots = None

    def folders(self):
        if self.roots is None:
            # Imported here: datasette.plugins is importing this package when it loads.
            from datasette.plugins import get_plugins

            self.roots = {"static": Path(str(STATIC)), "-/static": DATASETTE_STATIC}
            for plugin in get_plugins():
                if plugin.get("static_path"):
                    for name in {plugin["name"], plugin["name"].replace("-", "_")}:
                        self.roots[f"-/static-plugins/{name}"] = Path(plugin["static_path"])
        return self.roots

    def of(self, address: str) -> str | None:
        """'static/reader.css' -> its hash; None for what isn't a site file (not kept: any
        request could name one)."""
        if address not in self.hashes:
            digest = self.read(address)
            if digest is None:
                return None
            self.hashes[address] = digest
        return self.hashes[address]

    def read(self, address: str) -> str | None:
        for prefix, root in self.folders().items():
            if address.startswith(prefix + "/"):
                try:
                    path = (root / address[len(prefix) + 1 :]).resolve()
                    path.relative_to(root.resolve())
                    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]
                except (OSError, ValueError):
                    return None
        return None


def fingerprinted(page: bytes, base: str, prints: Fingerprints) -> bytes:
    def add_hash(match):
        address = match[2].decode()
        digest = prints.of(address)
        if digest is None:
            return match[0]
        return match[1] + f"{base}{address}?v={digest}".encode() + b'"'

    pattern = re.compile(FILE_ADDRESS % re.escape(base.encode()))
    return pattern.sub(add_hash, page)


class TextOnly:
    """asgi-gzip's responders, for text answers only: anything else goes out untouched."""

    async def send_with_compression(self, message):
        await super().send_with_compression(message)
        if message["type"] == "http.response.start":
            headers = {name.lower(): value for name, value in message.get("headers") or []}
            kind = headers.get(b"content-type", b"").split(b";")[0].strip().lower()
            if kind not in COMPRESSIBLE or b"content-range" in headers:
                self.content_type_is_excluded = True


class TextGZipResponder(TextOnly, GZipResponder):
    pass


class TextIdentityResponder(TextOnly, IdentityResponder):
    pass


def header(headers, name: bytes) -> bytes:
    return next((value for key, value in headers if key.lower() == name), b"")


@hookimpl
def register_routes():
    return [(r"^/static/(?P<path>.*)$", asgi_static(STATIC))]


# trylast: the outermost wrapper, so it compresses what every other one has sent.
@hookimpl(trylast=True)
def asgi_wrapper(datasette):
    prints = Fingerprints()

    def wrap(app):
        async def pages_with_hashes(scope, receive, send):
            base = datasette.setting("base_url")
            path = scope.get("path", "")
            address = path[len(base) :] if path.startswith(base) else None
            query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
            page = {}

            async def send_rewritten(message):
                if message["type"] == "http.response.start":
                    headers = list(message.get("headers") or [])
                    if address and address.startswith(FILE_PREFIXES):
                        if message.get("status") == 200 and not header(headers, b"cache-control"):
                            current = prints.of(address)
                            fresh = current is not None and query.get("v") == [current]
                            headers.append((b"cache-control", IMMUTABLE if fresh else SHORT))
                        await send({**message, "headers": headers})
                    elif header(headers, b"content-type").startswith(b"text/html"):
                        page.update(start={**message, "headers": headers}, body=[])
                    else:
                        await send(message)
                    return
                if message["type"] != "http.response.body" or "start" not in page:
                    await send(message)
                    return
                page["body"].append(message.get("body", b""))
                if message.get("more_body"):
                    return
                body = fingerprinted(b"".join(page["body"]), base, prints)
                start = page["start"]
                headers = [(k, v) for k, v in start["headers"] if k.lower() != b"content-length"]
                headers.append((b"content-length", str(len(body)).encode()))
                await send({**start, "headers": headers})
                await send({"type": "http.response.body", "body": body})

            await app(scope, receive, send_rewritten)

        async def served(scope, receive, send):
            if scope.get("type") != "http" or static_site(datasette):
                await app(scope, receive, send)
                return
            if b"gzip" in header(scope.get("headers") or [], b"accept-encoding"):
                responder = TextGZipResponder(pages_with_hashes, MINIMUM_SIZE, LEVEL)
            else:
                # Not compressed, but said to vary with the header, for caches in between.
                responder = TextIdentityResponder(pages_with_hashes, MINIMUM_SIZE)
            await responder(scope, receive, send)

        return served

    return wrap
