"""account_names of a private build (etl/private_names.py): every account id the private
tables name, with the handle the archive itself ties to it. Invented data; the integration
test prints counts only."""

import json

import pytest
import sqlite_utils

from etl.private_accounts import create_account_tables
from etl.private_names import fill_account_names
from etl.private_parser import create_parser_names
from etl.schema import create_dm_tables, create_tables
from tests.helpers.build import run_build
from tests.helpers.paths import FIXTURES, ROOT

PRIVATE_ARCHIVES = ROOT.parent / "shared" / "archives-private"
OWNER, BEA, CARL, DORA, ED, FAY, GUS = 10, 20, 30, 40, 50, 60, 70


@pytest.fixture
def db():
    db = sqlite_utils.Database(memory=True)
    create_tables(db)
    create_dm_tables(db)
    create_account_tables(db)
    create_parser_names(db)
    return db


def tweet(tweet_id, user_id, reply_to=None, reply_name=None):
    return {
        "id": tweet_id,
        "created_at": "2020-01-01T00:00:00Z",
        "text": "t",
        "user_id": user_id,
        "is_retweet": 0,
        "kind": "reply" if reply_to else "tweet",
        "in_reply_to_user_id": reply_to,
        "in_reply_to_screen_name": reply_name,
    }


def names(db):
    return [
        (r["account_id"], r["screen_name"], r["name"], r["source"])
        for r in db.query("select * from account_names order by account_id")
    ]


def test_every_private_table_names_ids_and_each_source_gives_handles(db):
    db["users"].insert_all(
        [
            {"id": OWNER, "screen_name": "me", "name": "Me", "is_owner": 1},
            {"id": BEA, "screen_name": "bea", "name": "Bea B", "is_owner": 0},
            {"id": -5, "screen_name": "no_id_known", "name": None, "is_owner": 0},
        ]
    )
    db["tweets"].insert(tweet(1, OWNER, reply_to=CARL, reply_name="carl"))
    db["parser_names"].insert({"account_id": DORA, "screen_name": "dora"})
    db["dm_conversations"].insert(
        {"id": f"{OWNER}-{BEA}", "kind": "one_to_one", "participant_ids": json.dumps(["10", "20"])}
    )
    db["dm_messages"].insert(
        {"id": 1, "conversation_id": f"{OWNER}-{BEA}", "sender_id": BEA, "recipient_id": OWNER}
    )
    db["dm_reactions"].insert({"id": 1, "message_id": 1, "sender_id": CARL})
    db["dm_events"].insert(
        {"id": 1, "conversation_id": "9", "initiating_user_id": DORA, "user_ids": '["50"]'}
    )
    db["followers"].insert({"account_id": FAY})
    db["mutes"].insert({"account_id": GUS})
    db["blocks"].insert({"account_id": GUS})
    counts = fill_account_names(db)
    assert names(db) == [
        (OWNER, "me", "Me", "account.js"),
        (BEA, "bea", "Bea B", "tweets"),
        (CARL, "carl", None, "replies"),
        (DORA, "dora", None, "twitter-archive-parser"),
        (ED, None, None, None),
        (FAY, None, None, None),
        (GUS, None, None, None),
    ]
    assert counts == {"names_resolved": 4, "names_unresolved": 3}
    assert "parser_names" not in db.table_names()


def test_sources_that_disagree_give_the_best_one(db):
    # The owner's account.js beats everything; the parser's lookup (newer than any tweet
    # of its export) beats the tweets; tweets' users beat a reply's screen name.
    db["users"].insert_all(
        [
            {"id": OWNER, "screen_name": "me_now", "name": "Me", "is_owner": 1},
            {"id": BEA, "screen_name": "bea_old", "name": "Bea B", "is_owner": 0},
            {"id": CARL, "screen_name": "carl_user", "name": None, "is_owner": 0},
        ]
    )
    db["parser_names"].insert_all(
        [
            {"account_id": OWNER, "screen_name": "me_parser"},
            {"account_id": BEA, "screen_name": "bea_new"},
        ]
    )
    db["tweets"].insert(tweet(1, OWNER, reply_to=CARL, reply_name="carl_reply"))
    db["following"].insert_all([{"account_id": i} for i in (OWNER, BEA, CARL)])
    fill_account_names(db)
    assert names(db) == [
        (OWNER, "me_now", "Me", "account.js"),
        (BEA, "bea_new", "Bea B", "twitter-archive-parser"),
        (CARL, "carl_user", None, "tweets"),
    ]


def test_malformed_handles_and_ids_are_never_names(db):
    db["parser_names"].insert_all(
        [
            {"account_id": BEA, "screen_name": "<script>"},
            {"account_id": CARL, "screen_name": "x" * 51},
        ]
    )
    db["tweets"].insert(tweet(1, OWNER, reply_to=CARL, reply_name="carl"))
    db["dm_conversations"].insert({"id": "g", "kind": "group", "participant_ids": "not json"})
    db["dm_messages"].insert({"id": 1, "conversation_id": "g", "sender_id": None})
    db["followers"].insert_all([{"account_id": BEA}, {"account_id": CARL}])
    fill_account_names(db)
    assert names(db) == [(BEA, None, None, None), (CARL, "carl", None, "replies")]


def test_a_second_run_replaces_the_rows(db):
    db["followers"].insert({"account_id": BEA})
    fill_account_names(db)
    db["parser_names"].create({"account_id": int, "screen_name": str}, pk="account_id")
    db["parser_names"].insert({"account_id": BEA, "screen_name": "bea"})
    fill_account_names(db)
    assert names(db) == [(BEA, "bea", None, "twitter-archive-parser")]


def test_the_summary_gives_resolved_and_unresolved_names(tmp_path):
    result = run_build(tmp_path / "p.db", FIXTURES / "private", args=["--private"])
    assert result.exit_code == 0, result.output
    db = sqlite_utils.Database(tmp_path / "p.db")
    resolved, unresolved = db.execute(
        "select count(screen_name), count(*) - count(screen_name) from account_names"
    ).fetchone()
    assert resolved > 0 and unresolved > 0
    assert (
        f"names       {resolved:>9,}    unresolved  {unresolved:>9,}" in result.output.splitlines()
    )


@pytest.mark.integration
@pytest.mark.parametrize(
    "name", ["RobErskine__robs-twitter", "pattiereaves__pazzypunk", "takumi-git__test-page"]
)
def test_names_of_the_shared_private_exports(tmp_path, name):
    source = PRIVATE_ARCHIVES / name
    if not source.exists():
        pytest.skip(f"{source} not present")
    result = run_build(tmp_path / "private.db", source, args=["--private", "--quiet"])
    assert result.exit_code == 0, "the build failed"
    db = sqlite_utils.Database(tmp_path / "private.db")
    rows = db.execute(
        "select count(*), count(screen_name), coalesce(source, '-') from account_names "
        "group by 3 order by 3"
    ).fetchall()
    print(name, "names by source (count, with handle, source):", rows)
    everyone = db.execute(
        "select count(*) from (select account_id from followers union select account_id "
        "from following union select account_id from blocks union select account_id from mutes "
        "union select sender_id from dm_messages where sender_id is not null)"
    ).fetchone()[0]
    assert db["account_names"].count >= everyone > 0
    # No tweets file in these exports: the handles are those of the owner (account.js) and of
    # the accounts in its deleted tweets (users); none comes from likes or DM links.
    resolved, in_users = db.execute(
        "select count(account_names.screen_name), count(users.id) from account_names "
        "left join users on users.id = account_names.account_id"
    ).fetchone()
    assert resolved == in_users > 0
