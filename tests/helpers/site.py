"""The site under test, in the shape every publish gives it: in process or served."""

import contextlib
import hashlib
import json
import os
import shutil
from pathlib import Path

import yaml

from etl import site
from etl.site import free_port, start

# The folder site_folder makes its folders in: the session's temporary folder (conftest.py's
# _site_folders fixture).
SITE_FOLDERS: list[Path] = []


def site_folder(db_path, metadata=None, settings=None) -> Path:
    """The site of the database at `db_path` in the shape every publish gives it: a folder
    holding the database (linked, under its own name) made a Datasette configuration
    directory by publish's own writer, site.write_config (metadata.yml's metadata unless
    given; the production settings, etl/site.py, unless given). One folder per database
    state, metadata and settings, made once."""
    db_path = Path(db_path).absolute()
    if metadata is None:
        metadata = yaml.safe_load(site.METADATA.read_text())
    if settings is None:
        settings = dict(site.SETTINGS)
    stat = db_path.stat()
    key = json.dumps(
        [str(db_path), stat.st_mtime_ns, stat.st_size, metadata, settings], sort_keys=True
    )
    folder = SITE_FOLDERS[-1] / hashlib.sha256(key.encode()).hexdigest()[:16]
    if not folder.exists():
        making = folder.with_name(folder.name + ".making")
        shutil.rmtree(making, ignore_errors=True)
        making.mkdir()
        (making / db_path.name).symlink_to(db_path)
        site.write_config(making, metadata, settings)
        making.rename(folder)
    return folder


def make_datasette(db_path, metadata=None, settings=None):
    """The site of the database at `db_path`, as the smoke test and `datasette FOLDER` make
    it: site.datasette of its site_folder."""
    return site.datasette(site_folder(db_path, metadata, settings))


async def get_json(ds, path):
    response = await ds.client.get(path)
    assert response.status_code == 200, (path, response.text[:500])
    return response.json()


@contextlib.contextmanager
def served(db_path: Path):
    """A real `datasette` process serving the build at `db_path` as `make publish` serves a
    site (site.serve_command of its site_folder; without the environment's
    TWEET_ARCHIVE_MEDIA_ROOT): yields its base URL, and stops the process afterwards."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if k != "TWEET_ARCHIVE_MEDIA_ROOT"}
    command = site.serve_command(site_folder(db_path), "127.0.0.1", port)
    process = start(command, base, env=env)
    try:
        yield base
    finally:
        process.terminate()
        process.wait(timeout=10)
