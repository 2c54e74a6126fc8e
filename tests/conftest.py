import contextlib
import copy
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

from etl import search_index
from etl.cli import cli
from etl.site import SETTINGS, Site, free_port, start

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


def make_datasette(db_path, metadata, **kwargs):
    return Datasette(
        immutables=[str(db_path)],
        metadata=copy.deepcopy(metadata),
        settings=dict(SETTINGS),  # exactly the production settings (etl/site.py)
        **kwargs,
    )


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


def bundle_datasette(out):
    """A Datasette configured like `datasette serve OUT` for a `TARGET=dir` folder."""
    return Datasette(
        immutables=[str(out / "archive.db")],
        metadata=json.loads((out / "metadata.json").read_text()),
        settings=json.loads((out / "settings.json").read_text()),
    )


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
