"""Fetch the key pages of a site folder in one Datasette process:
`python -m etl.smoke FOLDER PATH... [--media PATH]`.

Run in a child process, with the environment the site will have (its media root), and
the site as this environment has it installed (the tweet_site package). The Datasette is
site.datasette(FOLDER): the folder publish wrote, configured as `datasette FOLDER` serves it
and as the tests make theirs. Prints one line per failure and exits 1 if any page did not
answer 200, or the media file not as an image or video.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from . import site


async def fetch_all(folder: Path, paths: list[str], media: list[str]) -> list[str]:
    ds = site.datasette(folder)
    failures = []
    for path in paths:
        response = await ds.client.get(path)
        if response.status_code != 200:
            failures.append(f"GET {path} answered {response.status_code}")
    for path in media:
        response = await ds.client.get(path)
        kind = response.headers.get("content-type", "")
        if response.status_code != 200 or not kind.startswith(("image/", "video/")):
            failures.append(f"GET {path} answered {response.status_code} {kind}".rstrip())
        elif response.headers.get("x-content-type-options") != "nosniff":
            failures.append(f"GET {path} answered without X-Content-Type-Options: nosniff")
    return failures


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m etl.smoke")
    parser.add_argument("folder", type=Path)
    parser.add_argument("paths", nargs="*")
    parser.add_argument("--media", action="append", default=[])
    args = parser.parse_args()
    failures = asyncio.run(fetch_all(args.folder, args.paths, args.media))
    for failure in failures:
        print(failure)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
