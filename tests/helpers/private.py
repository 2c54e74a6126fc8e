"""What only a private build (`tweets-etl build --private`) makes: metadata.yml documents
these tables, but a normal build (every site and publish fixture) has none of them."""

from etl.private_wall import ACCOUNT_TABLES

# Tables made only by a private build, by the start of their names: the DMs', and the
# account lists of etl/private_accounts.py.
PRIVATE_ONLY = ("dm_", *ACCOUNT_TABLES)
MARKER_TABLE = "private_archive"  # etl/private_wall.py


def documented_tables(tables: dict, db_tables) -> dict:
    """metadata.yml's `tables`, without the private-only ones a database lacks."""
    present = set(db_tables)
    return {t: c for t, c in tables.items() if t in present or not t.startswith(PRIVATE_ONLY)}
