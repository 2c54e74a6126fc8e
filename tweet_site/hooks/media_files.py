import asyncio
import os
import posixpath
import re
import stat
import struct
import threading
import zipfile
import zlib
from collections import OrderedDict
from pathlib import Path
from urllib.parse import quote, unquote

from datasette import NotFound, Response, hookimpl

from tweet_site.config import archive_or_404, config
from tweet_site.core import mime_type
from tweet_site.ids import parse_id

ENV_ROOT = "TWEET_ARCHIVE_MEDIA_ROOT"
# What one worker thread reads (or inflates) at a time: a large video holds no thread and no
# more memory than this between two of its chunks.
CHUNK = 256 * 1024
# (19 digits at most: int() of thousands of them would fail, and no file is that large.)
RANGE = re.compile(r"bytes=([0-9]{0,19})-([0-9]{0,19})")
# Cloud targets ship the media folder as the static mount `media` (their only way to put a
# folder into the image); the files are served by /-/media alone, never as raw static files.
MEDIA_MOUNT = "media"
# A zip's central directory is read once (0.5 s for 100,000 members) and its index kept, for
# this many zips; a replaced zip (another size, time or inode) is read again.
MAX_ZIPS = 8
LOCAL_HEADER = struct.Struct("<4s22xHH")


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


class Span:
    """`length` bytes of an open file from where it stands: a file, or a zip member stored
    as it is."""

    def __init__(self, file, length):
        self.file, self.left = file, length

    def read(self, size):
        data = self.file.read(min(size, self.left))
        self.left -= len(data)
        return data

    def skip(self, size):
        size = min(size, self.left)
        self.file.seek(size, os.SEEK_CUR)
        self.left -= size
        return size

    def close(self):
        self.file.close()


class Inflated(Span):
    """A zip member compressed with Deflate, inflated as it is read and never more than
    asked for at once (a zip bomb costs time, not memory)."""

    def __init__(self, file, length):
        super().__init__(file, length)
        self.inflater, self.tail = zlib.decompressobj(-zlib.MAX_WBITS), b""

    def read(self, size):
        out = []
        while size > 0 and not self.inflater.eof:
            if not self.tail:
                self.tail = super().read(CHUNK)
                if not self.tail:
                    break
            data = self.inflater.decompress(self.tail, size)
            self.tail = self.inflater.unconsumed_tail
            out.append(data)
            size -= len(data)
        return b"".join(out)

    def skip(self, size):
        # One chunk at a time: skipping into a video means inflating all of it before.
        return len(self.read(min(size, CHUNK)))


class ZipIndex:
    """Where each member of a zip is: its central directory read once. Members are read
    through a file handle of their own (no shared state between requests); only stored
    and Deflate ones, unencrypted, as the build reads them."""

    def __init__(self, path, signature):
        self.path, self.signature, self.members = path, signature, {}
        try:
            with zipfile.ZipFile(path) as archive:
                infos = archive.infolist()
        except (zipfile.BadZipFile, OSError, ValueError, EOFError):
            return  # not a zip (or a broken one): nothing in it is served
        for info in infos:
            if info.is_dir() or info.flag_bits & 0x1:
                continue
            if info.compress_type in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                self.members[info.orig_filename] = (
                    info.header_offset,
                    info.compress_size,
                    info.file_size,
                    info.compress_type,
                )

    def opener(self, name):
        offset, compressed, _, method = self.members[name]

        def open_member():
            file = open(self.path, "rb")
            try:
                file.seek(offset)
                header = file.read(LOCAL_HEADER.size)
                if len(header) < LOCAL_HEADER.size:
                    raise zipfile.BadZipFile("truncated local header")
                magic, name_length, extra_length = LOCAL_HEADER.unpack(header)
                if magic != b"PK\x03\x04":
                    raise zipfile.BadZipFile("bad local header")
                file.seek(name_length + extra_length, os.SEEK_CUR)
            except BaseException:
                file.close()
                raise
            return (Inflated if method == zipfile.ZIP_DEFLATED else Span)(file, compressed)

        return open_member


_zips = OrderedDict()
_zips_lock = threading.Lock()
# Held while a central directory is read: requests arriving meanwhile wait for that index
# rather than read it too.
_reading = threading.Lock()


def cached_index(key, signature):
    with _zips_lock:
        index = _zips.get(key)
        if index is None or index.signature != signature:
            return None
        _zips.move_to_end(key)
        return index


def zip_index(path, status):
    """The index of the zip at `path` (`status`: its stat), read once while it is unchanged."""
    key, signature = str(path), (status.st_ino, status.st_size, status.st_mtime_ns)
    index = cached_index(key, signature)
    if index is None:
        with _reading:
            # (Another request may have read it while this one waited.)
            index = cached_index(key, signature) or ZipIndex(path, signature)
            with _zips_lock:
                _zips[key] = index
                _zips.move_to_end(key)
                while len(_zips) > MAX_ZIPS:
                    _zips.popitem(last=False)
    return index


class FileResponse:
    """Streams a file (or a zip member) with caching headers and single-range support; every
    read runs in a worker thread, one chunk at a time."""

    def __init__(self, opener, size, mtime, path, request):
        self.opener, self.size, self.path, self.request = opener, size, path, request
        self.etag = f'"{size:x}-{int(mtime):x}"'

    def headers(self):
        # What the build takes for media (tweet_site/core.py) is shown inline; any other file
        # (named by an older build's row) is a download.
        kind = mime_type(self.path)
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
        match = RANGE.fullmatch(self.request.headers.get("range", ""))
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
        try:
            reader = await asyncio.to_thread(self.opener)
        except (OSError, zipfile.BadZipFile):
            # Gone or damaged since it was found: nothing has been sent yet.
            await Response.text("Media file not found", status=404).asgi_send(send)
            return
        try:
            skipped = 0
            while skipped < start:
                moved = await asyncio.to_thread(reader.skip, start - skipped)
                if not moved:
                    break
                skipped += moved
            if span:
                headers.append((b"content-range", f"bytes {start}-{end}/{self.size}".encode()))
            headers.append((b"content-length", str(end - start + 1).encode()))
            await send({"type": "http.response.start", "status": status, "headers": headers})
            remaining, more = end - start + 1, True
            while remaining > 0:
                chunk = await asyncio.to_thread(reader.read, min(CHUNK, remaining))
                if not chunk:
                    break
                remaining -= len(chunk)
                more = remaining > 0
                await send({"type": "http.response.body", "body": chunk, "more_body": more})
            if more:
                await send({"type": "http.response.body", "body": b""})
        finally:
            await asyncio.to_thread(reader.close)


def find_file(root, parts):
    """(opener, size, mtime) of the file at `parts` under `root`, a folder or a zip, or None.
    It touches the disk: called in a worker thread."""
    relative = "/".join(parts)
    try:
        status = root.stat()
    except (OSError, ValueError):
        return None
    if stat.S_ISREG(status.st_mode):
        index = zip_index(root, status)
        if relative not in index.members:
            return None
        return index.opener(relative), index.members[relative][2], status.st_mtime
    base = root.resolve()
    candidate = base.joinpath(*parts)
    try:
        resolved = candidate.resolve(strict=True)
    except (OSError, RuntimeError):
        return None
    # resolve() follows symlinks: a link pointing out of the media root is refused.
    if not resolved.is_relative_to(base) or not resolved.is_file():
        return None
    found = resolved.stat()
    return lambda: Span(open(resolved, "rb"), found.st_size), found.st_size, found.st_mtime


async def serve_media(datasette, request):
    tweet_id, position = parse_id(request.url_vars["tweet_id"]), int(request.url_vars["position"])
    if tweet_id is None:
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
    return await serve_stored(
        datasette,
        request,
        parts,
        "select location from sources where id in "
        "(select source_id from tweet_sources where tweet_id = ?)",
        [tweet_id],
    )


async def serve_stored(datasette, request, parts, sources_sql, params):
    """The file at `parts` (a path the build stored) under the media root publish set, or
    else under the archive folders or zips `sources_sql` selects (their `location`)."""
    roots = media_roots(datasette)
    if not roots:
        sources = await archive_or_404(datasette).execute(sources_sql, params)
        roots = [Path(row["location"]) for row in sources.rows if row["location"]]
    for root in roots:
        found = await asyncio.to_thread(find_file, root, parts)
        if found:
            return FileResponse(*found, "/".join(parts), request)
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
    alone is no file of it (it is the media grid, hooks/reader_media.py)."""
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
