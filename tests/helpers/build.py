"""Building databases for tests: `tweets-etl build` in process, and fixture variations."""

import shutil
from pathlib import Path

import pytest
import sqlite_utils
from click.testing import CliRunner

from etl import search_index
from etl.cli import cli

from .paths import SHARED_ARCHIVES


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
