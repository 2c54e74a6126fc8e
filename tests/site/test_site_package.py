"""The site is the installed tweet_site package: plain `datasette -i archive.db -m metadata.yml`
serves the reader site, and every publish target installs the package (its wheel) rather
than pointing Datasette at folders of the checkout."""

import json
import os
import shlex
import subprocess
import sys
import urllib.request
import zipfile
from pathlib import Path

import pytest

from etl import site_wheel
from etl.publish import Plan, publish
from etl.site import DATASETTE, free_port, start
from tests.helpers.build import run_build
from tests.helpers.paths import IDS, MARKDOWN, ROOT

STATIC = ROOT / "tweet_site" / "static"
WHEELHOUSE = ROOT / "build" / "wheelhouse"
PHOTO = "1136622189627809793-D8RwpR5XYAAxm79.png"


def get(url):
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, response.headers.get("content-type"), response.read().decode()


def without_media_root():
    return {k: v for k, v in os.environ.items() if k != "TWEET_ARCHIVE_MEDIA_ROOT"}


def test_plain_datasette_serves_the_reader_site(site_db, tmp_path):
    """No --plugins-dir, --template-dir or --static: the installed package is the site."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    command = [DATASETTE, "-i", str(site_db), "-m", str(ROOT / "metadata.yml"), "-p", str(port)]
    server = start(command, base, cwd=tmp_path, env=without_media_root())
    try:
        status, _, home = get(base + "/")
        assert status == 200
        assert "<title>@site_owner — tweet archive</title>" in home
        assert '<link rel="stylesheet" href="/static/archive.css?v=' in home
        status, _, search = get(base + "/search?q=sunset")
        assert status == 200 and '<link rel="stylesheet" href="/static/search.css?v=' in search
        assert f'data-tweet-id="{IDS["photo"]}"' in search
        status, _, tweet = get(f"{base}/archive/tweets/{IDS['photo']}")
        assert status == 200 and "Sunset over the bay" in tweet
        assert 'class="tweet-text"' in tweet  # the site's card, not Datasette's row page
        for name in ("archive.css", "search.css", "reader.css"):
            assert get(f"{base}/static/{name}") == (200, "text/css", (STATIC / name).read_text())
    finally:
        server.terminate()
        server.wait(10)


def test_datasette_plugins_lists_the_package():
    result = subprocess.run([DATASETTE, "plugins"], capture_output=True, text=True, check=True)
    plugins = {plugin["name"]: plugin for plugin in json.loads(result.stdout)}
    assert (plugins["tweet_site"]["templates"], plugins["tweet_site"]["static"]) == (True, True)
    assert plugins["tweet_site.hooks.render_tweets"]["hooks"] == [
        "extra_css_urls",
        "extra_js_urls",
        "prepare_jinja2_environment",
        "render_cell",
    ]


def test_the_site_wheel_holds_the_package_and_is_the_same_every_time(tmp_path):
    one = site_wheel.build_wheel(tmp_path / "one")
    two = site_wheel.build_wheel(tmp_path / "two")
    assert one.read_bytes() == two.read_bytes()
    names = zipfile.ZipFile(one).namelist()
    dist_info = one.name.removesuffix("-py3-none-any.whl") + ".dist-info"
    assert {n for n in names if not n.startswith(dist_info)} == {
        path.relative_to(ROOT).as_posix()
        for path in (ROOT / "tweet_site").rglob("*")
        if path.is_file() and "__pycache__" not in path.parts and path.name != ".gitkeep"
    }
    entry_points = zipfile.ZipFile(one).read(f"{dist_info}/entry_points.txt").decode()
    assert entry_points == "[datasette]\ntweet_site = tweet_site.plugin\n"


FAKE_GCLOUD = """#!/bin/sh
# gcloud as `datasette publish cloudrun` calls it: the image's build folder is kept.
case "$*" in
    "config get-value project") echo test-project ;;
    "builds submit"*) cp -r . "$BUILD_FOLDER" ;;
esac
"""


def dockerfile_lines(folder: Path, instruction: str) -> list[str]:
    """What follows `instruction` on each line of the Dockerfile it starts."""
    return [
        line.removeprefix(instruction + " ")
        for line in (folder / "Dockerfile").read_text().splitlines()
        if line.startswith(instruction + " ")
    ]


@pytest.mark.slow
@pytest.mark.skipif(not WHEELHOUSE.exists(), reason="make install downloads build/wheelhouse")
def test_a_cloud_image_installs_the_site(tmp_path, monkeypatch):
    """`datasette publish cloudrun` for real, with a gcloud that keeps the image's folder;
    the image is then built by hand: its Dockerfile's pip install in a fresh venv (offline),
    its inspect and its command."""
    db_path = tmp_path / "build" / "archive.db"
    assert run_build(db_path, MARKDOWN / "plain").exit_code == 0
    tools = tmp_path / "bin"
    tools.mkdir()
    (tools / "gcloud").write_text(FAKE_GCLOUD)
    (tools / "gcloud").chmod(0o755)
    app = tmp_path / "app"
    monkeypatch.setenv("PATH", f"{tools}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("BUILD_FOLDER", str(app))
    publish(Plan(db=db_path, target="cloudrun", name="tweets"), echo=lambda line: None)
    assert sorted(p.name for p in (app / "wheels").iterdir()) == [
        site_wheel.build_wheel(tmp_path / "wheel").name
    ]
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    (install,) = dockerfile_lines(app, "RUN pip install -U")
    pip = [str(venv / "bin" / "pip"), "install", "--quiet", "--no-index"]
    pip += ["--find-links", str(WHEELHOUSE), *shlex.split(install)]
    subprocess.run(pip, check=True, cwd=app)
    env = {**without_media_root(), "PATH": f"{venv / 'bin'}{os.pathsep}{os.environ['PATH']}"}
    (inspect,) = dockerfile_lines(app, "RUN datasette inspect")
    subprocess.run(["datasette", "inspect", *shlex.split(inspect)], check=True, cwd=app, env=env)
    port = free_port()
    (command,) = dockerfile_lines(app, "CMD")
    command = shlex.split(command.replace("$PORT", str(port)).replace("0.0.0.0", "127.0.0.1"))
    base = f"http://127.0.0.1:{port}"
    server = start([str(venv / "bin" / command[0]), *command[1:]], base, cwd=app, env=env)
    try:
        status, _, timeline = get(base + "/timeline")
        assert status == 200 and '<link rel="stylesheet" href="/static/reader.css?v=' in timeline
        assert get(base + "/static/reader.css")[:2] == (200, "text/css")
        status, _, page = get(base + "/archive/tweets/1136622189627809793")
        assert status == 200 and "Who wants to play?" in page
        with urllib.request.urlopen(base + "/-/media/1136622189627809793/0") as response:
            assert response.headers["content-type"] == "image/png"
            assert response.read() == (MARKDOWN / "plain" / "media" / PHOTO).read_bytes()
    finally:
        server.terminate()
        server.wait(10)
