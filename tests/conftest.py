"""The tests' fixtures and hooks; the helpers they use are plain modules in tests/helpers/."""

import weakref
from pathlib import Path

import pytest
import sqlite_utils
import yaml
from datasette.app import Datasette

from tests.helpers.browser import CHROMIUM
from tests.helpers.build import run_build
from tests.helpers.paths import MARKDOWN, ROOT, SEARCH_SOURCES, SITE_SOURCES
from tests.helpers.site import SITE_FOLDERS, make_datasette

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


def pytest_collection_modifyitems(items):
    """Every test that drives Chromium (it uses the `browser` fixture, wherever it lives) is
    marked `browser`, so `make test-fast` can leave them out."""
    for item in items:
        if "browser" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.browser)


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


@pytest.fixture(autouse=True, scope="session")
def _site_folders(tmp_path_factory):
    """Where tests.helpers.site.site_folder makes its folders: the session's temporary folder."""
    SITE_FOLDERS.append(tmp_path_factory.mktemp("sites"))
    yield
    SITE_FOLDERS.clear()


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
