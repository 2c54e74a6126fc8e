"""From a built database to a running site: locally, as a deployable folder, or in the cloud.

Every target goes through the same steps: a publishable copy of the database (private and
redacted rows removed), the media it still refers to, the folder made the site (site.py's
Datasette configuration directory: metadata, settings, precomputed counts), a smoke test of
the key pages of that folder, then the target's own last step, which starts from the same
folder: serve it, ship it with its wheelhouse, or derive the cloud command from it.
"""

from __future__ import annotations

import importlib.util
import os
import shlex
import shutil
import socket
import sqlite3
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import click
import sqlite_utils
import yaml

from . import build, private_wall, redact, schema, site, site_folder, site_wheel, static_budget
from .errors import EtlError
from .media import is_media_file
from .site import (
    DATABASE_NAME,
    DB_FILE,
    MEDIA,
    MEDIA_ROOT_ENV,
    PROJECT,
    REQUIREMENTS_FILE,
    SITE_REQUIREMENTS,
    WHEELS,
)
from .sources import SourceError, open_tree

TARGETS = ("local", "dir", "static", "cloudrun", "heroku", "fly", "vercel")
CLOUD_TOOLS = {
    "cloudrun": (
        "gcloud",
        None,
        "the Google Cloud SDK (gcloud), logged in with `gcloud auth login`",
    ),
    "heroku": ("heroku", None, "the Heroku CLI, logged in with `heroku login`"),
    "fly": ("flyctl", "datasette_publish_fly", "flyctl and FLY_API_TOKEN (or `flyctl auth login`)"),
    "vercel": ("vercel", "datasette_publish_vercel", "the Vercel CLI and VERCEL_TOKEN"),
}
SMOKE_PATHS = ["/", f"/{DATABASE_NAME}", f"/{DATABASE_NAME}/tweets", "/-/plugins.json"]


class PublishError(EtlError):
    pass


@dataclass
class Plan:
    db: Path
    target: str = "local"
    out: Path | None = None
    host: str = "127.0.0.1"
    port: int = 8001
    name: str = "tweet-archive"
    redactions: redact.Redactions = field(default_factory=redact.Redactions)
    privacy: redact.Privacy = field(default_factory=redact.Privacy)
    media_url: str | None = None
    dry_run: bool = False
    reload: bool = False
    robots: str = "index"
    allow_missing_media: bool = False
    site_url: str | None = None

    def __post_init__(self):
        # The smoke test runs in the project folder: a relative path would point elsewhere.
        self.db = Path(self.db).absolute()
        self.out = Path(self.out).absolute() if self.out else None

    @property
    def work(self) -> Path:
        """Where the publishable copy is assembled: for a served or deployed site, a folder of
        the database's own (`build/archive.site`), so that publishing another database from
        the same folder never rewrites the files of one being served."""
        if self.target == "dir":
            # Resolved: the bundle is swapped in beside the real folder, not beside a link.
            return (self.out or PROJECT / "build" / "site").resolve()
        return self.db.parent / f"{self.db.stem}.site"

    @property
    def static_out(self) -> Path:
        """Where `--target static` writes the pages (the site folder is `work`)."""
        return (self.out or PROJECT / "build" / "static").resolve()


def publish(plan: Plan, echo=click.echo) -> list[str] | None:
    if plan.target not in TARGETS:
        raise PublishError(f"unknown TARGET {plan.target!r}: use one of {', '.join(TARGETS)}")
    if not plan.db.exists():
        raise PublishError(f"{plan.db}: no database; run `make build` first")
    check_current(plan.db)
    # A private archive (DMs, followers, blocks) only ever reaches a server on 127.0.0.1.
    private_wall.check_publishable(plan.db, plan.target, plan.host)
    private = bool(private_wall.private_rows(plan.db))
    if plan.target == "local":
        ensure_port_free(plan.host, plan.port)
    elif plan.target not in ("dir", "static") and not plan.dry_run:
        check_cloud_tools(plan.target)
    # Before anything is written: the folders written or replaced are ones this tool made.
    if plan.target == "dir":
        site_folder.check_out(plan.work, plan.db)
        work = staging_folder(plan.work)
    else:
        if plan.target == "static":
            site_folder.check_out(plan.static_out, plan.db)
        site_folder.check_work(plan.work)
        work = plan.work
        work.mkdir(parents=True, exist_ok=True)
        site_folder.mark(work)
    db_path = work / DB_FILE
    # Served to its owner alone: everything the build stored, as it is.
    privacy = redact.Privacy(True, True, True) if private else plan.privacy
    removed = redact.publishable_copy(
        plan.db, db_path, plan.redactions, privacy, keep_private=private
    )
    if not private:
        private_wall.check_bundle(db_path)
    # Start empty: files left by an earlier publish may belong to tweets hidden since, and
    # the folder is the site (a cloud command ships its media/ whenever there is one).
    shutil.rmtree(work / MEDIA, ignore_errors=True)
    media_root = None
    media = None
    if plan.media_url is None:
        if plan.target == "local":
            media_root = os.pathsep.join(source_roots(plan.db))
            media = copy_media(plan.db, db_path, None)
        else:
            media_root = str(work / MEDIA)
            media = copy_media(plan.db, db_path, work / MEDIA)
        check_media(media, plan.allow_missing_media, echo)
    metadata = site_metadata(
        plan,
        media_root=MEDIA if plan.target != "local" else media_root,
        longest_record=longest_record(db_path),
    )
    if plan.target == "static":
        metadata["plugins"]["tweet-archive"]["static"] = {
            "db_file": DB_FILE,
            "db_bytes": db_path.stat().st_size,
            "site_url": plan.site_url,
        }
    site.write_config(work, metadata)
    env = dict(os.environ)
    if media_root:
        env[MEDIA_ROOT_ENV] = media_root
    smoke_test(work, env, media.sample if media else None)
    echo(status_line(db_path, removed, media))
    if plan.target == "local":
        serve_locally(plan, work, env, echo)
        return None
    if plan.target == "static":
        publish_static(plan, work, echo)
        return None
    write_installs(work)
    if plan.target == "dir":
        write_bundle(work)
        replace_folder(work, plan.work)
        echo(
            f"Wrote a deployable site to {plan.work} (run it: cd {plan.work} && datasette serve .)"
        )
        return None
    command = site.publish_command(work, plan.target, plan.name)
    echo(shlex.join(command))
    if not plan.dry_run:
        subprocess.run(command, check=True, env=env)
    return command


def publish_static(plan: Plan, work: Path, echo) -> None:
    """Render the checked site folder into files, beside which the published database and
    the search index go, and swap the folder in whole."""
    # Here, not at the top: it renders with Datasette, which a build never loads.
    from . import static_site

    out = plan.static_out
    staging = staging_folder(out)
    result = static_site.export(work, staging)
    if result.missing:
        raise PublishError(
            f"{len(result.missing):,} pages or files of the site did not render "
            f"(such as {result.missing[0]}); nothing was written to {out}"
        )
    contents = sorted(p.name for p in staging.iterdir() if p.name != site_folder.MARKER)
    site_folder.mark(staging, contents)
    replace_folder(staging, out)
    size = static_budget.measure(out)
    for line in static_budget.report_lines(size, static_budget.host_fit(size)):
        echo(line)
    echo(
        f"A static site of {result.pages:,} pages and {result.media:,} media files, "
        f"{result.search.get('records', 0):,} tweets searchable in the browser: serve it from "
        f"any static host (try it: python3 -m http.server -d {out})"
    )


def current_shape() -> dict[str, set[str]]:
    """The tables and columns a build of this version writes (an empty one, in memory)."""
    db = sqlite_utils.Database(memory=True)
    schema.create_tables(db)
    build.finish_steps(db)
    return {table.name: {column.name for column in table.columns} for table in db.tables}


def check_current(db_path: Path) -> None:
    """Refuse a database an older build wrote: the site reads tables and columns it lacks
    (a page would fail with a server error rather than the publish with a clear line)."""
    db = sqlite_utils.Database(db_path)
    try:
        for name, columns in current_shape().items():
            have = {column.name for column in db[name].columns} if db[name].exists() else set()
            lacking = sorted(columns - have)
            if lacking:
                what = f"{name}.{lacking[0]}" if have else name
                raise PublishError(
                    f"{db_path} was written by an older tweets-etl (it has no {what}): build "
                    "it again (`make build`, or `tweets-etl build DB ARCHIVE...`)"
                )
    except sqlite3.DatabaseError as e:
        raise PublishError(f"{db_path}: not a database tweets-etl wrote ({e})") from None
    finally:
        db.close()


def staging_folder(out: Path) -> Path:
    """Where a --target dir bundle is assembled, beside OUT: a publish that fails leaves the
    previous bundle whole, and the half-made one (with its smoke.log) here for a look.
    Marked at once, so that the next publish knows it may delete it."""
    staging = site_folder.staging_path(out)
    site_folder.check_removable(staging, out)
    if staging.exists():
        shutil.rmtree(staging)
    staging.mkdir(parents=True)
    site_folder.mark(staging)
    return staging


def replace_folder(staging: Path, out: Path) -> None:
    """Swap the finished bundle in; the old one is kept until the new one is in place.
    OUT is checked again: someone may have put a file in it while the site was checked."""
    old = site_folder.old_path(out)
    site_folder.check_removable(old, out)
    site_folder.check_replaceable(out)
    if old.exists():
        shutil.rmtree(old)
    if out.exists():
        os.replace(out, old)
    os.replace(staging, out)
    shutil.rmtree(old, ignore_errors=True)


def ensure_port_free(host: str, port: int) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind((host, port))
        except OSError:
            raise PublishError(
                f"port {port} on {host} is in use (is another `make publish` running?); "
                "stop it or choose another with PORT=..."
            ) from None


def check_cloud_tools(target: str) -> None:
    command, module, what = CLOUD_TOOLS[target]
    if module and importlib.util.find_spec(module) is None:
        raise PublishError(f"TARGET={target} needs {module.replace('_', '-')}: run `make install`")
    if shutil.which(command) is None:
        raise PublishError(f"TARGET={target} needs {what}; `{command}` is not on PATH")


def source_roots(db_path: Path) -> list[str]:
    """Where the build read each archive from: media paths are relative to these."""
    db = sqlite_utils.Database(db_path)
    roots = []
    for (location,) in db.execute("select location from sources order by id").fetchall():
        path = Path(location)
        root = path if path.is_dir() or path.suffix.lower() == ".zip" else path.parent
        if str(root) not in roots:
            roots.append(str(root))
    return roots


@dataclass
class Media:
    """What became of the media files the published tweets refer to."""

    found: int = 0
    bytes: int = 0
    refused: list[str] = field(default_factory=list)
    missing: int = 0
    expected_in: list[str] = field(default_factory=list)
    # One (tweet id, position) whose file was found: the smoke test fetches it.
    sample: tuple[int, int] | None = None


def copy_media(full_db: Path, public_db: Path, target: Path | None) -> Media:
    """Copy the media files the published tweets still refer to into `target`, and nothing
    else; with no target, only check that each file is still where the build found it."""
    locations = dict(sqlite_utils.Database(full_db).execute("select id, location from sources"))
    rows = sqlite_utils.Database(public_db).execute(
        "select tweet_id, position, source_id, path from media where path is not null "
        "order by tweet_id, position"
    )
    media, trees, seen = Media(), {}, set()
    if target is not None:
        target.mkdir(parents=True, exist_ok=True)
    for tweet_id, position, source_id, path in rows.fetchall():
        if (source_id, path) in seen:
            continue
        seen.add((source_id, path))
        if ".." in path.split("/") or path.startswith("/") or "\\" in path:
            media.refused.append(path)
            continue
        # The build refuses them too, but a database of an older build may still list an
        # .html or .svg file: one static-file misconfiguration away from stored XSS.
        if not is_media_file(path):
            media.refused.append(path)
            continue
        if source_id not in trees:
            try:
                trees[source_id] = open_tree(locations[source_id])
            except (SourceError, KeyError):
                trees[source_id] = None
        tree = trees[source_id]
        size = tree.size(path) if tree is not None else None
        if size is None:
            media.missing += 1
            where = locations.get(source_id) or f"source {source_id}"
            if where not in media.expected_in:
                media.expected_in.append(where)
            continue
        media.found += 1
        media.bytes += size
        media.sample = media.sample or (tweet_id, position)
        if target is None:
            continue
        destination = target / path
        if not destination.exists():
            destination.parent.mkdir(parents=True, exist_ok=True)
            with tree.open(path) as src, open(destination, "wb") as out:
                shutil.copyfileobj(src, out)
    return media


def check_media(media: Media, allow_missing: bool, echo) -> None:
    if media.refused:
        echo(
            f"Left out {len(media.refused):,} media files that are not images or videos "
            f"(such as {media.refused[0]})"
        )
    if not media.missing:
        return
    total = media.found + media.missing
    where = ", ".join(media.expected_in)
    if not allow_missing:
        raise PublishError(
            f"{media.missing:,} of {total:,} media files are missing from {where} "
            "(moved or deleted since the build?): build again from where the archive is now, "
            "or pass --allow-missing-media to publish without them"
        )
    echo(
        f"WARNING: {media.missing:,} of {total:,} media files are missing from {where}; "
        "publishing without them (--allow-missing-media)"
    )


ROBOTS = {
    # Tweet pages may be indexed; the SQL endpoints (any query, expensive) and /-/ may not.
    "index": [
        f"/{DATABASE_NAME}?sql=",
        f"/{DATABASE_NAME}.json?sql=",
        f"/{DATABASE_NAME}.csv?sql=",
        "/-/",
    ],
    "noindex": ["/"],
}


def longest_record(db_path: Path) -> int | None:
    """The largest record of the published database, for hooks/query_limits.py: measured
    here once rather than by the site at every start (SQLite's page statistics, dbstat;
    None on an SQLite built without them, and the site measures as best it can)."""
    db = sqlite_utils.Database(db_path)
    try:
        return db.execute("select max(mx_payload) from dbstat").fetchone()[0] or 0
    except sqlite3.OperationalError:
        return None
    finally:
        db.close()


def site_metadata(plan: Plan, media_root: str | None, longest_record: int | None = None) -> dict:
    metadata = yaml.safe_load(site.METADATA.read_text())
    plugins = metadata.setdefault("plugins", {})
    if plan.robots not in ROBOTS:
        raise PublishError(f"ROBOTS must be one of {', '.join(ROBOTS)}, not {plan.robots!r}")
    plugins.setdefault("datasette-block-robots", {"disallow": ROBOTS[plan.robots]})
    config = plugins.setdefault("tweet-archive", {})
    if longest_record is not None:
        config["longest_record"] = longest_record
    if plan.site_url:
        config["site_url"] = plan.site_url
    if plan.media_url:
        config["media_url"] = plan.media_url.rstrip("/")
    elif media_root:
        config["media_root"] = media_root
    return metadata


def smoke_test(folder: Path, env: dict, media: tuple[int, int] | None = None) -> None:
    """GET the key pages (and one media file) of the site in `folder`, in a child process
    with the site's environment (etl/smoke.py: site.datasette(folder), as the tests make
    theirs)."""
    db = sqlite_utils.Database(folder / DB_FILE)
    paths = list(SMOKE_PATHS)
    latest = db.execute("select id from tweets order by created_at desc limit 1").fetchone()
    db.close()
    if latest:
        paths += [f"/{DATABASE_NAME}/tweets/{latest[0]}", f"/{DATABASE_NAME}/search?q=a"]
    command = [sys.executable, "-m", "etl.smoke", str(folder), *paths]
    if media:
        command += ["--media", f"/-/media/{media[0]}/{media[1]}"]
    result = subprocess.run(command, capture_output=True, text=True, env=env, cwd=PROJECT)
    log = folder / "smoke.log"
    if result.returncode == 0:
        log.unlink(missing_ok=True)
        return
    log.write_text(result.stdout + result.stderr)
    lines = result.stdout.strip().splitlines()
    if not lines:
        # Not a page that failed: the child itself crashed; its traceback is in the log.
        errors = result.stderr.strip().splitlines()
        lines = [errors[-1] if errors else f"exit status {result.returncode}"]
    more = f" (and {len(lines) - 1} more)" if len(lines) > 1 else ""
    raise PublishError(f"smoke test failed: {lines[0]}{more}; details in {log}")


def human_size(size: int) -> str:
    for unit in ("bytes", "KB", "MB"):
        if size < 1024 or unit == "MB":
            return f"{size:,} {unit}" if unit == "bytes" else f"{size:,.1f} {unit}"
        size /= 1024
    return f"{size:,.1f} GB"


def status_line(db_path: Path, removed: dict, media: Media | None = None) -> str:
    db = sqlite_utils.Database(db_path)
    tweets = db.execute("select count(*) from tweets").fetchone()[0]
    if media is not None:
        files, size = media.found, media.bytes
    else:  # media kept in a bucket: what the database lists
        files, size = db.execute(
            "select count(*), coalesce(sum(bytes), 0) from media where path is not null"
        ).fetchone()
    database = human_size(db_path.stat().st_size)
    line = (
        f"Publishing {tweets:,} tweets and {files:,} media files "
        f"(database {database}, media {human_size(size)})"
    )
    if removed["tweets"]:
        line += f"; {removed['tweets']:,} private or redacted tweets left out"
    return line


def serve_locally(plan: Plan, folder: Path, env: dict, echo) -> None:
    args = site.serve_command(folder, plan.host, plan.port, *(["--reload"] if plan.reload else []))
    echo(f"Serving at http://{plan.host}:{plan.port}/  (Ctrl-C to stop)")
    sys.stdout.flush()
    sys.stderr.flush()
    # Replace this process: Ctrl-C then reaches Datasette directly and stops it cleanly.
    os.execve(args[0], args, env)


def write_installs(work: Path) -> None:
    """The site's wheel in wheels/ and the requirements.txt that installs it with its pinned
    requirements: what a deployable folder and a cloud image install."""
    shutil.rmtree(work / WHEELS, ignore_errors=True)
    wheel = site_wheel.build_wheel(work / WHEELS)
    requirements = [*SITE_REQUIREMENTS, f"./{WHEELS}/{wheel.name}"]
    (work / REQUIREMENTS_FILE).write_text("\n".join(requirements) + "\n")


def write_bundle(work: Path) -> None:
    """What makes the folder deployable anywhere: a Dockerfile, a README, the marker
    listing what was written."""
    (work / "Dockerfile").write_text(DOCKERFILE)
    (work / "README.md").write_text(BUNDLE_README)
    contents = sorted(path.name for path in work.iterdir() if path.name != site_folder.MARKER)
    site_folder.mark(work, contents)


DOCKERFILE = """\
FROM python:3.11-slim
WORKDIR /app
COPY requirements.txt .
COPY wheels/ wheels/
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
ENV PORT=8001 TWEET_ARCHIVE_MEDIA_ROOT=/app/media
EXPOSE 8001
# Config-directory mode: archive.db (immutable, with inspect-data.json), metadata.json and
# settings.json are picked up from this folder; the site is the wheel installed above.
CMD datasette serve . --host 0.0.0.0 --port $PORT
"""

# An earlier bundle's README, word for word (site_folder tells such a bundle by it), then
# what the marker is.
BUNDLE_README = (
    site_folder.UNMARKED_BUNDLE_README
    + """
`.tweets-etl-site` marks this folder as made by tweets-etl (a JSON record of the version
and the time, and the names it wrote). Publishing again replaces the folder whole, so
tweets-etl writes only into a folder that is missing, empty or marked so, and refuses a
marked one holding anything it did not write: keep your own files elsewhere.
"""
)
