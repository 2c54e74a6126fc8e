"""`tweets-etl publish`: the shared site definition, the targets' commands, the safety checks."""

import itertools
import json
import re
import shlex
import shutil
import socket
import sqlite3
import subprocess
import sys
import tomllib
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import sqlite_utils
import yaml
from click.testing import CliRunner
from datasette.app import Datasette
from datasette.cli import Setting

from etl import site
from etl.cli import cli
from etl.publish import Plan, PublishError, copy_media, ensure_port_free, publish
from etl.redact import Redactions
from etl.site import DATASETTE, SETTINGS, SITE_REQUIREMENTS, free_port, setting_text, start
from tests.helpers.build import run_build
from tests.helpers.paths import MARKDOWN, ROOT


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    db_path = tmp_path_factory.mktemp("publish") / "archive.db"
    assert run_build(db_path, MARKDOWN / "plain").exit_code == 0
    return db_path


# The site's own wheel (etl/site_wheel.py), which every target but the local one installs.
VERSION = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
WHEEL = f"tweets_etl_site-{VERSION}-py3-none-any.whl"


def test_site_requirements_are_the_projects_own_pins():
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert set(SITE_REQUIREMENTS) <= set(pyproject["project"]["dependencies"])
    assert all(re.fullmatch(r"[a-z0-9-]+==[0-9.]+", r) for r in SITE_REQUIREMENTS)


def test_the_served_site_is_its_folder_and_nothing_else(tmp_path):
    # Metadata, settings and counts are the folder's files; the site's plugins, templates and
    # static files are the installed tweet_site package.
    assert site.serve_command(tmp_path, "127.0.0.1", 8001, "--reload") == [
        DATASETTE,
        str(tmp_path),
        "-h",
        "127.0.0.1",
        "-p",
        "8001",
        "--reload",
    ]
    sqlite_utils.Database(tmp_path / "archive.db")["t"].insert({"id": 1})
    site.write_config(tmp_path, {"title": "T"})
    assert json.loads((tmp_path / "settings.json").read_text()) == SETTINGS
    assert SETTINGS["allow_download"] is False
    assert json.loads((tmp_path / "metadata.json").read_text()) == {"title": "T"}
    ds = site.datasette(tmp_path)
    assert ds.setting("allow_download") is False
    assert ds.databases["archive"].is_mutable is False


def expected_shared(work):
    return [
        "--metadata",
        str(work / "metadata.json"),
        "--static",
        f"wheels:{work / 'wheels'}",
        "--static",
        f"media:{work / 'media'}",
        "--install",
        "asgi-gzip==0.3",
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
        "--install",
        "h11==0.16.0",
        "--install",
        "tzdata==2026.6",
        "--install",
        "uvicorn==0.55.0",
        "--install",
        f"./wheels/{WHEEL}",
    ]


SETTING_PAIRS = [("--setting", k, setting_text(v)) for k, v in SETTINGS.items()]
EXTRA_OPTIONS = " ".join(" ".join(pair) for pair in SETTING_PAIRS)


@pytest.mark.slow
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
    work = built.parent / "archive.site"
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


@pytest.mark.slow
def test_media_url_serves_media_from_a_bucket_instead(built):
    plan = Plan(
        db=built, target="cloudrun", media_url="https://cdn.example.com/tweets/", dry_run=True
    )
    command = publish(plan, echo=lambda line: None)
    assert not any(part.startswith("media:") for part in command)
    import json

    metadata = json.loads((built.parent / "archive.site" / "metadata.json").read_text())
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


@pytest.mark.slow
def test_published_copy_has_no_local_paths_or_private_rows(built, tmp_path):
    plan = Plan(db=built, target="dir", out=tmp_path / "site")
    publish(plan, echo=lambda line: None)
    db = sqlite_utils.Database(tmp_path / "site" / "archive.db")
    assert [r["location"] for r in db["sources"].rows] == ["plain"]
    assert sorted(p.name for p in (tmp_path / "site").iterdir()) == [
        ".tweets-etl-site",
        "Dockerfile",
        "README.md",
        "archive.db",
        "inspect-data.json",
        "media",
        "metadata.json",
        "requirements.txt",
        "settings.json",
        "wheels",
    ]
    assert (tmp_path / "site" / "requirements.txt").read_text().splitlines() == [
        *SITE_REQUIREMENTS,
        f"./wheels/{WHEEL}",
    ]
    assert [p.name for p in (tmp_path / "site" / "wheels").iterdir()] == [WHEEL]


@pytest.mark.slow
def test_the_folder_serves_its_database_immutable_and_names_no_local_path(built, tmp_path):
    out = tmp_path / "site"
    publish(Plan(db=built, target="dir", out=out), echo=lambda line: None)
    inspect = json.loads((out / "inspect-data.json").read_text())
    assert inspect["archive"]["file"] == "archive.db"
    assert str(tmp_path) not in (out / "inspect-data.json").read_text()
    ds = site.datasette(out)
    assert ds.databases["archive"].is_mutable is False


@pytest.mark.slow
def test_the_site_is_told_the_largest_record_of_its_database(built, tmp_path):
    out = tmp_path / "site"
    publish(Plan(db=built, target="dir", out=out), echo=lambda line: None)
    config = json.loads((out / "metadata.json").read_text())["plugins"]["tweet-archive"]
    with sqlite3.connect(out / "archive.db") as conn:
        largest = conn.execute("select max(mx_payload) from dbstat").fetchone()[0]
    conn.close()
    assert config["longest_record"] == largest > 0


@pytest.mark.slow
def test_a_failing_page_stops_the_publish(built, monkeypatch, tmp_path):
    monkeypatch.setattr("etl.publish.SMOKE_PATHS", ["/", "/archive/no_such_table"])
    with pytest.raises(PublishError) as failed:
        publish(Plan(db=built, target="dir", out=tmp_path / "site"), echo=lambda line: None)
    log = tmp_path / ".site.publishing" / "smoke.log"
    assert failed.value.message == (
        f"smoke test failed: GET /archive/no_such_table answered 404; details in {log}"
    )
    assert log.read_text() == "GET /archive/no_such_table answered 404\n"


@pytest.mark.slow
def test_a_failing_publish_leaves_the_previous_folder_whole(built, monkeypatch, tmp_path):
    out = tmp_path / "site"
    publish(Plan(db=built, target="dir", out=out), echo=lambda line: None)
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    monkeypatch.setattr("etl.publish.SMOKE_PATHS", ["/", "/archive/no_such_table"])
    hide_photo_tweet = Redactions(tweets=[1136622189627809793])
    with pytest.raises(PublishError):
        plan = Plan(db=built, target="dir", out=out, redactions=hide_photo_tweet)
        publish(plan, echo=lambda line: None)
    after = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [".site.publishing", "site"]


def test_a_crashing_site_is_one_line_with_the_traceback_in_a_log(built, tmp_path, monkeypatch):
    # A plugin that refuses to start: datasette-block-robots, given both of its ways to list.
    metadata = yaml.safe_load((ROOT / "metadata.yml").read_text())
    metadata["plugins"]["datasette-block-robots"] = {"literal": "User-agent: *", "disallow": "/"}
    (tmp_path / "metadata.yml").write_text(yaml.safe_dump(metadata))
    monkeypatch.setattr("etl.site.METADATA", tmp_path / "metadata.yml")
    out = tmp_path / "site"
    with pytest.raises(PublishError) as failed:
        publish(Plan(db=built, target="dir", out=out), echo=lambda line: None)
    log = tmp_path / ".site.publishing" / "smoke.log"
    assert failed.value.message == (
        "smoke test failed: AssertionError: datasette-block-robots cannot be configured with "
        f"both disallow: and literal:; details in {log}"
    )
    assert "Traceback" in log.read_text()


@pytest.mark.slow
def test_the_smoke_test_fetches_a_media_file(built, tmp_path, monkeypatch):
    def media_of_a_missing_position(*args):
        media = copy_media(*args)
        media.sample = (media.sample[0], 9)
        return media

    monkeypatch.setattr("etl.publish.copy_media", media_of_a_missing_position)
    with pytest.raises(PublishError, match=r"GET /-/media/1136622189627809793/9 answered 404"):
        publish(Plan(db=built, target="dir", out=tmp_path / "site"), echo=lambda line: None)


@pytest.fixture
def moved(tmp_path):
    """A database built from an archive that was then moved away."""
    archive = tmp_path / "archive"
    shutil.copytree(MARKDOWN / "plain", archive)
    db_path = tmp_path / "archive.db"
    assert run_build(db_path, archive).exit_code == 0
    archive.rename(tmp_path / "elsewhere")
    return db_path, archive


@pytest.mark.parametrize("target", ["local", "dir", "cloudrun"])
def test_media_missing_since_the_build_stops_the_publish(moved, target, monkeypatch):
    def serve_locally(*args):
        raise AssertionError("served")  # instead of replacing the test process

    monkeypatch.setattr("etl.publish.serve_locally", serve_locally)
    db_path, archive = moved
    args = ["publish", str(db_path), "--target", target, "--dry-run", "--port", str(free_port())]
    result = CliRunner().invoke(cli, args)
    assert (result.exit_code, result.output) == (
        1,
        f"Error: 3 of 3 media files are missing from {archive} (moved or deleted since the "
        "build?): build again from where the archive is now, or pass --allow-missing-media "
        "to publish without them\n",
    )
    assert not (db_path.parent / f"{db_path.stem}.site" / "inspect-data.json").exists()


@pytest.mark.slow
def test_missing_media_can_be_accepted_with_a_loud_warning(moved):
    db_path, archive = moved
    args = ["publish", str(db_path), "--target", "cloudrun", "--dry-run"]
    result = CliRunner().invoke(cli, [*args, "--allow-missing-media"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[:2] == [
        f"WARNING: 3 of 3 media files are missing from {archive}; publishing without them "
        "(--allow-missing-media)",
        "Publishing 9 tweets and 0 media files (database "
        + result.output.splitlines()[1].split("(database ")[1],
    ]
    assert list((db_path.parent / f"{db_path.stem}.site" / "media").iterdir()) == []


@pytest.mark.slow
def test_relative_paths_from_outside_the_project(built, tmp_path, monkeypatch):
    shutil.copy(built, tmp_path / "mine.db")
    monkeypatch.chdir(tmp_path)
    args = ["publish", "mine.db", "--target", "dir", "--out", "site"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == (
        f"Wrote a deployable site to {tmp_path / 'site'} "
        f"(run it: cd {tmp_path / 'site'} && datasette serve .)"
    )
    assert (tmp_path / "site" / "media" / "media" / PHOTO).exists()


@pytest.mark.slow
def test_a_relative_build_publishes_from_another_folder(tmp_path, monkeypatch):
    shutil.copytree(MARKDOWN / "plain", tmp_path / "archive")
    monkeypatch.chdir(tmp_path)
    assert run_build("mine.db", "archive").exit_code == 0
    (tmp_path / "elsewhere").mkdir()
    monkeypatch.chdir(tmp_path / "elsewhere")
    args = ["publish", "../mine.db", "--target", "dir", "--out", "site"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert (tmp_path / "elsewhere" / "site" / "media" / "media" / PHOTO).exists()


PHOTO = "1136622189627809793-D8RwpR5XYAAxm79.png"
HOSTILE_MEDIA = {"media/page.html": "<script>alert(1)</script>", "media/evil.svg": "<svg/>"}


@pytest.fixture(scope="module")
def hostile_built(tmp_path_factory):
    """A database of an older build whose media rows point at an .html and an .svg file."""
    folder = tmp_path_factory.mktemp("hostile")
    archive = folder / "archive"
    shutil.copytree(MARKDOWN / "plain", archive)
    for path, text in HOSTILE_MEDIA.items():
        (archive / path).write_text(text)
    db_path = folder / "archive.db"
    assert run_build(db_path, archive).exit_code == 0
    db = sqlite_utils.Database(db_path)
    for position, path in enumerate(HOSTILE_MEDIA, start=5):
        db["media"].insert(
            {"tweet_id": 1136622189627809793, "position": position, "path": path, "source_id": 1}
        )
    db.conn.commit()
    db.close()
    return db_path


@pytest.mark.slow
def test_only_images_and_videos_are_copied(hostile_built, tmp_path):
    out, lines = tmp_path / "site", []
    publish(Plan(db=hostile_built, target="dir", out=out), echo=lines.append)
    assert (
        lines[0] == "Left out 2 media files that are not images or videos (such as media/page.html)"
    )
    assert lines[1].startswith("Publishing 9 tweets and 3 media files")
    assert sorted(p.name for p in (out / "media" / "media").iterdir()) == [
        "1136622189627809793-D8RwpR5XYAAxm79.png",
        "1136622189627809793-D8RwpR5XYAAxm80.png",
        "1139629759095349249-abcdefghijklmnop.mp4",
    ]


@pytest.mark.slow
@pytest.mark.asyncio
async def test_a_cloud_image_serves_media_only_through_the_media_route(
    hostile_built, tmp_path, monkeypatch
):
    command = publish(
        Plan(db=hostile_built, target="cloudrun", dry_run=True), echo=lambda line: None
    )
    work = hostile_built.parent / "archive.site"
    # What `datasette publish` builds: each --static folder copied to its mount name in /app.
    app = tmp_path / "app"
    mounts = [v.split(":", 1) for k, v in itertools.pairwise(command) if k == "--static"]
    for mount, folder in mounts:
        shutil.copytree(folder, app / mount)
    shutil.copy(work / "archive.db", app / "archive.db")
    monkeypatch.chdir(app)
    monkeypatch.delenv("TWEET_ARCHIVE_MEDIA_ROOT", raising=False)
    # and what its image runs: the command's metadata and --setting flags.
    options = dict(itertools.pairwise(command))
    flags = shlex.split(options["--extra-options"])
    assert set(flags[::3]) == {"--setting"}
    pairs = zip(flags[1::3], flags[2::3], strict=True)
    ds = Datasette(
        immutables=["archive.db"],
        metadata=json.loads(Path(options["--metadata"]).read_text()),
        static_mounts=[(mount, mount) for mount, _ in mounts],
        settings=dict(Setting().convert(pair, None, None) for pair in pairs),
    )
    photo = await ds.client.get("/-/media/1136622189627809793/0")
    assert (photo.status_code, photo.content) == (
        200,
        (MARKDOWN / "plain/media" / PHOTO).read_bytes(),
    )
    assert [photo.headers[h] for h in ("content-type", "x-content-type-options")] == [
        "image/png",
        "nosniff",
    ]
    assert photo.headers["content-security-policy"] == "default-src 'none'; sandbox"
    for path in ["/media/media/" + PHOTO, "/media/media/page.html", "/media/media/evil.svg"]:
        assert (await ds.client.get(path)).status_code == 404, path
    for position in (5, 6):
        response = await ds.client.get(f"/-/media/1136622189627809793/{position}")
        assert response.status_code == 404


WHEELHOUSE = ROOT / "build" / "wheelhouse"


def get(url):
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, response.headers.get("content-type"), response.read()


MEDIA_HEADERS = ["content-type", "x-content-type-options", "content-security-policy"]


@pytest.mark.slow
@pytest.mark.skipif(not WHEELHOUSE.exists(), reason="make install downloads build/wheelhouse")
def test_the_deployable_folder_runs_from_a_fresh_venv(hostile_built, tmp_path):
    site = tmp_path / "site"
    publish(Plan(db=hostile_built, target="dir", out=site), echo=lambda line: None)
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
            "requirements.txt",
        ],
        check=True,
        cwd=site,  # as its README says: the site's wheel is named relative to the folder
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
        # The reader's pages, templates and CSS, from the wheel installed in the venv.
        status, _, timeline = get(base + "/timeline")
        assert status == 200 and b'<link rel="stylesheet" href="/static/reader.css?v=' in timeline
        status, kind, css = get(base + "/static/reader.css")
        assert (status, kind) == (200, "text/css") and css.startswith(b"/* Reader pages")
        with urllib.request.urlopen(base + "/-/media/1136622189627809793/0") as response:
            assert [response.headers[h] for h in MEDIA_HEADERS] == [
                "image/png",
                "nosniff",
                "default-src 'none'; sandbox",
            ]
            assert response.read() == (MARKDOWN / "plain" / "media" / PHOTO).read_bytes()
        # media rows of an older build pointing at an .html and an .svg file
        for path in [*(f"/-/media/1136622189627809793/{n}" for n in (5, 6)), "/media/media/"]:
            with pytest.raises(urllib.error.HTTPError) as refused:
                get(base + path)
            assert refused.value.code == 404
        status, _, versions = get(base + "/-/versions.json")
        assert b'"version": "0.65.5"' in versions
        with pytest.raises(urllib.error.HTTPError) as refused:
            get(base + "/archive.db")  # allow_download off, from settings.json
        assert refused.value.code == 403
    finally:
        server.terminate()
        server.wait(10)


@pytest.mark.slow
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
    ds = site.datasette(out)
    response = await ds.client.get("/robots.txt")
    assert response.text == expected


@pytest.mark.slow
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


@pytest.mark.slow
@pytest.mark.asyncio
async def test_media_url_redirects_media_to_the_bucket(built, tmp_path):
    out = tmp_path / "site"
    plan = Plan(db=built, target="dir", out=out, media_url="https://cdn.example.com/tweets/")
    publish(plan, echo=lambda line: None)
    ds = site.datasette(out)
    response = await ds.client.get("/-/media/1136622189627809793/1")
    assert response.status_code == 302
    assert response.headers["location"] == (
        "https://cdn.example.com/tweets/media/1136622189627809793-D8RwpR5XYAAxm80.png"
    )
    assert not (out / "media").exists()


@pytest.mark.slow
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


@pytest.mark.slow
def test_media_of_tweets_hidden_since_an_earlier_publish_are_not_left_behind(built, tmp_path):
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


@pytest.mark.slow
@pytest.mark.asyncio
async def test_the_folder_serves_its_media_from_any_working_directory(built, tmp_path, monkeypatch):
    out = tmp_path / "site"
    publish(Plan(db=built, target="dir", out=out), echo=lambda line: None)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TWEET_ARCHIVE_MEDIA_ROOT", raising=False)
    ds = site.datasette(out)  # `datasette serve site`, without the Dockerfile's ENV
    response = await ds.client.get("/-/media/1136622189627809793/0")
    assert (response.status_code, response.content) == (
        200,
        (MARKDOWN / "plain" / "media" / PHOTO).read_bytes(),
    )


@pytest.mark.slow
def test_two_databases_in_one_folder_publish_to_folders_of_their_own(built, tmp_path):
    """Publishing b.db beside a.db must not rewrite the files a.db's site is served from."""
    for name in ("a.db", "b.db"):
        shutil.copy(built, tmp_path / name)
    publish(Plan(db=tmp_path / "a.db", target="heroku", dry_run=True), echo=lambda line: None)
    first = {p.name: p.stat().st_mtime_ns for p in (tmp_path / "a.site").iterdir()}
    command = publish(
        Plan(db=tmp_path / "b.db", target="heroku", dry_run=True), echo=lambda line: None
    )
    assert str(tmp_path / "b.site" / "archive.db") in command
    assert {p.name: p.stat().st_mtime_ns for p in (tmp_path / "a.site").iterdir()} == first
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix == ".site") == ["a.site", "b.site"]


def test_a_database_of_an_older_build_is_refused_with_one_line(built, tmp_path):
    # An older build has no local day bounds: its on-this-day page would fail on the site.
    old = tmp_path / "old.db"
    shutil.copy(built, old)
    with sqlite3.connect(old) as conn:
        conn.execute("alter table tweets_per_day drop column starts_at")
    out = tmp_path / "site"
    result = CliRunner().invoke(cli, ["publish", str(old), "--target", "dir", "--out", str(out)])
    assert (result.exit_code, result.output) == (
        1,
        f"Error: {old} was written by an older tweets-etl (it has no tweets_per_day.starts_at): "
        "build it again (`make build`, or `tweets-etl build DB ARCHIVE...`)\n",
    )
    assert not out.exists()


def test_a_file_that_is_no_database_is_refused_with_one_line(tmp_path):
    junk = tmp_path / "archive.db"
    junk.write_bytes(b"\x00not sqlite\xff" * 400)
    result = CliRunner().invoke(cli, ["publish", str(junk), "--target", "dir", "--out", "x"])
    assert (result.exit_code, result.output) == (
        1,
        f"Error: {junk}: not a database tweets-etl wrote (file is not a database)\n",
    )


# The wall (issue 19, item 3): a private archive (etl/private_wall.py's mark) is served on
# 127.0.0.1 alone; every other target refuses it with one line before writing anything.
def private_copy(built: Path, tmp_path: Path, mark: bool = True) -> Path:
    from etl.private_wall import mark_private

    db_path = tmp_path / "private.db"
    shutil.copy(built, db_path)
    db = sqlite_utils.Database(db_path)
    if mark:
        mark_private(db)
    db["followers"].insert({"account_id": "12345", "user_link": "https://example.invalid/u"})
    db.conn.commit()
    db.close()
    return db_path


def refusal_line(db_path: Path) -> str:
    return (
        f"Error: {db_path} is a private archive (DMs, followers, blocks): it can only be "
        f"explored locally: tweets-etl publish {db_path} --target local\n"
    )


@pytest.mark.parametrize(
    "target, extra",
    [
        ("dir", ["--out", "OUT"]),
        ("static", ["--out", "OUT"]),
        ("cloudrun", ["--dry-run"]),
        ("heroku", ["--dry-run"]),
        ("fly", ["--dry-run"]),
        ("vercel", ["--dry-run"]),
    ],
)
@pytest.mark.parametrize("mark", [True, False], ids=["marked", "unmarked-with-rows"])
def test_a_private_archive_is_refused_for_every_published_target(
    built, tmp_path, target, extra, mark
):
    db_path = private_copy(built, tmp_path, mark)
    out = tmp_path / "out"
    extra = [str(out) if part == "OUT" else part for part in extra]
    before = sorted(p.name for p in tmp_path.iterdir())
    result = CliRunner().invoke(cli, ["publish", str(db_path), "--target", target, *extra])
    assert (result.exit_code, result.output) == (1, refusal_line(db_path))
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # no out/, no private.site/


def test_a_private_archive_is_served_on_127_0_0_1_only(built, tmp_path):
    db_path = private_copy(built, tmp_path)
    result = CliRunner().invoke(
        cli, ["publish", str(db_path), "--host", "0.0.0.0", "--port", str(free_port())]
    )
    assert (result.exit_code, result.output) == (
        1,
        f"Error: {db_path} is a private archive: it is served on 127.0.0.1 only, not on 0.0.0.0\n",
    )
    assert not (tmp_path / "private.site").exists()


@pytest.mark.slow
@pytest.mark.asyncio
async def test_a_private_archive_served_locally_keeps_its_tables_and_says_so(
    built, tmp_path, monkeypatch
):
    served = []
    monkeypatch.setattr("etl.publish.serve_locally", lambda *args: served.append(args))
    db_path = private_copy(built, tmp_path)
    publish(Plan(db=db_path, target="local", port=free_port()), echo=lambda line: None)
    work = tmp_path / "private.site"
    assert [args[1] for args in served] == [work]
    db = sqlite_utils.Database(work / "archive.db")
    assert {"private_archive", "followers"} <= set(db.table_names())
    assert db.execute("select count(*) from followers").fetchone() == (1,)
    ds = site.datasette(work)
    for path in ("/", "/archive/tweets", "/archive/tweets/1136622189627809793"):
        page = (await ds.client.get(path)).text
        assert page.count("Private archive — for your eyes only") == 1, path


@pytest.mark.slow
@pytest.mark.asyncio
async def test_a_published_site_has_no_private_banner_and_no_private_table(built, tmp_path):
    db_path = tmp_path / "public.db"
    shutil.copy(built, db_path)
    db = sqlite_utils.Database(db_path)
    # Empty private tables and a view over one (as a normal build may have): dropped.
    db["dm_messages"].create({"id": str, "text": str})
    db["blocks"].create({"account_id": str, "user_link": str})
    db.execute("create view dm_view as select * from dm_messages")
    db.conn.commit()
    db.close()
    out = tmp_path / "site"
    publish(Plan(db=db_path, target="dir", out=out), echo=lambda line: None)
    names = sqlite_utils.Database(out / "archive.db").execute(
        "select name from sqlite_master where name like 'dm%' or name in ('blocks', "
        "'private_archive')"
    )
    assert names.fetchall() == []
    page = (await site.datasette(out).client.get("/")).text
    assert "Private archive" not in page


@pytest.mark.asyncio
async def test_a_private_build_is_refused_for_a_folder_and_served_locally(tmp_path, monkeypatch):
    from tests.helpers.paths import FIXTURES

    db_path = tmp_path / "private.db"
    result = run_build(db_path, FIXTURES / "private", args=["--private"])
    assert result.exit_code == 0, result.output
    out = tmp_path / "out"
    refused = CliRunner().invoke(
        cli, ["publish", str(db_path), "--target", "dir", "--out", str(out)]
    )
    assert (refused.exit_code, refused.output) == (1, refusal_line(db_path))
    served = []
    monkeypatch.setattr("etl.publish.serve_locally", lambda *args: served.append(args))
    publish(Plan(db=db_path, target="local", port=free_port()), echo=lambda line: None)
    ds = site.datasette(tmp_path / "private.site")
    for path in ("/", "/archive/followers", "/archive/dm_messages"):
        response = await ds.client.get(path)
        assert response.status_code == 200, path
        assert "Private archive — for your eyes only" in response.text, path
    assert not out.exists()
