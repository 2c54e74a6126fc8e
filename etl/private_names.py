"""Names for the account ids of a private build (`--private`): account_names, filled once
every private table is, from what the archive itself knows. Pure SQL over the database.

The ids come from DMs (participants, senders, recipients, reactions, group events) and the
account lists (followers, following, blocks, mutes); those files give ids only. A handle is
tied to an id only where the archive itself ties them, best first:

1. `account.js`: the owner (users.is_owner), as of the export.
2. `twitter-archive-parser`: the parser's followers.txt / following.txt and its DM Markdown
   where a message is the export's own (etl/parser_dms.py): handles the parser looked up
   when it ran, which is after the export it read, so newer than any tweet's.
3. `tweets`: the users table (authors, mentions, retweeted and quoted accounts: each with
   the id the tweet gives).
4. `replies`: a tweet's in_reply_to_user_id and in_reply_to_screen_name.

Likes and DM links tie no handle to an id: like.js gives `twitter.com/i/web/status/<id>`
(no handle, no author id), and a DM's links name handles (`twitter.com/<handle>/status/…`)
or ids (`intent/user?user_id=`) but never both, so neither is used. An id nothing names
gets a row with screen_name NULL. The display name is the users table's, whatever source
gave the handle (the same account, by id).
"""

from __future__ import annotations

import sqlite_utils

from .private_accounts import ACCOUNT_FILES, create_account_tables
from .private_parser import create_parser_names

# Every (table, column) holding one account id, and every (table, column) holding a JSON
# list of them.
ID_COLUMNS = [
    ("dm_messages", "sender_id"),
    ("dm_messages", "recipient_id"),
    ("dm_reactions", "sender_id"),
    ("dm_events", "initiating_user_id"),
    *((table, "account_id") for table in ACCOUNT_FILES),
]
ID_LISTS = [("dm_conversations", "participant_ids"), ("dm_events", "user_ids")]
HANDLE = "[A-Za-z0-9_]"
# Where a handle may come from, best first: (source, select account_id, screen_name).
CANDIDATES = [
    ("account.js", "select id as account_id, screen_name from users where is_owner = 1"),
    ("twitter-archive-parser", "select account_id, screen_name from parser_names"),
    ("tweets", "select id as account_id, screen_name from users where is_owner = 0"),
    (
        "replies",
        "select in_reply_to_user_id as account_id, in_reply_to_screen_name as screen_name "
        "from tweets where in_reply_to_user_id is not null",
    ),
]
COUNTS_SQL = {
    "names_resolved": "select count(*) from account_names where screen_name is not null",
    "names_unresolved": "select count(*) from account_names where screen_name is null",
}


def named_ids_sql(tables: set[str]) -> str:
    """A query of every account id the private tables of `tables` name, once each."""
    parts = [
        f"select [{column}] as id from [{table}]" for table, column in ID_COLUMNS if table in tables
    ]
    parts += [
        f"select cast(value as integer) from [{table}], json_each([{table}].[{column}]) "
        f"where json_valid([{table}].[{column}])"
        for table, column in ID_LISTS
        if table in tables
    ]
    return "\nunion\n".join(parts) or "select null as id where 0"


def candidates_sql() -> str:
    """Every (account_id, screen_name, source, rank) a source offers, well-formed only."""
    return "\nunion all\n".join(
        f"select c.account_id, c.screen_name, '{source}' as source, {rank} as rank "
        f"from ({sql}) as c "
        f"where c.account_id > 0 and length(c.screen_name) between 1 and 50 "
        f"and c.screen_name not glob '*[^A-Za-z0-9_]*'"
        for rank, (source, sql) in enumerate(CANDIDATES, 1)
    )


def fill_account_names(db: sqlite_utils.Database) -> dict[str, int]:
    """account_names for every account id the private tables name; counts of those with a
    handle and those without, for the build summary."""
    create_account_tables(db)
    create_parser_names(db)
    tables = set(db.table_names())
    db.execute("delete from account_names")
    db.execute(
        f"""
        insert into account_names (account_id, screen_name, name, source)
        with named as (
          select distinct id
          from ({named_ids_sql(tables)})
          where id > 0
        ),
        ranked as (
          select
            account_id,
            screen_name,
            source,
            row_number() over (partition by account_id order by rank) as n
          from ({candidates_sql()})
          where account_id in (select id from named)
        )
        select
          named.id,
          ranked.screen_name,
          (select name from users where users.id = named.id),
          ranked.source
        from named
          left join ranked on ranked.account_id = named.id and ranked.n = 1
        order by named.id
        """
    )
    # A scratch table of the parser's handles (etl/private_parser.py): now in account_names.
    db.execute("drop table if exists parser_names")
    return {name: db.execute(sql).fetchone()[0] for name, sql in COUNTS_SQL.items()}
