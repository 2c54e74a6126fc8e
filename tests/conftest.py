from pathlib import Path

import pytest
import sqlite_utils
import yaml
from click.testing import CliRunner

from etl.cli import cli

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
MARKDOWN = FIXTURES / "markdown"
SHARED_ARCHIVES = ROOT.parent / "shared" / "archives"


def run_build(db_path: Path, *sources, args=()):
    result = CliRunner().invoke(cli, ["build", str(db_path), *map(str, sources), *args])
    return result


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
