import re
import urllib.parse

from datasette import hookimpl

from tweet_site.config import DEFAULT_TILES, archive_database, config

# Datasette 0.65's own templates, datasette-cluster-map and this site's pages write inline
# <script> blocks and style attributes: the policy can't forbid those, but it pins every load
# to this site (plus the map tiles and the media host), forbids plugins, <base> and framing,
# and keeps forms and fetches at home.
PAGE_POLICY = (
    "default-src 'self'",
    "script-src 'self' 'unsafe-inline'{eval}",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob: {tiles} {media}",
    "media-src 'self' {media}",
    "connect-src 'self'",
    "font-src 'self' data:",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
)
# JSON, CSV, feeds, scripts: nothing in them may run or be framed if a browser renders them
# (inline styles and data: images: Chromium's own viewer for an XML feed).
OTHER_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'"
)
# Vega compiles chart expressions with new Function(): only the dashboards, which draw their
# charts with it, may eval (home draws its own without a script).
CHART_PAGES = re.compile(r"^/-/dashboards(/.*)?$")
ALWAYS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    # What Datasette's own table, row and query pages already send.
    (b"referrer-policy", b"no-referrer"),
]


def origin(url):
    """'https://{s}.tile.example.org/{z}/{x}/{y}.png' -> 'https://*.tile.example.org'."""
    parts = urllib.parse.urlsplit(re.sub(r"\{[^}]*\}", "*", url or ""))
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    host = re.sub(r"^[^.]*\*[^.]*\.", "*.", parts.netloc)
    if "*" in host[1:]:
        return None
    return f"{parts.scheme}://{host}"


def tile_origins(datasette):
    """The hosts of metadata.yml's `datasette-cluster-map: tile_layer` (else of cluster-map's
    default), and of the archive database's own when it names one."""
    site = datasette.plugin_config("datasette-cluster-map") or {}
    archive = datasette.plugin_config("datasette-cluster-map", archive_database(datasette)) or {}
    found = []
    for tiles in (site.get("tile_layer") or DEFAULT_TILES, archive.get("tile_layer")):
        host = origin(tiles) if tiles else None
        if host and host not in found:
            found.append(host)
    return found


def page_policy(datasette, path):
    media = config(datasette).get("media_url")
    policy = "; ".join(PAGE_POLICY).format(
        tiles=" ".join(tile_origins(datasette)),
        media=origin(media) or "",
        eval=" 'unsafe-eval'" if CHART_PAGES.match(path) else "",
    )
    return re.sub(r" +(;|$)", r"\1", policy)


def with_security_headers(headers, page_csp):
    names = {name.lower() for name, _ in headers}
    added = [header for header in ALWAYS if header[0] not in names]
    if b"content-security-policy" not in names:
        # The media route sets its own sandbox policy; everything else gets one here.
        kind = dict((n.lower(), v) for n, v in headers).get(b"content-type", b"")
        policy = page_csp if kind.startswith(b"text/html") else OTHER_POLICY
        added.append((b"content-security-policy", policy.encode()))
    return [*headers, *added]


@hookimpl
def asgi_wrapper(datasette):
    def wrap(app):
        async def add_headers(scope, receive, send):
            if scope.get("type") != "http":
                await app(scope, receive, send)
                return
            path, base = scope.get("path", ""), datasette.setting("base_url").rstrip("/")
            if base and path.startswith(base + "/"):
                path = path[len(base) :]
            page_csp = page_policy(datasette, path)

            async def wrapped_send(message):
                if message["type"] == "http.response.start":
                    headers = with_security_headers(list(message.get("headers") or []), page_csp)
                    message = {**message, "headers": headers}
                await send(message)

            await app(scope, receive, wrapped_send)

        return add_headers

    return wrap
