import pytest

from tests.helpers.private import documented_tables
from tests.helpers.site import make_datasette


def test_every_table_and_column_in_metadata_exists(db, metadata):
    tables = documented_tables(metadata["databases"]["archive"]["tables"], db.table_names())
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
    ds = make_datasette(db_path, metadata)
    response = await ds.client.get("/archive/tweets.json?_search=welcoming&_shape=array&_col=text")
    assert response.status_code == 200
    assert response.json() == [
        {"id": 1134400000000000000, "text": "Hello & welcome to my <archive> #FirstTweet"}
    ]


def test_shared_sql_lives_in_the_build_views():
    """Lists of tweets read the latest_tweets view (an edited tweet once), the map reads
    located_tweets (its popup JSON written once, in etl/schema.py)."""
    from etl.schema import VIEWS
    from tweet_site.lists import explore, media, most_liked, on_this_day, quotes
    from tweet_site.lists.canned import CANNED

    def reads(sql):
        return sorted(view for view in VIEWS if f"from {view}" in sql or f"join {view}" in sql)

    for module in (on_this_day, most_liked, quotes, media):
        assert reads(module.SQL) == ["latest_tweets"], module.__name__
    assert reads(explore.GEOTAGGED["sql"]) == ["located_tweets"]
    assert [name for name, query in CANNED.items() if "json_object" in query["sql"]] == []


def test_reader_queries_hide_their_sql():
    """Only the Atom feed of the latest tweets shows its SQL: every other query is linked
    for readers (explorers still get it with ?_show_sql=1, and as JSON and CSV)."""
    from tweet_site.lists.canned import CANNED

    shown = [name for name, query in CANNED.items() if not query.get("hide_sql")]
    assert shown == ["latest"]
