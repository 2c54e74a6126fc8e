import os
import posixpath
import re
import sys
import zipfile
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote, unquote

from datasette import NotFound, Response, hookimpl

# The helpers plugin files share sit beside them, in archive_site/ (see its __init__.py).
if (_folder := os.path.dirname(os.path.abspath(__file__))) not in sys.path:
    sys.path.insert(0, _folder)
from archive_site.config import archive_or_404, config

ENV_ROOT = "TWEET_ARCHIVE_MEDIA_ROOT"
CHUNK = 256 * 1024
# Only types a browser shows inline without running anything; the rest are downloads.
INLINE_TYPES = {
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".mp4": "video/mp4",
    ".m4v": "video/mp4",
    ".mov": "video/quicktime",
    ".webm": "video/webm",
}
RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
# The largest id SQLite can bind: a bigger one would raise OverflowError (a 500).
MAX_ID = 2**63 - 1
# Cloud targets ship the media folder as the static mount `media` (their only way to put a
# folder into the image); the files are served by /-/media alone, never as raw static files.
MEDIA_MOUNT = "media"


def media_roots(datasette):
    """Folders (or zip files) media paths are relative to, from the environment or metadata."""
    configured = os.environ.get(ENV_ROOT) or config(datasette).get("media_root")
    if not configured:
        return []
    if isinstance(configured, str):
        configured = configured.split(os.pathsep)
    roots = [Path(root).expanduser() for root in configured if root]
    # In a `datasette serve DIR` bundle a relative root means a folder of DIR.
    base = getattr(datasette, "config_dir", None)
    return [base / root if base and not root.is_absolute() else root for root in roots]


def safe_relative(path):
    """The archive-relative path as parts, or None for anything that could leave the root."""
    if not path or "\\" in path or "\x00" in path or path.startswith("/"):
        return None
    parts = path.split("/")
    if any(part in ("", ".", "..") for part in parts) or re.match(r"^[A-Za-z]:", path):
        return None
    return parts


def content_type(path):
    return INLINE_TYPES.get(posixpath.splitext(path)[1].lower())


class FileResponse:
    """Streams a file (or a zip member) with caching headers and single-range support."""

    def __init__(self, opener, size, mtime, path, request):
        self.opener, self.size, self.path, self.request = opener, size, path, request
        self.etag = f'"{size:x}-{int(mtime):x}"'

    def headers(self):
        kind = content_type(self.path)
        headers = [
            (b"cache-control", b"public, max-age=604800"),
            (b"etag", self.etag.encode()),
            (b"accept-ranges", b"bytes"),
            (b"x-content-type-options", b"nosniff"),
            (b"content-security-policy", b"default-src 'none'; sandbox"),
            (b"content-type", (kind or "application/octet-stream").encode()),
        ]
        if not kind:
            name = posixpath.basename(self.path).encode("ascii", "replace").replace(b'"', b"")
            headers.append((b"content-disposition", b'attachment; filename="' + name + b'"'))
        return headers

    def byte_range(self):
        match = RANGE.match(self.request.headers.get("range", ""))
        if not match or not self.size or (not match[1] and not match[2]):
            return None
        if match[1]:
            start = int(match[1])
            end = min(int(match[2]), self.size - 1) if match[2] else self.size - 1
        else:
            start, end = max(self.size - int(match[2]), 0), self.size - 1
        if start > end or start >= self.size:
            return "unsatisfiable"
        return start, end

    async def asgi_send(self, send):
        headers = self.headers()
        if self.request.headers.get("if-none-match") == self.etag:
            await send({"type": "http.response.start", "status": 304, "headers": headers})
            await send({"type": "http.response.body", "body": b""})
            return
        span = self.byte_range()
        if span == "unsatisfiable":
            headers.append((b"content-range", f"bytes */{self.size}".encode()))
            await send({"type": "http.response.start", "status": 416, "headers": headers})
            await send({"type": "http.response.body", "body": b""})
            return
        status, (start, end) = (206, span) if span else (200, (0, self.size - 1))
        if span:
            headers.append((b"content-range", f"bytes {start}-{end}/{self.size}".encode()))
        headers.append((b"content-length", str(end - start + 1).encode()))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        with self.opener() as f:
            if start:
                f.seek(start)
            remaining = end - start + 1
            while remaining > 0:
                chunk = f.read(min(CHUNK, remaining))
                if not chunk:
                    break
                remaining -= len(chunk)
                await send(
                    {"type": "http.response.body", "body": chunk, "more_body": remaining > 0}
                )
        if remaining > 0:
            await send({"type": "http.response.body", "body": b""})


def find_file(root, parts, request):
    relative = "/".join(parts)
    if root.is_file() and zipfile.is_zipfile(root):
        with zipfile.ZipFile(root) as archive:
            try:
                info = archive.getinfo(relative)
            except KeyError:
                return None
        if info.is_dir():
            return None

        @contextmanager
        def open_member():
            with zipfile.ZipFile(root) as archive, archive.open(info) as member:
                yield member

        return FileResponse(open_member, info.file_size, root.stat().st_mtime, relative, request)
    base = root.resolve()
    candidate = base.joinpath(*parts)
    try:
        resolved = candidate.resolve(strict=True)
    except (OSError, RuntimeError):
        return None
    # resolve() follows symlinks: a link pointing out of the media root is refused.
    if not resolved.is_relative_to(base) or not resolved.is_file():
        return None
    stat = resolved.stat()
    return FileResponse(
        lambda: open(resolved, "rb"), stat.st_size, stat.st_mtime, relative, request
    )


async def serve_media(datasette, request):
    tweet_id, position = int(request.url_vars["tweet_id"]), int(request.url_vars["position"])
    if tweet_id > MAX_ID:
        raise NotFound("No such media file")
    db = archive_or_404(datasette)
    rows = (
        await db.execute(
            "select path from media where tweet_id = ? and position = ?", [tweet_id, position]
        )
    ).rows
    parts = safe_relative(rows[0]["path"]) if rows else None
    if parts is None:
        raise NotFound("No such media file")
    remote = config(datasette).get("media_url") or ""
    if remote.startswith(("https://", "http://")):
        # Media kept in a bucket or CDN, laid out like the archive (make publish TARGET=dir).
        location = remote.rstrip("/") + "/" + "/".join(quote(part) for part in parts)
        return Response.redirect(location, status=302)
    roots = media_roots(datasette)
    if not roots:
        sources = await db.execute(
            "select location from sources where id in "
            "(select source_id from tweet_sources where tweet_id = ?)",
            [tweet_id],
        )
        roots = [Path(row["location"]) for row in sources.rows if row["location"]]
    for root in roots:
        response = find_file(root, parts, request)
        if response:
            return response
    raise NotFound("Media file not found in the archive folder")


@hookimpl
def register_routes():
    return [(r"^/-/media/(?P<tweet_id>[0-9]{1,20})/(?P<position>[0-9]{1,4})$", serve_media)]


def media_mounts(datasette):
    """Static mounts that would serve media files raw: named `media`, or a media root."""
    roots = set()
    for root in media_roots(datasette):
        try:
            roots.add(root.resolve())
        except (OSError, RuntimeError):
            pass
    mounts = {MEDIA_MOUNT}
    for mount, directory in getattr(datasette, "static_mounts", None) or []:
        try:
            if Path(directory).resolve() in roots:
                mounts.add(mount)
        except (OSError, RuntimeError):
            pass
    return mounts


def first_segment(path):
    """The mount a path would be served from: `/media/...` is under `media`, but `/media`
    alone is no file of it (it is the media grid, plugins/reader_media.py)."""
    path = unquote(path).partition("?")[0]
    parts = path.split("/")
    return parts[1] if path.startswith("/") and len(parts) > 2 else ""


def raw_media_request(datasette, scope):
    """Would a static mount answer this request with a file of the media folder, raw?"""
    raw = (scope.get("raw_path") or b"").decode("latin-1")
    segments = {first_segment(scope.get("path", "")), first_segment(raw)}
    names = {MEDIA_MOUNT, *(m for m, _ in getattr(datasette, "static_mounts", None) or [])}
    # Checked first so that ordinary pages cost no filesystem lookups.
    return bool(segments & names) and bool(segments & media_mounts(datasette))


@hookimpl
def asgi_wrapper(datasette):
    def wrap(app):
        async def refuse_raw_media(scope, receive, send):
            if scope.get("type") == "http" and raw_media_request(datasette, scope):
                headers = [
                    (b"content-type", b"text/plain; charset=utf-8"),
                    (b"x-content-type-options", b"nosniff"),
                    (b"content-security-policy", b"default-src 'none'; sandbox"),
                ]
                await send({"type": "http.response.start", "status": 404, "headers": headers})
                await send({"type": "http.response.body", "body": b"Not found"})
                return
            await app(scope, receive, send)

        return refuse_raw_media

    return wrap
