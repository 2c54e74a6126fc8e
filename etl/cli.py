"""The `tweets-etl` command: thin; parsing options and printing, the work is in build.py."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from .build import Progress, StrictFailure, Summary, build
from .readers.official import Options


@click.group()
@click.version_option(package_name="tweets-etl")
def cli():
    """Turn Twitter/X archives into a SQLite database for Datasette."""


@cli.command(name="build")
@click.argument("db", type=click.Path(file_okay=True, dir_okay=False, allow_dash=False))
@click.argument("sources", nargs=-1, required=True, type=click.Path(allow_dash=False))
@click.option("--strict", is_flag=True, help="Fail (exit 1, DB untouched) on any problem.")
@click.option("--include-deleted", is_flag=True, help="Import deleted tweets (flagged is_deleted).")
@click.option("--include-circle", is_flag=True, help="Import Twitter Circle tweets (is_circle).")
@click.option("--include-likes", is_flag=True, help="Import liked tweets into the likes table.")
@click.option("--quiet", "-q", is_flag=True, help="Print nothing but errors.")
def build_command(db, sources, strict, include_deleted, include_circle, include_likes, quiet):
    """Build DB from one or more archive SOURCES (folders, zip files or single files).

    A SOURCE is the zip Twitter sent, its unzipped folder (or a folder holding the zip),
    a 2012-2018 export, or twitter-archive-parser Markdown; the format is detected. Tweets
    seen in several SOURCES are merged into one row. DB is written to a temporary file and
    replaces the old one only when the build succeeds. Entries that can't be read are
    listed in the etl_problems table.

    Deleted tweets, Twitter Circle tweets and likes are private: they are left out unless
    asked for with the --include-* options.

    Example:

        tweets-etl build build/archive.db ~/Downloads/twitter-2024-05-01-abc.zip
    """
    started = time.perf_counter()
    progress = BarProgress() if not quiet and sys.stderr.isatty() else Progress()
    options = Options(include_deleted, include_circle, include_likes)
    try:
        summary = build(Path(db), list(sources), strict, options, progress)
    except OSError as e:
        raise click.ClickException(f"{e.filename or ''}: {e.strerror or e}") from None
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
        self.current = Path(path).name
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
        click.echo(f"{info.location}: {info.format}{owner}, {files}", err=True)
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
    skipped = {}
    for info in summary.sources:
        for kind, count in info.skipped.items():
            skipped[kind] = skipped.get(kind, 0) + count
    for kind, count in sorted(skipped.items()):
        lines.append(f"left out   {count:>9,} {kind} (private; --include-{kind} imports them)")
    click.echo("\n".join(lines), err=True)
    for problem in summary.problems:
        click.echo(f"  {problem['file']}:{problem['line']}: {problem['reason']}", err=True)
    if c["problems"] > len(summary.problems):
        click.echo(f"  ... see the etl_problems table for all {c['problems']}", err=True)
    verb = "Wrote" if written else "Did not write"
    click.echo(f"{verb} {db} in {seconds:.1f}s", err=True)
