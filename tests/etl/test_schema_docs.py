"""The schema's documentation can't drift from the database: metadata.yml's column
descriptions and the schema page's tables (docs/schema.md) name exactly the columns a build
creates, and every column metadata.yml facets, sorts or labels by exists.

Everything real is read from databases built at test time (never a copied column list), so
the tests follow the schema as it changes and fail only when the docs fall behind.
"""

import re
import sqlite3

import pytest

from tests.helpers.build import run_build
from tests.helpers.paths import FIXTURES, ROOT
from tests.helpers.private import MARKER_TABLE, PRIVATE_ONLY
from tweet_site.hooks.facets import FACETS

OFFICIAL = FIXTURES / "official"
ALL_PRIVATE = ["--include-deleted", "--include-circle", "--include-likes"]
SCHEMA_PAGE = ROOT / "docs" / "schema.md"


@pytest.fixture(scope="module")
def official_db(tmp_path_factory):
    """The richest export: notes, edits, media, places, deleted, Circle and liked tweets."""
    db_path = tmp_path_factory.mktemp("schema_docs") / "archive.db"
    result = run_build(db_path, OFFICIAL / "modern", OFFICIAL / "older", args=ALL_PRIVATE)
    assert result.exit_code == 0, result.output
    return db_path


def public_columns(db_path):
    """{table or view: set of its columns, generated ones included} for every table a
    reader of the site sees: not SQLite's own, not `_`-prefixed ones, not full-text
    indexes (virtual tables) nor the tables named after them (their shadow tables, and
    tweets_trigram_runs and _stats), which Datasette hides by the same rule."""
    conn = sqlite3.connect(db_path)
    try:
        objects = conn.execute(
            "select name, sql from sqlite_master where type in ('table', 'view')"
        ).fetchall()
        virtual = [name for name, sql in objects if re.match(r"\s*create\s+virtual", sql, re.I)]
        tables = {}
        for name, _ in objects:
            if (
                name.startswith(("sqlite_", "_"))
                or name in virtual
                or any(name.startswith(f"{table}_") for table in virtual)
            ):
                continue
            # hidden: 0 a plain column, 2 or 3 a generated one, 1 a virtual table's own.
            rows = conn.execute(f"pragma table_xinfo([{name}])").fetchall()
            tables[name] = {row[1] for row in rows if row[6] != 1}
        return tables
    finally:
        conn.close()


@pytest.fixture(scope="module")
def private_db(tmp_path_factory):
    """A private build (--private) of an invented export with DMs and no tweets file."""
    db_path = tmp_path_factory.mktemp("schema_docs") / "private.db"
    result = run_build(db_path, FIXTURES / "private", args=["--private"])
    assert result.exit_code == 0, result.output
    return db_path


@pytest.fixture(scope="module", params=["official_db", "fixture_db", "private_db"])
def built(request):
    """An official export's build, then a Markdown one's, then a private one's."""
    return request.getfixturevalue(request.param)


@pytest.fixture(scope="module")
def real(built):
    return public_columns(built)


PRIVATE_MARKER = MARKER_TABLE


def differences(documented, real):
    """{table: what the docs miss and what they name in vain}, empty when they agree."""
    found = {}
    if PRIVATE_MARKER not in real:
        documented = {t: c for t, c in documented.items() if not t.startswith(PRIVATE_ONLY)}
    # The wall's mark (etl/private_wall.py) is no data for a reader; its module describes it.
    real = {t: c for t, c in real.items() if t != PRIVATE_MARKER}
    for table in documented.keys() | real.keys():
        if table not in real:
            found[table] = "not in the database"
            continue
        if table not in documented:
            found[table] = "not documented"
            continue
        wrong = {
            "undocumented": real[table] - documented[table],
            "not in the database": documented[table] - real[table],
        }
        if any(wrong.values()):
            found[table] = {key: columns for key, columns in wrong.items() if columns}
    return found


def schema_page_tables():
    """{table: columns} of the schema page: each row of its Markdown tables starts with a
    `table` cell and ends with a cell listing `column`s, each perhaps followed by a note in
    parentheses (which may quote values in backticks too)."""
    tables = {}
    for line in SCHEMA_PAGE.read_text().splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        name = re.fullmatch(r"`(\w+)`", cells[0]) if line.startswith("|") else None
        if not name:
            continue
        columns = cells[-1]
        while re.search(r"\([^()]*\)", columns):
            columns = re.sub(r"\([^()]*\)", "", columns)
        assert name[1] not in tables, f"{name[1]} is described twice"
        tables[name[1]] = set(re.findall(r"`(\w+)`", columns))
    return tables


def test_the_schema_page_is_found():
    assert {"tweets", "users"} <= schema_page_tables().keys()


def test_metadata_documents_exactly_the_real_columns(real, metadata):
    tables = metadata["databases"]["archive"]["tables"]
    documented = {table: set(config.get("columns") or {}) for table, config in tables.items()}
    assert differences(documented, real) == {}
    blank = {
        (table, column)
        for table, config in tables.items()
        for column, description in (config.get("columns") or {}).items()
        if not str(description or "").strip()
    }
    assert blank == set()


def test_the_schema_page_documents_exactly_the_real_columns(real):
    assert differences(schema_page_tables(), real) == {}


def named_columns(config):
    """(key, column) for every column a table's metadata facets, sorts or labels by."""
    for key in ("sort", "sort_desc", "label_column", "fts_pk"):
        if key in config:
            yield key, config[key]
    for column in config.get("sortable_columns", []):
        yield "sortable_columns", column
    for facet in config.get("facets", []):
        if isinstance(facet, str):
            yield "facets", facet
        else:
            # {array: column} and {date: column} name a column; {summary: name} names one
            # of tweet_site/hooks/facets.py's facets, checked separately.
            ((facet_type, value),) = facet.items()
            if facet_type != "summary":
                yield f"facets {facet_type}", value


def test_every_column_metadata_facets_sorts_or_labels_by_exists(real, metadata):
    tables = metadata["databases"]["archive"]["tables"]
    named = {
        (table, key, column)
        for table, config in tables.items()
        for key, column in named_columns(config)
    }
    if PRIVATE_MARKER not in real:
        named = {entry for entry in named if not entry[0].startswith(PRIVATE_ONLY)}
    assert {entry for entry in named if entry[2] not in real.get(entry[0], set())} == set()


def test_every_summary_facet_and_fts_table_exists(built, metadata):
    tables = metadata["databases"]["archive"]["tables"]
    summary_facets = {
        (table, facet["summary"])
        for table, config in tables.items()
        for facet in config.get("facets", [])
        if isinstance(facet, dict) and "summary" in facet
    }
    assert {entry for entry in summary_facets if entry[1] not in FACETS} == set()
    fts_tables = {config["fts_table"] for config in tables.values() if "fts_table" in config}
    with sqlite3.connect(built) as conn:
        names = {name for (name,) in conn.execute("select name from sqlite_master")}
    assert fts_tables - names == set()
