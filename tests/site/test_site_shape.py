"""The site has one shape, the publish folder (etl/site.py): a Datasette configuration
directory that local serving, the smoke test, the tests' fixtures, the deployable folder and
every cloud command start from, so what is tested is what is deployed."""

import json
import os
import re
import shlex
import signal
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from etl import site
from etl.publish import SMOKE_PATHS, Plan, PublishError, publish
from tests.helpers.build import run_build
from tests.helpers.paths import IDS, MARKDOWN
from tests.helpers.site import make_datasette, site_folder

CLOUDS = ["cloudrun", "heroku", "fly", "vercel"]


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    db_path = tmp_path_factory.mktemp("shape") / "archive.db"
    assert run_build(db_path, MARKDOWN / "plain").exit_code == 0
    return db_path


def get(url):
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.headers.get("content-type"), response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("content-type"), error.read()


class Served(Exception):
    """What publish would have replaced its process with."""


@pytest.mark.slow
@pytest.mark.asyncio
async def test_a_setting_changed_in_one_place_reaches_every_shape(built, tmp_path, monkeypatch):
    # A page that answers only when the site allows downloads (production: it does not).
    monkeypatch.setattr("etl.publish.SMOKE_PATHS", [*SMOKE_PATHS, "/archive.db"])
    with pytest.raises(PublishError, match="GET /archive.db answered 403"):
        publish(Plan(db=built, target="heroku", dry_run=True), echo=lambda line: None)

    monkeypatch.setitem(site.SETTINGS, "allow_download", True)  # the one place
    smoked = []
    smoke_test = sys.modules["etl.publish"].smoke_test

    def recorded_smoke_test(folder, *args):
        smoked.append(folder)
        return smoke_test(folder, *args)

    def execve(path, args, env):
        raise Served(args, env)

    monkeypatch.setattr("etl.publish.smoke_test", recorded_smoke_test)
    monkeypatch.setattr("etl.publish.os.execve", execve)
    work = built.parent / "archive.site"

    # Local serving: `datasette FOLDER` and nothing else, the folder the smoke test passed.
    port = site.free_port()
    with pytest.raises(Served) as served:
        publish(Plan(db=built, port=port), echo=lambda line: None)
    command, env = served.value.args
    assert command == site.serve_command(work, "127.0.0.1", port)
    assert smoked == [work]
    base = f"http://127.0.0.1:{port}"
    server = site.start(command, base, env=env)
    try:
        assert get(base + "/archive.db")[0] == 200
        assert b'"allow_download": true' in get(base + "/-/settings.json")[2]
    finally:
        server.terminate()
        server.wait(10)

    # The tests' fixtures: the same writer, the same Datasette.
    fixture = make_datasette(built)
    assert (await fixture.client.get("/archive.db")).status_code == 200

    # Every cloud command: what the folder holds, and no setting or path of its own.
    for target in CLOUDS:
        command = publish(Plan(db=built, target=target, name="n", dry_run=True), print)
        assert smoked[-1] == work
        assert command[:4] == [site.DATASETTE, "publish", target, str(work / "archive.db")]
        assert command[command.index("--metadata") + 1] == str(work / "metadata.json")
        statics = [command[i + 1] for i, part in enumerate(command) if part == "--static"]
        assert statics == [f"wheels:{work / 'wheels'}", f"media:{work / 'media'}"]
        installs = [command[i + 1] for i, part in enumerate(command) if part == "--install"]
        assert installs == (work / "requirements.txt").read_text().splitlines()
        assert "--setting allow_download on" in shlex.join(command)
        assert "--setting allow_download off" not in shlex.join(command)

    # The deployable folder: the same configuration directory.
    out = tmp_path / "site"
    publish(Plan(db=built, target="dir", out=out), echo=lambda line: None)
    assert smoked[-1] == out.with_name(".site.publishing")
    deployed = site.datasette(out)
    assert (await deployed.client.get("/archive.db")).status_code == 200
    assert (out / "settings.json").read_bytes() == (work / "settings.json").read_bytes()


@pytest.mark.slow
def test_the_fixtures_folder_is_a_published_folders_shape(built, tmp_path):
    out = tmp_path / "site"
    publish(Plan(db=built, target="dir", out=out), echo=lambda line: None)
    folder = site_folder(built)
    config = ["archive.db", "inspect-data.json", "metadata.json", "settings.json"]
    assert sorted(path.name for path in folder.iterdir()) == config
    assert {path.name for path in out.iterdir()} >= set(config)
    assert (folder / "settings.json").read_text() == (out / "settings.json").read_text()
    # The same database, as the publish copied it (its own hash: local paths are dropped).
    tested, deployed = (json.loads((f / "inspect-data.json").read_text()) for f in (folder, out))
    assert tested.keys() == deployed.keys() == {"archive"}
    assert tested["archive"]["file"] == deployed["archive"]["file"] == "archive.db"
    assert tested["archive"]["tables"] == deployed["archive"]["tables"]


PAGES = [
    "/",
    "/archive",
    f"/archive/tweets/{IDS['photo']}",
    f"/archive/tweets/{IDS['japanese']}",
    "/archive/search?q=tokyo",
    "/archive/tweets.json?_shape=array",
    "/timeline",
    "/static/reader.css",
    "/static/archive.css",
]


def timeless(page: bytes) -> bytes:
    return re.sub(rb"Queries took [0-9.]+ms", b"Queries took ms", page)


@pytest.mark.slow
@pytest.mark.asyncio
async def test_the_fixtures_site_answers_as_make_publish_serves_it(ds, site_db):
    port = site.free_port()
    base = f"http://127.0.0.1:{port}"
    tweets_etl = str(Path(sys.executable).with_name("tweets-etl"))
    command = [tweets_etl, "publish", str(site_db), "--port", str(port), "--allow-missing-media"]
    server = site.start(command, base, seconds=60, start_new_session=True)
    try:
        for path in PAGES:
            response = await ds.client.get(path)
            fixture = (response.status_code, response.headers["content-type"], response.content)
            assert fixture[0] == 200, path
            status, kind, body = get(base + path)
            # Pages name their own address (a `rel=alternate` link; the test client's is
            # http://localhost) and the time their queries took.
            body = body.replace(base.encode(), b"http://localhost")
            assert (status, kind, timeless(body)) == (*fixture[:2], timeless(fixture[2])), path
    finally:
        os.killpg(server.pid, signal.SIGINT)
        server.wait(20)
