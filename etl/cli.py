"""The `tweets-etl` command: thin; parsing options and printing, the work is in build.py."""

from __future__ import annotations

import re
import sys
import time
import zipfile
import zlib
from pathlib import Path

import click

from .build import Progress, StrictFailure, Summary, build
from .errors import EtlError
from .publish import Plan, publish
from .readers import source_name
from .records import Options
from .redact import Privacy, load_redactions

# What a terminal would act on instead of showing: C0 and C1 controls and DEL (cursor moves,
# a cleared screen, a new window title), bidi embeddings, overrides and isolates (a name shown
# backwards), line and paragraph separators, and lone surrogates (bytes that were not UTF-8).
UNPRINTABLE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029\ud800-\udfff]"
)


def visible(text: str) -> str:
    """`text` with every character in UNPRINTABLE written as its escape (`\\x1b`, `\\u202e`):
    file names and texts come from the archive, and a hostile one must not be able to move
    the cursor, retitle the window or forge a line of the summary."""
    return UNPRINTABLE.sub(lambda m: ascii(m[0])[1:-1], text)


def echo(line: str) -> None:
    """Every line the commands print goes out here (to stderr), escaped."""
    click.echo(visible(line), err=True)


class Commands(click.Group):
    """Tells a domain error (etl/errors.py) as click does its own: one line, exit status 1."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except EtlError as e:
            raise click.ClickException(visible(str(e))) from None
        except click.ClickException as e:
            e.message = visible(e.message)
            raise


@click.group(cls=Commands)
@click.version_option(package_name="tweets-etl")
def cli():
    """Turn Twitter/X archives into a SQLite database for Datasette."""


@cli.command(name="build")
# dir_okay: build.py refuses a folder itself, in one line rather than a usage error
@click.argument("db", type=click.Path(file_okay=True, dir_okay=True, allow_dash=False))
@click.argument("sources", nargs=-1, required=True, type=click.Path(allow_dash=False))
@click.option("--strict", is_flag=True, help="Fail (exit 1, DB untouched) on any problem.")
@click.option("--include-deleted", is_flag=True, help="Import deleted tweets (flagged is_deleted).")
@click.option("--include-circle", is_flag=True, help="Import Twitter Circle tweets (is_circle).")
@click.option("--include-likes", is_flag=True, help="Import liked tweets into the likes table.")
@click.option(
    "--private",
    is_flag=True,
    help="The owner's own database: every --include-* and DMs; marked private, so publish "
    "serves it only on 127.0.0.1 and refuses every other target.",
)
@click.option(
    "--owner",
    metavar="NAME",
    help="The archive owner's screen name, for an export that names no account (no account.js).",
)
@click.option("--quiet", "-q", is_flag=True, help="Print nothing but errors.")
def build_command(
    db, sources, strict, include_deleted, include_circle, include_likes, private, owner, quiet
):
    """Build DB from one or more archive SOURCES (folders, zip files or single files).

    A SOURCE is the zip Twitter sent, its unzipped folder (or a folder holding the zip),
    a 2012-2018 export, or twitter-archive-parser Markdown; the format is detected. Tweets
    seen in several SOURCES are merged into one row. DB is written to a temporary file and
    replaces the old one only when the build succeeds. Entries that can't be read are
    listed in the etl_problems table; a build that imports no tweet at all fails.

    Deleted tweets, Twitter Circle tweets and likes are private: they are left out unless
    asked for with the --include-* options.

    Example:

        tweets-etl build build/archive.db ~/Downloads/twitter-2024-05-01-abc.zip
    """
    started = time.perf_counter()
    progress = BarProgress() if not quiet and sys.stderr.isatty() else Progress()
    if private:
        include_deleted = include_circle = include_likes = True
    options = Options(include_deleted, include_circle, include_likes, owner, private)
    try:
        summary = build(Path(db), list(sources), strict, options, progress)
    except OSError as e:
        where = f"{e.filename}: " if e.filename else ""
        raise click.ClickException(f"{where}{e.strerror or e}") from None
    except (zipfile.BadZipFile, zlib.error) as e:
        raise click.ClickException(f"a zip file is damaged ({e}); download it again") from None
    except StrictFailure as failure:
        print_summary(failure.summary, db, time.perf_counter() - started, written=False)
        raise click.ClickException(
            f"--strict: {failure.summary.counts['problems']} problem(s); {db} left unchanged"
        ) from None
    finally:
        progress.close()
    if not quiet:
        print_summary(summary, db, time.perf_counter() - started, written=True)


class BarProgress(Progress):
    """A progress bar over the files of the archive, with a running count of tweets."""

    def __init__(self):
        self.bar = None
        self.tweets = 0
        self.current = ""

    def start(self, files: int) -> None:
        self.bar = click.progressbar(length=max(files, 1), file=sys.stderr, show_pos=True)
        self.bar.__enter__()

    def file(self, path: str) -> None:
        self.current = visible(Path(path).name)
        self.bar.label = self.current
        self.bar.update(1)

    def tweet(self) -> None:
        self.tweets += 1
        if self.tweets % 2000 == 0:
            self.bar.label = f"{self.current} ({self.tweets:,} tweets)"
            self.bar.update(0)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)


def print_summary(summary: Summary, db: str, seconds: float, written: bool) -> None:
    c = summary.counts
    for info in summary.sources:
        owner = f" by @{info.owner}" if info.owner else ""
        files = f"{len(info.files)} files, {info.entries} entries"
        if info.exported_at:
            files += f", exported {info.exported_at[:10]}"
        # A zip's further members of one name are a source at the same location: its name
        # ("x.zip (copy 2)") tells them apart.
        where = info.location + info.name.removeprefix(source_name(info.location))
        echo(f"{where}: {info.format}{owner}, {files}")
        if info.tweets_not_here:
            echo(
                f"{where}: its manifest.js lists {info.tweets_not_here:,} tweets whose file is "
                "not here (an export shared without it): none of them imported"
            )
    lines = [
        f"files read  {c['files_read']:>9,}    entries     {c['entries']:>9,}",
        f"tweets      {c['tweets']:>9,}    retweets    {c['retweets']:>9,}",
        f"replies     {c['replies']:>9,}    quotes      {c['quotes']:>9,}",
        f"users       {c['users']:>9,}    mentions    {c['mentions']:>9,}",
        f"hashtags    {c['hashtags']:>9,}    URLs        {c['urls']:>9,}",
        f"media found {c['media_found']:>9,}    missing     {c['media_missing']:>9,}",
        f"geotagged   {c['geotagged']:>9,}    likes       {c['likes']:>9,}",
        f"problems    {c['problems']:>9,}",
    ]
    if c.get("unplaced"):
        lines.append(
            f"not in text {c['unplaced']:>9,} mentions, hashtags or URLs listed by the archive "
            "(start and end NULL)"
        )
    p = summary.private_counts
    if "dm_messages" in p:
        lines += [
            f"DMs         {p['dm_messages']:>9,}    in          {p['dm_conversations']:>9,} "
            "conversations",
            f"group DMs   {p['dm_group_messages']:>9,}    in          {p['dm_groups']:>9,} groups",
            f"DM welcomes {p['dm_welcome']:>9,}    reactions   {p['dm_reactions']:>9,}",
            f"DM events   {p['dm_events']:>9,}    DM media    {p['dm_media_found']:>9,} "
            f"(missing {p['dm_media_missing']:,})",
        ]
    if "followers" in p:
        lines += [
            f"followers   {p['followers']:>9,}    following   {p['following']:>9,}",
            f"blocks      {p['blocks']:>9,}    mutes       {p['mutes']:>9,}",
            f"lists       {p['lists']:>9,}    name changes{p['screen_name_changes']:>9,}",
        ]
    if "names_resolved" in p:
        lines.append(
            f"names       {p['names_resolved']:>9,}    unresolved  {p['names_unresolved']:>9,}"
        )
    for kind, count in summary.left_out.items():
        lines.append(f"left out   {count:>9,} {kind} (private; --include-{kind} imports them)")
    for line in lines:
        echo(line)
    for problem in summary.problems:
        echo(f"  {problem['file']}:{problem['line']}: {problem['reason']}")
    if c["problems"] > len(summary.problems):
        echo(f"  ... see the etl_problems table for all {c['problems']}")
    verb = "Wrote" if written else "Did not write"
    echo(f"{verb} {db} in {seconds:.1f}s")


@cli.command(name="publish")
@click.argument("db", type=click.Path(dir_okay=False, allow_dash=False))
@click.option(
    "--target",
    type=click.Choice(["local", "dir", "static", "cloudrun", "heroku", "fly", "vercel"]),
    default="local",
    show_default=True,
    help="Where the site goes.",
)
# Any path: publish.py refuses a file (and any folder not its own) in one line.
@click.option("--out", type=click.Path(), help="Folder for --target dir or static.")
@click.option(
    "--site-url",
    help="The address the site will be served at (https://NAME.github.io/REPO/): absolute "
    "share-preview and feed links, the static 404 page and the Datasette Lite link.",
)
@click.option("--host", default="127.0.0.1", show_default=True, help="Local address to serve on.")
@click.option("--port", default=8001, show_default=True, help="Local port to serve on.")
@click.option("--name", default="tweet-archive", show_default=True, help="Cloud service/app name.")
@click.option("--redact", type=click.Path(dir_okay=False, exists=True), help="A redact.yml file.")
@click.option("--include-deleted", is_flag=True, help="Publish deleted tweets too.")
@click.option("--include-circle", is_flag=True, help="Publish Twitter Circle tweets too.")
@click.option("--include-likes", is_flag=True, help="Publish the likes table too.")
@click.option("--media-url", help="Serve media from this URL (a bucket or CDN) instead.")
@click.option(
    "--allow-missing-media",
    is_flag=True,
    help="Publish even if media files are no longer where the build found them (warns).",
)
@click.option("--dry-run", is_flag=True, help="Print the cloud command instead of running it.")
@click.option(
    "--reload", is_flag=True, help="Local only: restart when plugins or templates change."
)
@click.option(
    "--robots",
    type=click.Choice(["index", "noindex"]),
    default="index",
    show_default=True,
    help="index: search engines may index tweet pages, not the SQL endpoint; noindex: nothing.",
)
def publish_command(
    db,
    target,
    out,
    host,
    port,
    name,
    redact,
    include_deleted,
    include_circle,
    include_likes,
    media_url,
    allow_missing_media,
    dry_run,
    reload,
    robots,
    site_url,
):
    """Publish the site built in DB: serve it locally, write a deployable folder, or deploy.

    Private rows (deleted and Circle tweets, likes) and the tweets redact.yml names are
    removed from the copy that gets published; the key pages are checked before anything
    is served or deployed.

    Example:

        tweets-etl publish build/archive.db --target dir --out build/site
    """
    plan = Plan(
        db=Path(db),
        target=target,
        out=Path(out) if out else None,
        host=host,
        port=port,
        name=name,
        redactions=load_redactions(Path(redact) if redact else None),
        privacy=Privacy(include_deleted, include_circle, include_likes),
        media_url=media_url,
        allow_missing_media=allow_missing_media,
        dry_run=dry_run,
        reload=reload,
        robots=robots,
        site_url=site_url,
    )
    publish(plan, echo=echo)
