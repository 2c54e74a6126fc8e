import contextlib
import hashlib
import json
import os
import shutil
import weakref
from pathlib import Path

import pytest
import sqlite_utils
import yaml
from click.testing import CliRunner
from datasette.app import Datasette

from etl import search_index, site
from etl.cli import cli
from etl.site import free_port, start

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
MARKDOWN = FIXTURES / "markdown"
SHARED_ARCHIVES = ROOT.parent / "shared" / "archives"
# The browser tests' Chromium: Debian's unless $CHROMIUM names another.
CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))


# The site caps SQLite's memory process-wide (hooks/query_limits.py: pragma hard_heap_limit),
# as a server with one Datasette should. The test process makes hundreds of Datasette
# instances, each with a connection per SQL thread: close each one's connections when the test
# (or module) that made it ends, or together they reach the cap and later tests see "out of
# memory" from sqlite3.connect.
_DATASETTES = []
_datasette_init = Datasette.__init__


def _tracked_init(self, *args, **kwargs):
    _datasette_init(self, *args, **kwargs)
    _DATASETTES.append(weakref.ref(self))


Datasette.__init__ = _tracked_init


def _close_datasettes_from(start: int) -> None:
    for ref in _DATASETTES[start:]:
        ds = ref()
        if ds is None:
            continue
        for database in list(ds.databases.values()):
            database.close()
        if ds.executor is not None:
            ds.executor.shutdown(wait=False)
    del _DATASETTES[start:]


@pytest.fixture(autouse=True, scope="module")
def _close_module_datasettes():
    start = len(_DATASETTES)
    yield
    _close_datasettes_from(start)


@pytest.fixture(autouse=True)
def _close_test_datasettes():
    # Module-scoped fixtures are set up before this starts: only the test's own are closed.
    start = len(_DATASETTES)
    yield
    _close_datasettes_from(start)


def run_build(db_path: Path, *sources, args=()):
    result = CliRunner().invoke(cli, ["build", str(db_path), *map(str, sources), *args])
    return result


def build_shared_archive(tmp_path: Path, name: str) -> Path:
    """The database of ../shared/archives/NAME, built in tmp_path (skipped when absent)."""
    source = SHARED_ARCHIVES / name
    if not source.exists():
        pytest.skip(f"{source} not present")
    db_path = tmp_path / f"{name}.db"
    result = run_build(db_path, source)
    assert result.exit_code == 0, result.output
    return db_path


# The search fixtures, with an official export whose one edited tweet ("VACUUM INTO") has
# two versions.
SEARCH_SOURCES = [FIXTURES / "search" / "markdown", FIXTURES / "official" / "modern"]


@pytest.fixture(scope="session")
def search_db(tmp_path_factory) -> Path:
    db_path = tmp_path_factory.mktemp("search") / "archive.db"
    result = run_build(db_path, *SEARCH_SOURCES)
    assert result.exit_code == 0, result.output
    return db_path


@pytest.fixture(scope="session")
def fixture_db(tmp_path_factory) -> Path:
    """All three Markdown layouts built into one database."""
    db_path = tmp_path_factory.mktemp("db") / "archive.db"
    result = run_build(db_path, MARKDOWN / "plain", MARKDOWN / "quoted", MARKDOWN / "escaped")
    assert result.exit_code == 0, result.output
    return db_path


@pytest.fixture
def db(fixture_db) -> sqlite_utils.Database:
    return sqlite_utils.Database(fixture_db)


@pytest.fixture(scope="session")
def metadata() -> dict:
    return yaml.safe_load((ROOT / "metadata.yml").read_text())


# The hostile site fixture and the Datasette instance the site tests share.
SITE = FIXTURES / "site"
SITE_SOURCES = [SITE / "markdown", SITE / "later", SITE / "official"]
# Tweet ids of the fixture, by a short name (written by the script that made the fixture).
IDS = json.loads((SITE / "ids.json").read_text())


# The site folders the tests make (site_folder), in the session's temporary folder.
_SITE_FOLDERS = []


@pytest.fixture(autouse=True, scope="session")
def _site_folders(tmp_path_factory):
    _SITE_FOLDERS.append(tmp_path_factory.mktemp("sites"))
    yield
    _SITE_FOLDERS.clear()


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
    folder = _SITE_FOLDERS[-1] / hashlib.sha256(key.encode()).hexdigest()[:16]
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


@pytest.fixture(scope="session")
def site_db(tmp_path_factory):
    """The hostile archive built from Markdown (two layouts) and an official export."""
    db_path = tmp_path_factory.mktemp("site") / "archive.db"
    result = run_build(db_path, *SITE_SOURCES)
    assert result.exit_code == 0, result.output
    return db_path


@pytest.fixture
def ds(site_db, metadata, monkeypatch):
    monkeypatch.delenv("TWEET_ARCHIVE_MEDIA_ROOT", raising=False)
    return make_datasette(site_db, metadata)


async def get_json(ds, path):
    response = await ds.client.get(path)
    assert response.status_code == 200, (path, response.text[:500])
    return response.json()


TIP_RETWEET = "RT @fixture_owner: Hot tip: VACUUM INTO makes a compact copy"


def add_owner_retweet(db_path: Path, copy_path: Path, retweet_id: int, original_id: int) -> Path:
    """A copy of a site-fixture build with the owner's retweet of `original_id` added."""
    shutil.copy(db_path, copy_path)
    db = sqlite_utils.Database(copy_path)
    db["tweets"].insert(
        {
            "id": retweet_id,
            "id_str": str(retweet_id),
            "created_at": "2023-03-05T12:00:00+00:00",
            "kind": "retweet",
            "text": TIP_RETWEET,
            "user_id": 1113018231813046314,
            "is_retweet": 1,
            "retweeted_screen_name": "fixture_owner",
            "retweeted_id": original_id,
        }
    )
    # Indexed as a build indexes what it stores (a publish keeps the indexes, less what goes).
    search_index.add_to_search(db, [(retweet_id, TIP_RETWEET, None)])
    db.execute(
        "update tweets_trigram_stats set tweets = tweets + 1, trigrams = trigrams + ?",
        [len(TIP_RETWEET) - 2],
    )
    db.conn.commit()
    db.close()
    return copy_path


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


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium (CHROMIUM) driven by Playwright, one per test module."""
    playwright_api = pytest.importorskip("playwright.sync_api")
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} not installed")
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM))
        yield browser
        browser.close()


def offline_context(browser, base: str, **options):
    """A browser context (Playwright's new_context options) whose requests anywhere but the
    site under test (map tiles) get an empty 204, so tests never reach the internet, and which
    reports Content-Security-Policy violations as console errors naming the directive."""
    context = browser.new_context(**options)
    context.route(
        "**/*",
        lambda route: (
            route.continue_()
            if route.request.url.startswith(base)
            else route.fulfill(status=204, body="")
        ),
    )
    context.add_init_script(
        "document.addEventListener('securitypolicyviolation', e => console.error("
        "'CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI))"
    )
    return context
