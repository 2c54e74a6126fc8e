import pytest
from datasette.app import Datasette

from .conftest import ROOT


def test_every_table_and_column_in_metadata_exists(db, metadata):
    tables = metadata["databases"]["archive"]["tables"]
    for table, config in tables.items():
        assert db[table].exists(), table
        columns = set(db[table].columns_dict)
        assert set(config.get("columns", {})) <= columns, table
        for facet in config.get("facets", []):
            if isinstance(facet, str):
                assert facet in columns, (table, facet)
        if "sort_desc" in config:
            assert config["sort_desc"] in columns


def test_every_public_column_is_described(db, metadata):
    tables = metadata["databases"]["archive"]["tables"]
    obvious = {"tweet_id", "user_id", "id"}
    for table in ("tweets", "media", "urls", "users", "sources", "etl_problems"):
        described = set(tables[table]["columns"])
        assert set(db[table].columns_dict) - described - obvious == set(), table


@pytest.mark.asyncio
async def test_datasette_table_search_uses_the_stemming_index(fixture_db, metadata, tmp_path):
    db_path = tmp_path / "archive.db"
    db_path.write_bytes(fixture_db.read_bytes())
    ds = Datasette(
        immutables=[str(db_path)],
        metadata=metadata,
        plugins_dir=str(ROOT / "plugins"),
        template_dir=str(ROOT / "templates"),
    )
    response = await ds.client.get("/archive/tweets.json?_search=welcoming&_shape=array&_col=text")
    assert response.status_code == 200
    assert response.json() == [
        {"id": 1134400000000000000, "text": "Hello & welcome to my <archive> #FirstTweet"}
    ]
