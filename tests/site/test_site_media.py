"""The media route: /-/media/<tweet id>/<position> serves only the archive's own media files."""

import asyncio
import builtins
import io
import os
import random
import shutil
import threading
import time
import zipfile
import zlib
from pathlib import Path

import pytest
import sqlite_utils

from tests.helpers.paths import IDS, ROOT, SITE
from tests.helpers.site import make_datasette
from tweet_site.hooks import media_files
from tweet_site.hooks.media_files import safe_relative

PHOTO = SITE / "markdown" / "media" / f"{IDS['photo']}-AbCdEfGhIjKlMnO.png"
STATIC_FILE = sorted(p.name for p in (ROOT / "tweet_site" / "static").iterdir() if p.is_file())[0]
VIDEO = SITE / "markdown" / "media" / f"{IDS['video']}-vIdEoVideoVideo1.mp4"
# Pages are gzipped for a client that takes it; these tests watch zlib for the server's reads.
UNCOMPRESSED = {"accept-encoding": "identity"}


def media_url(name, position=0):
    return f"/-/media/{IDS[name]}/{position}"


@pytest.mark.asyncio
async def test_a_photo_with_its_type_and_caching_headers(ds):
    response = await ds.client.get(media_url("photo"))
    assert response.status_code == 200
    assert response.content == PHOTO.read_bytes()
    headers = dict(response.headers)
    etag = headers.pop("etag")
    assert headers == {
        "cache-control": "public, max-age=604800",
        "accept-ranges": "bytes",
        "x-content-type-options": "nosniff",
        "content-security-policy": "default-src 'none'; sandbox",
        "x-frame-options": "DENY",
        "referrer-policy": "no-referrer",
        "content-type": "image/png",
        "content-length": str(PHOTO.stat().st_size),
        "vary": "Cookie, Authorization",
    }
    again = await ds.client.get(media_url("photo"), headers={"if-none-match": etag})
    assert (again.status_code, again.content) == (304, b"")


@pytest.mark.asyncio
async def test_media_of_other_sources_and_kinds(ds):
    thread = await ds.client.get(media_url("t3"))
    assert (thread.status_code, thread.headers["content-type"]) == (200, "image/png")
    gif = await ds.client.get(media_url("gif"))
    assert (gif.status_code, gif.headers["content-type"]) == (200, "video/mp4")


@pytest.mark.asyncio
async def test_video_byte_ranges(ds):
    data = VIDEO.read_bytes()
    response = await ds.client.get(media_url("video"), headers={"range": "bytes=4-11"})
    assert response.status_code == 206
    assert response.content == data[4:12]
    assert response.headers["content-range"] == f"bytes 4-11/{len(data)}"
    assert response.headers["content-type"] == "video/mp4"
    tail = await ds.client.get(media_url("video"), headers={"range": "bytes=-5"})
    assert (tail.status_code, tail.content) == (206, data[-5:])
    rest = await ds.client.get(media_url("video"), headers={"range": "bytes=80-"})
    assert (rest.status_code, rest.content) == (206, data[80:])
    beyond = await ds.client.get(media_url("video"), headers={"range": "bytes=9999-"})
    assert beyond.status_code == 416
    assert beyond.headers["content-range"] == f"bytes */{len(data)}"
    ignored = await ds.client.get(media_url("video"), headers={"range": "lines=1-2"})
    assert (ignored.status_code, ignored.content) == (200, data)


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "path",
    [
        media_url("missing"),
        media_url("photo", 1),
        media_url("script"),
        "/-/media/1/0",
        "/-/media/../../etc/passwd",
        "/-/media/%2e%2e/%2e%2e/etc/passwd",
        "/-/media/%2E%2E%2F%2E%2E%2Fetc%2Fpasswd",
        "/-/media//etc/passwd",
        "/-/media/%2Fetc%2Fpasswd",
        f"{media_url('photo')}/../../../../etc/passwd",
        f"{media_url('photo')}%2F..%2F..",
        "/-/media/media/" + PHOTO.name,
        "/-/media/" + str(PHOTO),
        "/-/media/-1/0",
        "/-/media/99999999999999999999999/0",
        # beyond SQLite's integer range, which once answered 500
        "/-/media/99999999999999999999/0",
        "/-/media/9223372036854775808/0",
        "/-/media/9223372036854775807/0",
        f"{media_url('photo')[:-2]}/-1",
        f"{media_url('photo')[:-2]}/99999",
        f"{media_url('photo')[:-2]}/{'9' * 10_000}",
        "/-/media/" + "9" * 10_000 + "/0",
        "/-/media/abc/0",
        "/-/media/0x10/0",
        "/-/media/1e5/0",
        "/-/media/%D9%A1/0",  # an Arabic-Indic digit one
        "/-/media/%EF%BC%91/0",  # a fullwidth digit one
        f"/-/media/{IDS['photo']}%00/0",
    ],
)
async def test_nothing_else_can_be_reached(ds, path):
    started = time.monotonic()
    response = await ds.client.get(path, follow_redirects=True)
    assert response.status_code == 404
    assert response.content != PHOTO.read_bytes()
    assert time.monotonic() - started < 2


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "path",
    [
        "/media/media/page.html",
        "/media/media/evil.svg",
        "/media/media/photo.png",
        "/media/",
        "/%6Dedia/media/page.html",
        "/files/media/page.html",  # any mount of a media root, whatever its name
    ],
)
async def test_a_static_media_mount_is_never_served_raw(hostile, metadata, tmp_path, path):
    # What a cloud image does: the media folder shipped as `--static media:media`.
    db_path, root, _ = hostile
    (root / "media" / "photo.png").write_bytes(PHOTO.read_bytes())
    configured = {**metadata, "plugins": {**metadata["plugins"], "tweet-archive": {}}}
    configured["plugins"]["tweet-archive"] = {"media_root": str(root)}
    ds = make_datasette(db_path, configured)
    ds.static_mounts += [("media", str(root)), ("files", str(root))]
    response = await ds.client.get(path)
    assert (response.status_code, response.headers["content-type"]) == (
        404,
        "text/plain; charset=utf-8",
    )
    assert "<" not in response.text


@pytest.mark.parametrize(
    "path,parts",
    [
        ("media/a.png", ["media", "a.png"]),
        ("data/tweets_media/1-a.jpg", ["data", "tweets_media", "1-a.jpg"]),
        ("../a.png", None),
        ("media/../../a.png", None),
        ("/etc/passwd", None),
        ("media//a.png", None),
        ("media/./a.png", None),
        ("media\\..\\a.png", None),
        ("C:/Windows/win.ini", None),
        ("media/a.png\x00.txt", None),
        ("", None),
        (None, None),
    ],
)
def test_safe_relative(path, parts):
    assert safe_relative(path) == parts


@pytest.fixture
def hostile(site_db, tmp_path):
    """A copy of the site database whose media rows point at hostile paths, and a media
    root holding a symlink that leads out of it."""
    root, outside = tmp_path / "root", tmp_path / "outside"
    (root / "media").mkdir(parents=True)
    outside.mkdir()
    (outside / "secret.png").write_bytes(b"secret")
    (root / "secret.png").write_bytes(b"not in the media table")
    (root / "media" / "link.png").symlink_to(outside / "secret.png")
    (root / "media" / "inside.png").symlink_to(root / "secret.png")
    (root / "media" / "evil.svg").write_text('<svg onload="alert(1)"/>')
    (root / "media" / "page.html").write_text("<script>alert(1)</script>")
    db_path = tmp_path / "archive.db"
    shutil.copy(site_db, db_path)
    db = sqlite_utils.Database(db_path)
    paths = [
        "../outside/secret.png",
        "media/../../outside/secret.png",
        str(outside / "secret.png"),
        "media/link.png",
        "media/inside.png",
        "media/evil.svg",
        "media/page.html",
    ]
    tweet_id = IDS["script"]
    for position, path in enumerate(paths):
        db["media"].insert(
            {"tweet_id": tweet_id, "position": position, "type": "photo", "path": path}
        )
    db.conn.commit()
    db.conn.close()
    return db_path, root, tweet_id


@pytest.mark.asyncio
async def test_hostile_database_paths_and_symlinks(hostile, metadata, monkeypatch):
    db_path, root, tweet_id = hostile
    monkeypatch.setenv("TWEET_ARCHIVE_MEDIA_ROOT", str(root))
    ds = make_datasette(db_path, metadata)
    statuses = [
        (await ds.client.get(f"/-/media/{tweet_id}/{position}")).status_code
        for position in range(5)
    ]
    assert statuses == [404, 404, 404, 404, 200]
    svg = await ds.client.get(f"/-/media/{tweet_id}/5")
    assert svg.headers["content-type"] == "application/octet-stream"
    assert svg.headers["content-disposition"] == 'attachment; filename="evil.svg"'
    page = await ds.client.get(f"/-/media/{tweet_id}/6")
    assert page.headers["content-type"] == "application/octet-stream"
    assert page.headers["content-security-policy"] == "default-src 'none'; sandbox"


@pytest.mark.asyncio
async def test_media_root_from_the_environment_or_metadata(
    site_db, metadata, monkeypatch, tmp_path
):
    copy = tmp_path / "copy"
    shutil.copytree(SITE / "markdown", copy)
    (copy / "media" / PHOTO.name).write_bytes(b"the copy")
    monkeypatch.setenv("TWEET_ARCHIVE_MEDIA_ROOT", str(copy))
    ds = make_datasette(site_db, metadata)
    assert (await ds.client.get(media_url("photo"))).content == b"the copy"
    # Not in that root: the environment variable replaces the sources' own folders.
    assert (await ds.client.get(media_url("t3"))).status_code == 404

    monkeypatch.delenv("TWEET_ARCHIVE_MEDIA_ROOT")
    configured = {**metadata, "plugins": {**metadata["plugins"], "tweet-archive": {}}}
    configured["plugins"]["tweet-archive"] = {"media_root": [str(tmp_path / "none"), str(copy)]}
    ds = make_datasette(site_db, configured)
    assert (await ds.client.get(media_url("photo"))).content == b"the copy"


@pytest.mark.asyncio
async def test_media_root_can_be_a_zip(site_db, metadata, monkeypatch, tmp_path):
    archive = tmp_path / "archive.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
        z.write(PHOTO, f"media/{PHOTO.name}")
        z.writestr("media/", "")
        z.write(VIDEO, f"media/{VIDEO.name}")
    monkeypatch.setenv("TWEET_ARCHIVE_MEDIA_ROOT", str(archive))
    ds = make_datasette(site_db, metadata)
    response = await ds.client.get(media_url("photo"))
    assert (response.status_code, response.content) == (200, PHOTO.read_bytes())
    ranged = await ds.client.get(media_url("video"), headers={"range": "bytes=4-11"})
    assert (ranged.status_code, ranged.content) == (206, VIDEO.read_bytes()[4:12])


@pytest.mark.asyncio
async def test_other_static_files_are_still_served(ds):
    response = await ds.client.get("/static/" + STATIC_FILE)
    assert response.status_code == 200


# A zip like a large export's: 100,000 members, among them the fixture's photo and a video
# of a few megabytes, compressed.
MEMBERS = 100_000
LARGE_VIDEO = random.Random(15).randbytes(3 * 1024 * 1024)


@pytest.fixture(scope="module")
def big_zip(tmp_path_factory):
    path = tmp_path_factory.mktemp("big-zip") / "archive.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for number in range(MEMBERS):
            archive.writestr(f"data/tweets_media/{number}-x.jpg", b"")
        archive.write(PHOTO, f"media/{PHOTO.name}")
        archive.writestr(f"media/{VIDEO.name}", LARGE_VIDEO, compress_type=zipfile.ZIP_DEFLATED)
    return path


class Watch:
    """What the media route does with zips, seen from zipfile, zlib and open(): how many
    central directories it reads, and in which threads it reads and inflates. Inflating
    waits for `gate` in a worker thread (never on the event loop's, which would hang)."""

    def __init__(self, monkeypatch, zip_path):
        self.loop_thread = threading.get_ident()
        self.directories, self.threads, self.waiting = 0, set(), 0
        self.gate = threading.Event()
        self.gate.set()
        watch, real_zipfile, real_inflater = self, zipfile.ZipFile, zlib.decompressobj
        real_open = builtins.open

        class ZipFile(real_zipfile):
            def __init__(self, file, mode="r", *args, **kwargs):
                if mode == "r":
                    watch.directories += 1
                    watch.threads.add(threading.get_ident())
                super().__init__(file, mode, *args, **kwargs)

        class Inflater:
            def __init__(self, *args):
                self.inner, self.first = real_inflater(*args), True

            def decompress(self, *args):
                watch.threads.add(threading.get_ident())
                if self.first and threading.get_ident() != watch.loop_thread:
                    watch.waiting += 1
                    watch.gate.wait(timeout=60)  # (a safety net: the test opens it)
                self.first = False
                return self.inner.decompress(*args)

            def __getattr__(self, name):
                return getattr(self.inner, name)

        def watched_open(file, *args, **kwargs):
            if isinstance(file, (str, os.PathLike)) and Path(file) == zip_path:
                watch.threads.add(threading.get_ident())
            return real_open(file, *args, **kwargs)

        monkeypatch.setattr(zipfile, "ZipFile", ZipFile)
        monkeypatch.setattr(zlib, "decompressobj", Inflater)
        monkeypatch.setattr(builtins, "open", watched_open)
        monkeypatch.setattr(io, "open", watched_open)

    def on_the_loop(self):
        return self.loop_thread in self.threads


@pytest.mark.slow
@pytest.mark.asyncio
async def test_a_zips_index_is_read_once(big_zip, site_db, metadata, monkeypatch):
    monkeypatch.setenv("TWEET_ARCHIVE_MEDIA_ROOT", str(big_zip))
    ds = make_datasette(site_db, metadata)
    watch = Watch(monkeypatch, big_zip)
    for _ in range(5):
        photo = await ds.client.get(media_url("photo"))
        assert (photo.status_code, photo.content) == (200, PHOTO.read_bytes())
        again = await ds.client.get(
            media_url("photo"), headers={"if-none-match": photo.headers["etag"]}
        )
        assert again.status_code == 304
        ranged = await ds.client.get(media_url("video"), headers={"range": "bytes=2000000-2000099"})
        assert (ranged.status_code, ranged.content) == (206, LARGE_VIDEO[2000000:2000100])
        tail = await ds.client.get(media_url("video"), headers={"range": "bytes=-10"})
        assert (tail.status_code, tail.content) == (206, LARGE_VIDEO[-10:])
        # Not in this zip. (Its page uncompressed: the client inflating a gzipped answer
        # would count here as the server reading the zip on the loop.)
        missing = await ds.client.get(media_url("t3"), headers=UNCOMPRESSED)
        assert missing.status_code == 404
    whole = await ds.client.get(media_url("video"))
    assert (whole.status_code, whole.content) == (200, LARGE_VIDEO)
    assert watch.directories == 1
    assert not watch.on_the_loop()


@pytest.mark.asyncio
async def test_zip_media_are_read_off_the_event_loop(big_zip, site_db, metadata, monkeypatch):
    """While 8 Range requests into a large compressed video are in flight (their inflating
    held at a gate), other pages answer; then the 8 get their bytes."""
    monkeypatch.setenv("TWEET_ARCHIVE_MEDIA_ROOT", str(big_zip))
    ds = make_datasette(site_db, metadata)
    await ds.invoke_startup()
    watch = Watch(monkeypatch, big_zip)
    watch.gate.clear()
    spans = [(start, start + 999) for start in range(1_000_000, 3_000_000, 250_000)]
    media = [
        asyncio.create_task(ds.client.get(media_url("video"), headers={"range": f"bytes={a}-{b}"}))
        for a, b in spans
    ]
    for _ in range(6000):  # until a worker thread waits at the gate (never, on the loop)
        if watch.waiting or all(task.done() for task in media):
            break
        await asyncio.sleep(0.01)
    try:
        page = await ds.client.get("/timeline", headers=UNCOMPRESSED)
        in_flight = sum(not task.done() for task in media)
    finally:
        watch.gate.set()
    answers = await asyncio.gather(*media)
    assert (page.status_code, in_flight) == (200, len(spans))
    assert [(r.status_code, r.content) for r in answers] == [
        (206, LARGE_VIDEO[a : b + 1]) for a, b in spans
    ]
    assert not watch.on_the_loop()


@pytest.mark.asyncio
async def test_a_replaced_zip_is_read_again(site_db, metadata, monkeypatch, tmp_path):
    path = tmp_path / "archive.zip"

    def write(photo):
        with zipfile.ZipFile(tmp_path / "new.zip", "w") as archive:
            archive.writestr(f"media/{PHOTO.name}", photo)
        os.replace(tmp_path / "new.zip", path)

    write(b"first")
    monkeypatch.setenv("TWEET_ARCHIVE_MEDIA_ROOT", str(path))
    ds = make_datasette(site_db, metadata)
    watch = Watch(monkeypatch, path)
    assert (await ds.client.get(media_url("photo"))).content == b"first"
    assert (await ds.client.get(media_url("photo"))).content == b"first"
    write(b"second, longer")
    assert (await ds.client.get(media_url("photo"))).content == b"second, longer"
    assert watch.directories == 2


def test_the_zips_indexes_kept_are_bounded(tmp_path):
    for number in range(media_files.MAX_ZIPS + 3):
        path = tmp_path / f"{number}.zip"
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("media/a.png", str(number))
        opener, size, _ = media_files.find_file(path, ["media", "a.png"])
        assert (opener().read(100), size) == (str(number).encode(), len(str(number)))
    kept = [key for key in media_files._zips if key.startswith(str(tmp_path))]
    assert len(kept) == media_files.MAX_ZIPS
