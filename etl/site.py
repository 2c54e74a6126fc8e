"""The site's one shape: a Datasette configuration directory.

A publish writes the folder (the database, metadata.json, settings.json, inspect-data.json:
`write_config`), and everything that runs the site starts from that folder, through one
function each: local serving (`serve_command`: `datasette FOLDER`), the smoke test and the
tests (`datasette`: the same configuration in process), the deployable folder (the same
folder, with its wheelhouse and install script beside) and every cloud target
(`publish_command`: `datasette publish`, its flags read from the folder's files). So what is
tested is what is deployed, and no command lists settings or paths of its own.
"""

from __future__ import annotations

import asyncio
import json
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
DATABASE_NAME = "archive"
# The metadata every publish starts from (it adds the plugins' configuration of its own).
METADATA = PROJECT / "metadata.yml"

# Exactly what the site needs at run time, pinned; pyproject.toml pins the same versions
# (tests/publish/test_publish.py checks that the two agree).
SITE_REQUIREMENTS = [
    # tweet_site/hooks/static_files.py gzips pages, CSS and scripts with its middleware.
    "asgi-gzip==0.3",
    "datasette==0.65.5",
    "datasette-atom==0.9",
    "datasette-block-robots==1.1.1",
    "datasette-cluster-map==0.18.2",
    "datasette-dashboards==0.8.0",
    # tweet_site/hooks/server_limits.py extends uvicorn's HTTP/1.1 protocol (h11).
    "h11==0.16.0",
    # The time zones' rules (zoneinfo) where the system has none (tweet_site/zones.py).
    "tzdata==2026.6",
    "uvicorn==0.55.0",
]

# Written to the folder's settings.json; every way of running the site reads them there.
SETTINGS = {
    "sql_time_limit_ms": 3000,
    "max_returned_rows": 1000,
    "default_page_size": 50,
    "facet_time_limit_ms": 500,
    # Suggested facets cost about 2 s on the tweets table at a million tweets.
    "suggest_facets": False,
    "default_cache_ttl": 3600,
    "allow_download": False,
    "allow_csv_stream": True,
    "max_csv_mb": 50,
}

# The folder's files, as Datasette's configuration-directory mode reads them (0.65.5
# app.py: *.db, metadata.json, settings.json, and inspect-data.json, whose databases are
# served immutable), and what a deployable folder or a cloud image adds.
DB_FILE = f"{DATABASE_NAME}.db"
METADATA_FILE = "metadata.json"
SETTINGS_FILE = "settings.json"
INSPECT_FILE = "inspect-data.json"
MEDIA = "media"
WHEELS = "wheels"
REQUIREMENTS_FILE = "requirements.txt"

MEDIA_ROOT_ENV = "TWEET_ARCHIVE_MEDIA_ROOT"
# The datasette command of the environment this code runs in.
DATASETTE = str(Path(sys.executable).with_name("datasette"))


def setting_text(value) -> str:
    """A setting as the command line spells it (booleans are on/off there, true/false in
    settings.json, and a string "off" in settings.json would count as true)."""
    if isinstance(value, bool):
        return "on" if value else "off"
    return str(value)


def write_config(folder: Path, metadata: dict, settings: dict | None = None) -> None:
    """Make `folder`, which holds the site's database, the site: its metadata, its settings
    (SETTINGS unless given) and the database's precomputed counts. Publishing calls it for
    every target and the tests for every site they make."""
    folder = Path(folder)
    (folder / METADATA_FILE).write_text(json.dumps(metadata, indent=2))
    chosen = SETTINGS if settings is None else settings
    (folder / SETTINGS_FILE).write_text(json.dumps(chosen, indent=2))
    write_inspect(folder)


def write_inspect(folder: Path) -> None:
    """inspect-data.json for the folder's databases, as `datasette inspect` makes it (its own
    function), each named by its bare file name: Datasette serves a database of a
    configuration directory immutable only when named so, and the local path is nobody's
    business once deployed."""
    from datasette.cli import inspect_

    files = sorted(
        str(path) for pattern in ("*.db", "*.sqlite", "*.sqlite3") for path in folder.glob(pattern)
    )
    data = run_apart(inspect_(files, []))
    for entry in data.values():
        entry["file"] = Path(entry["file"]).name
    (folder / INSPECT_FILE).write_text(json.dumps(data, indent=2))


def run_apart(coroutine):
    """Run a coroutine to its end in a thread of its own: callers may be inside an event
    loop (an async test) or not (the command line)."""
    result = {}

    def target():
        try:
            result["value"] = asyncio.run(coroutine)
        except BaseException as error:  # re-raised in the caller's thread
            result["error"] = error

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if "error" in result:
        raise result["error"]
    return result["value"]


def datasette(folder: Path):
    """The site in `folder`, in process: the smoke test's and the tests' Datasette, configured
    exactly as `datasette FOLDER` configures the served one."""
    from datasette.app import Datasette

    return Datasette(config_dir=Path(folder))


def serve_command(folder: Path, host: str, port: int, *extra: str) -> list[str]:
    """The `datasette` command serving the site in `folder` (what `make publish` runs)."""
    # No explicit "serve": it is Datasette's default command, and --reload re-runs the
    # arguments against the serve command itself, where "serve" would be read as a file.
    return [DATASETTE, str(folder), "-h", host, "-p", str(port), *extra]


def publish_command(folder: Path, target: str, name: str) -> list[str]:
    """`datasette publish TARGET` for the site in `folder` (with its wheelhouse and
    requirements.txt), every flag read from the folder's files: its database, its metadata,
    settings.json as --setting flags, requirements.txt as --install (the site's wheel and
    media/ reach the image as static folders: `datasette publish` copies each into the
    image's working folder before it runs pip)."""
    folder = Path(folder)
    command = [DATASETTE, "publish", target, str(folder / DB_FILE)]
    command += ["--metadata", str(folder / METADATA_FILE)]
    for mount in (WHEELS, MEDIA):
        if (folder / mount).is_dir():
            command += ["--static", f"{mount}:{folder / mount}"]
    requirements = [
        line.strip()
        for line in (folder / REQUIREMENTS_FILE).read_text().splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    command += [part for requirement in requirements for part in ("--install", requirement)]
    settings = json.loads((folder / SETTINGS_FILE).read_text())
    flags = [
        part
        for setting, value in settings.items()
        for part in ("--setting", setting, setting_text(value))
    ]
    if target == "cloudrun":
        command += ["--service", name, "--max-instances", "3", "--extra-options", " ".join(flags)]
    elif target == "heroku":
        command += ["--name", name, "--extra-options", " ".join(flags)]
    elif target == "fly":
        command += ["--app", name, *flags]
    elif target == "vercel":
        command += ["--project", name, *flags]
    else:
        raise ValueError(f"no cloud target {target!r}")
    return command


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start(command: list[str], base: str, seconds: float = 30, **popen) -> subprocess.Popen:
    """Start a site and wait until it answers; raises with its error output if it dies."""
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, **popen)
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(f"{base}/-/versions.json", timeout=2):
                return process
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                error = process.stderr.read()
                raise RuntimeError(f"{base} did not start: {error[-2000:]!r}") from None
            time.sleep(0.1)
