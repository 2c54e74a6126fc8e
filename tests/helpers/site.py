"""The site under test: in process (Datasette with the production settings) or served."""

import contextlib
import copy
import json
import os
from pathlib import Path

from datasette.app import Datasette

from etl.site import SETTINGS, Site, free_port, start


def make_datasette(db_path, metadata, **kwargs):
    return Datasette(
        immutables=[str(db_path)],
        metadata=copy.deepcopy(metadata),
        settings=dict(SETTINGS),  # exactly the production settings (etl/site.py)
        **kwargs,
    )


async def get_json(ds, path):
    response = await ds.client.get(path)
    assert response.status_code == 200, (path, response.text[:500])
    return response.json()


def bundle_datasette(out):
    """A Datasette configured like `datasette serve OUT` for a `TARGET=dir` folder."""
    return Datasette(
        immutables=[str(out / "archive.db")],
        metadata=json.loads((out / "metadata.json").read_text()),
        settings=json.loads((out / "settings.json").read_text()),
    )


@contextlib.contextmanager
def served(db_path: Path):
    """A real `datasette` process serving the build at `db_path` (without the environment's
    TWEET_ARCHIVE_MEDIA_ROOT): yields its base URL, and stops the process afterwards."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if k != "TWEET_ARCHIVE_MEDIA_ROOT"}
    process = start(Site().serve_command(db_path, "127.0.0.1", port), base, env=env)
    try:
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)
