"""How the site is served: defined once, used by local serving, the deployable folder and
every cloud target, so the three can't drift apart (the classic failure: a publish command
whose --install list no longer matches what runs locally)."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

PROJECT = Path(__file__).resolve().parent.parent
DATABASE_NAME = "archive"

# Exactly what the site needs at run time, pinned; pyproject.toml pins the same versions
# (tests/publish/test_publish.py checks that the two agree).
SITE_REQUIREMENTS = [
    "datasette==0.65.5",
    "datasette-atom==0.9",
    "datasette-block-robots==1.1.1",
    "datasette-cluster-map==0.18.2",
    "datasette-dashboards==0.8.0",
    # tweet_site/hooks/server_limits.py extends uvicorn's HTTP/1.1 protocol (h11).
    "h11==0.16.0",
    "uvicorn==0.55.0",
]

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

MEDIA_ROOT_ENV = "TWEET_ARCHIVE_MEDIA_ROOT"
# The datasette command of the environment this code runs in.
DATASETTE = str(Path(sys.executable).with_name("datasette"))


def setting_text(value) -> str:
    """A setting as the command line spells it (booleans are on/off there, true/false in
    settings.json, and a string "off" in settings.json would count as true)."""
    if isinstance(value, bool):
        return "on" if value else "off"
    return str(value)


@dataclass
class Site:
    """The site's metadata and settings; its plugins, templates and static files are the
    installed tweet_site package (an editable install here, a wheel wherever it is deployed)."""

    metadata: Path = PROJECT / "metadata.yml"
    settings: dict = field(default_factory=lambda: dict(SETTINGS))
    requirements: list[str] = field(default_factory=lambda: list(SITE_REQUIREMENTS))

    def serve_options(self) -> list[str]:
        """`datasette serve` options shared by every way of running the site."""
        options = ["--metadata", str(self.metadata)]
        for name, value in self.settings.items():
            options += ["--setting", name, setting_text(value)]
        return options

    def setting_flags(self) -> list[str]:
        return [f"--setting {name} {setting_text(value)}" for name, value in self.settings.items()]

    def serve_command(
        self, db_path: Path, host: str, port: int, metadata: Path | None = None, *extra: str
    ) -> list[str]:
        """The whole `datasette` command line serving the immutable database."""
        options = self.serve_options()
        if metadata is not None:
            options[options.index("--metadata") + 1] = str(metadata)
        # No explicit "serve": it is Datasette's default command, and --reload re-runs the
        # arguments against the serve command itself, where "serve" would be read as a file.
        return [
            DATASETTE,
            "-i",
            str(db_path),
            *options,
            "-h",
            host,
            "-p",
            str(port),
            *extra,
        ]

    def install_options(self) -> list[str]:
        """`datasette publish` options that pin the image's packages."""
        return [option for req in self.requirements for option in ("--install", req)]


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
