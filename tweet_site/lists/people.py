"""The owner's accounts on a private archive: followers, following, mutuals (accounts in
both), blocks and mutes, one row per account id with the handle and name account_names
gives it when known, in account id order (/followers, /following, /mutuals, /blocks,
/mutes). The exports give no date for any of them. An account the owner has a 1:1
conversation with carries its id (conversation_id), for a link to the chat."""

import re

from tweet_site.ids import parse_id
from tweet_site.lists import Query, where

COLUMNS = ("account_id", "screen_name", "name", "follows_you", "you_follow", "profile_url")
# Each list: (its table, the clause keeping its rows, or None). Mutuals are the followers
# one follows too.
LISTS = {
    "followers": ("followers", None),
    "following": ("following", None),
    "mutuals": ("followers", "accounts.account_id in (select account_id from following)"),
    "blocks": ("blocks", None),
    "mutes": ("mutes", None),
}
# A profile by id: the handle may have changed since the export, the id never does.
PROFILE_URL = "https://twitter.com/intent/user?user_id="
NAMES = "left join account_names on account_names.account_id = accounts.account_id"
# A 1:1 conversation's id is "<smaller id>-<larger id>" of its two people, the owner and
# the account: a lookup by dm_conversations' key for each owner id (the profile's and the
# tweets' owners': a build of several exports may hold more than one, an export without
# account.js none, and then no conversation links).
OWNERS = """with owners as (
  select
    profile.user_id as id
  from profile
  where profile.user_id is not null
  union
  select
    users.id
  from users
  where users.is_owner = 1
)
"""
CHATS = """left join owners
left join dm_conversations as chats
  on chats.id = min(accounts.account_id, owners.id) || '-' || max(accounts.account_id, owners.id)
  and chats.kind = 'one_to_one'"""
SQL = """{owner}select
  accounts.account_id,
  {names}
  {chat}
  accounts.account_id in (select account_id from followers) as follows_you,
  accounts.account_id in (select account_id from following) as you_follow,
  :profile_url || accounts.account_id as profile_url
from {table} as accounts
{join}
{chats}
{where}
{group}
order by accounts.account_id
limit :size"""
COUNT_SQL = """select
  count(*)
from {table} as accounts
{where}"""
# The rows up to a cursor, last first: how many precede a page, and where the previous
# page starts.
BEFORE_SQL = """select
  accounts.account_id
from {table} as accounts
{where}
order by accounts.account_id desc
limit :size"""


def parse_cursor(text) -> int | None:
    """The account id a page starts after (?after=), or None for the first page (or
    anything but an id)."""
    return parse_id((text or "").strip())


def query(name: str, after, with_names: bool = True, with_chats: bool = True) -> Query:
    """The accounts of list `name` after the account id `after` (a cursor or None).
    `with_names`: the archive has account_names (a private build older than it hasn't);
    `with_chats`: it has dm_conversations."""
    table, keep = LISTS[name]
    params = {"profile_url": PROFILE_URL}
    keyset = None
    if after is not None:
        keyset = "accounts.account_id > :after"
        params["after"] = after
    names = "account_names.screen_name,\n  account_names.name,"
    if not with_names:
        names = "null as screen_name,\n  null as name,"
    # (One row an account even if it has a chat with each of two owner ids: the first.)
    sql = SQL.format(
        owner=OWNERS if with_chats else "",
        names=names,
        chat="min(chats.id) as conversation_id," if with_chats else "null as conversation_id,",
        table=table,
        join=NAMES if with_names else "",
        chats=CHATS if with_chats else "",
        where=where(keep, keyset),
        group="group by accounts.account_id" if with_chats else "",
    )
    return Query(re.sub(r"\n+", "\n", sql), params)


def count(name: str, upto: int | None = None) -> Query:
    """How many accounts list `name` holds (up to and including the id `upto`, if given)."""
    table, keep = LISTS[name]
    if upto is None:
        return Query(COUNT_SQL.format(table=table, where=where(keep)), {})
    clauses = where(keep, "accounts.account_id <= :upto")
    return Query(COUNT_SQL.format(table=table, where=clauses), {"upto": upto})


def before(name: str, after: int, size: int) -> Query:
    """The ids up to and including `after`, last first, `size` of them at most."""
    table, keep = LISTS[name]
    clauses = where(keep, "accounts.account_id <= :after")
    return Query(BEFORE_SQL.format(table=table, where=clauses), {"after": after, "size": size})


def cursor(row) -> str:
    return str(row["account_id"])
