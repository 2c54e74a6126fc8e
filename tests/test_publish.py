"""`tweets-etl publish`: the shared site definition, the targets' commands, the safety checks."""

import re
import shlex
import socket
import subprocess
import sys
import tomllib
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import sqlite_utils
from click.testing import CliRunner

from etl.cli import cli
from etl.publish import Plan, PublishError, ensure_port_free, publish
from etl.site import SETTINGS, SITE_REQUIREMENTS, Site, free_port, setting_text, start

from .conftest import MARKDOWN, ROOT, bundle_datasette, run_build


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    db_path = tmp_path_factory.mktemp("publish") / "archive.db"
    assert run_build(db_path, MARKDOWN / "plain").exit_code == 0
    return db_path


def test_site_requirements_are_the_projects_own_pins():
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert set(SITE_REQUIREMENTS) <= set(pyproject["project"]["dependencies"])
    assert all(re.fullmatch(r"[a-z0-9-]+==[0-9.]+", r) for r in SITE_REQUIREMENTS)


def test_serve_options_come_from_one_place():
    site = Site()
    options = site.serve_options()
    assert options[:8] == [
        "--metadata",
        str(ROOT / "metadata.yml"),
        "--plugins-dir",
        str(ROOT / "plugins"),
        "--template-dir",
        str(ROOT / "templates"),
        "--static",
        f"static:{ROOT / 'static'}",
    ]
    assert options[8:] == [
        part
        for name, value in SETTINGS.items()
        for part in ("--setting", name, setting_text(value))
    ]
    assert "--setting allow_download off" in " ".join(options)
    assert SETTINGS["allow_download"] is False


def expected_shared(work):
    return [
        "--metadata",
        str(work / "metadata.json"),
        "--plugins-dir",
        str(ROOT / "plugins"),
        "--template-dir",
        str(ROOT / "templates"),
        "--static",
        f"static:{ROOT / 'static'}",
        "--static",
        f"media:{work / 'media'}",
        "--install",
        "datasette==0.65.5",
        "--install",
        "datasette-atom==0.9",
        "--install",
        "datasette-block-robots==1.1.1",
        "--install",
        "datasette-cluster-map==0.18.2",
        "--install",
        "datasette-dashboards==0.8.0",
    ]


SETTING_PAIRS = [("--setting", k, setting_text(v)) for k, v in SETTINGS.items()]
EXTRA_OPTIONS = " ".join(" ".join(pair) for pair in SETTING_PAIRS)


@pytest.mark.parametrize(
    "target, tail",
    [
        (
            "cloudrun",
            ["--service", "my-tweets", "--max-instances", "3", "--extra-options", EXTRA_OPTIONS],
        ),
        ("heroku", ["--name", "my-tweets", "--extra-options", EXTRA_OPTIONS]),
        ("fly", ["--app", "my-tweets", *[p for pair in SETTING_PAIRS for p in pair]]),
        ("vercel", ["--project", "my-tweets", *[p for pair in SETTING_PAIRS for p in pair]]),
    ],
)
def test_cloud_dry_run_prints_the_exact_command(built, tmp_path, target, tail):
    plan = Plan(db=built, target=target, name="my-tweets", dry_run=True)
    printed = []
    command = publish(plan, echo=printed.append)
    work = built.parent / "site"
    assert command[1:] == [
        "publish",
        target,
        str(work / "archive.db"),
        *expected_shared(work),
        *tail,
    ]
    assert printed[-1] == shlex.join(command)
    assert printed[0].startswith("Publishing 9 tweets and 3 media files")
    assert (work / "media" / "media" / "1136622189627809793-D8RwpR5XYAAxm79.png").exists()


def test_media_url_serves_media_from_a_bucket_instead(built):
    plan = Plan(
        db=built, target="cloudrun", media_url="https://cdn.example.com/tweets/", dry_run=True
    )
    command = publish(plan, echo=lambda line: None)
    assert not any(part.startswith("media:") for part in command)
    import json

    metadata = json.loads((built.parent / "site" / "metadata.json").read_text())
    assert metadata["plugins"]["tweet-archive"]["media_url"] == "https://cdn.example.com/tweets"


def test_missing_cloud_tool_is_one_clear_line(built, monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    result = CliRunner().invoke(cli, ["publish", str(built), "--target", "cloudrun"])
    assert result.exit_code == 1
    assert result.output == (
        "Error: TARGET=cloudrun needs the Google Cloud SDK (gcloud), logged in with "
        "`gcloud auth login`; `gcloud` is not on PATH\n"
    )


def test_a_second_local_publish_on_a_busy_port_fails_clearly():
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        with pytest.raises(PublishError, match=f"port {port} on 127.0.0.1 is in use"):
            ensure_port_free("127.0.0.1", port)


def test_missing_database_is_a_clear_error(tmp_path):
    result = CliRunner().invoke(cli, ["publish", str(tmp_path / "nope.db")])
    assert result.exit_code == 1
    assert result.output == f"Error: {tmp_path / 'nope.db'}: no database; run `make build` first\n"


def test_published_copy_has_no_local_paths_or_private_rows(built, tmp_path):
    plan = Plan(db=built, target="dir", out=tmp_path / "site")
    publish(plan, echo=lambda line: None)
    db = sqlite_utils.Database(tmp_path / "site" / "archive.db")
    assert [r["location"] for r in db["sources"].rows] == ["plain"]
    assert sorted(p.name for p in (tmp_path / "site").iterdir()) == [
        "Dockerfile",
        "README.md",
        "archive.db",
        "inspect-data.json",
        "media",
        "metadata.json",
        "plugins",
        "requirements.txt",
        "settings.json",
        "static",
        "templates",
    ]
    assert (tmp_path / "site" / "requirements.txt").read_text().splitlines() == SITE_REQUIREMENTS


def test_a_failing_page_stops_the_publish(built, monkeypatch):
    monkeypatch.setattr("etl.publish.SMOKE_PATHS", ["/", "/archive/no_such_table"])
    with pytest.raises(
        PublishError, match="smoke test failed: GET /archive/no_such_table answered 404"
    ):
        publish(Plan(db=built, target="dir"), echo=lambda line: None)


WHEELHOUSE = ROOT / "build" / "wheelhouse"


def get(url):
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, response.headers.get("content-type"), response.read()


@pytest.mark.skipif(not WHEELHOUSE.exists(), reason="make install downloads build/wheelhouse")
def test_the_deployable_folder_runs_from_a_fresh_venv(built, tmp_path):
    site = tmp_path / "site"
    publish(Plan(db=built, target="dir", out=site), echo=lambda line: None)
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run(
        [
            str(venv / "bin" / "pip"),
            "install",
            "--quiet",
            "--no-index",
            "--find-links",
            str(WHEELHOUSE),
            "-r",
            str(site / "requirements.txt"),
        ],
        check=True,
    )
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    command = [str(venv / "bin" / "datasette"), "serve", ".", "-h", "127.0.0.1", "-p", str(port)]
    server = start(command, base, cwd=site)
    try:
        status, _, home = get(base + "/")
        assert status == 200 and b"archive" in home
        status, _, page = get(base + "/archive/tweets/1136622189627809793")
        assert status == 200 and b"Who wants to play?" in page
        status, kind, body = get(base + "/-/media/1136622189627809793/0")
        assert (status, kind) == (200, "image/png")
        assert (
            body
            == (
                MARKDOWN / "plain" / "media" / "1136622189627809793-D8RwpR5XYAAxm79.png"
            ).read_bytes()
        )
        status, _, versions = get(base + "/-/versions.json")
        assert b'"version": "0.65.5"' in versions
        with pytest.raises(urllib.error.HTTPError) as refused:
            get(base + "/archive.db")  # allow_download off, from settings.json
        assert refused.value.code == 403
    finally:
        server.terminate()
        server.wait(10)


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "robots, expected",
    [
        (
            "index",
            "User-agent: *\nDisallow: /archive?sql=\nDisallow: /archive.json?sql=\n"
            "Disallow: /archive.csv?sql=\nDisallow: /-/",
        ),
        ("noindex", "User-agent: *\nDisallow: /"),
    ],
)
async def test_robots_policy(built, tmp_path, robots, expected):
    out = tmp_path / "site"
    publish(Plan(db=built, target="dir", out=out, robots=robots), echo=lambda line: None)
    ds = bundle_datasette(out)
    response = await ds.client.get("/robots.txt")
    assert response.text == expected


def test_the_command_line_reaches_every_option(built):
    result = CliRunner().invoke(
        cli,
        [
            "publish",
            str(built),
            "--target",
            "fly",
            "--dry-run",
            "--robots",
            "noindex",
            "--name",
            "my-tweets",
            "--include-likes",
            "--media-url",
            "https://cdn.example.com/m",
        ],
    )
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1].endswith(
        "--app my-tweets " + " ".join(" ".join(pair) for pair in SETTING_PAIRS)
    )


@pytest.mark.asyncio
async def test_media_url_redirects_media_to_the_bucket(built, tmp_path):
    out = tmp_path / "site"
    plan = Plan(db=built, target="dir", out=out, media_url="https://cdn.example.com/tweets/")
    publish(plan, echo=lambda line: None)
    ds = bundle_datasette(out)
    response = await ds.client.get("/-/media/1136622189627809793/1")
    assert response.status_code == 302
    assert response.headers["location"] == (
        "https://cdn.example.com/tweets/media/1136622189627809793-D8RwpR5XYAAxm80.png"
    )
    assert not (out / "media").exists()


@pytest.mark.parametrize("extra", [[], ["--reload"]])
def test_local_publish_serves_until_interrupted(built, extra):
    import os
    import signal

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    tweets_etl = str(Path(sys.executable).with_name("tweets-etl"))
    command = [tweets_etl, "publish", str(built), "--port", str(port), *extra]
    server = start(command, base, seconds=60, start_new_session=True)
    try:
        status, _, page = get(base + "/archive/tweets/1136622189627809793")
        assert status == 200 and b"Who wants to play?" in page
        assert get(base + "/-/media/1136622189627809793/0")[:2] == (200, "image/png")
    finally:
        os.killpg(server.pid, signal.SIGINT)  # Ctrl-C
        server.wait(20)
    with pytest.raises(OSError):
        get(base + "/")


def test_media_of_tweets_hidden_since_an_earlier_publish_are_not_left_behind(built, tmp_path):
    from etl.redact import Redactions

    out = tmp_path / "site"
    publish(Plan(db=built, target="dir", out=out), echo=lambda line: None)
    photo = out / "media" / "media" / "1136622189627809793-D8RwpR5XYAAxm79.png"
    assert photo.exists()
    hidden = Plan(
        db=built, target="dir", out=out, redactions=Redactions(tweets=[1136622189627809793])
    )
    lines = []
    publish(hidden, echo=lines.append)
    assert not photo.exists()
    assert lines[0].startswith("Publishing 8 tweets and 1 media files")
