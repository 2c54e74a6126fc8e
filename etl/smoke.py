"""Fetch the key pages of a site in one Datasette process: `python -m etl.smoke CONFIG`.

Run in a child process, with the environment the site will have (its media root), and
the site as this environment has it installed (the tweet_site package); CONFIG is the JSON
that publish.smoke_test writes. Prints one line per failure
and exits 1 if any page did not answer 200, or the media file not as an image or video.
"""

from __future__ import annotations

import asyncio
import json
import sys

import yaml
from datasette.app import Datasette


async def fetch_all(config: dict) -> list[str]:
    metadata = yaml.safe_load(open(config["metadata"], encoding="utf-8"))
    ds = Datasette(
        immutables=[config["db"]],
        metadata=metadata,
        settings=config["settings"],
    )
    failures = []
    for path in config["paths"]:
        response = await ds.client.get(path)
        if response.status_code != 200:
            failures.append(f"GET {path} answered {response.status_code}")
    for path in config.get("media", []):
        response = await ds.client.get(path)
        kind = response.headers.get("content-type", "")
        if response.status_code != 200 or not kind.startswith(("image/", "video/")):
            failures.append(f"GET {path} answered {response.status_code} {kind}".rstrip())
        elif response.headers.get("x-content-type-options") != "nosniff":
            failures.append(f"GET {path} answered without X-Content-Type-Options: nosniff")
    return failures


def main() -> None:
    failures = asyncio.run(fetch_all(json.loads(open(sys.argv[1]).read())))
    for failure in failures:
        print(failure)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
