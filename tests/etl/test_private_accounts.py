"""The owner's account lists of a private build (etl/private_accounts.py): followers,
following, blocks, mutes, lists and screen-name changes. Unit tests use invented data; the
integration test compares counts only with ../shared/archives-private/README.md."""

import json

import pytest
import sqlite_utils

from etl.private_accounts import account_id, account_row, list_row, name_change_row, store_accounts
from etl.sources import open_tree
from tests.helpers.build import run_build
from tests.helpers.paths import ROOT

PRIVATE_ARCHIVES = ROOT.parent / "shared" / "archives-private"


def ytd(name: str, items) -> str:
    # As official exports write them: no newline at the end.
    return f"window.YTD.{name}.part0 = " + json.dumps(items, indent=2)


def link(n: str) -> str:
    return f"https://twitter.com/intent/user?user_id={n}"


def test_account_ids_are_integers_never_floats():
    assert account_id("1234567890123456789") == 1234567890123456789
    assert account_id(42) == 42
    assert [account_id(v) for v in ("", "12a", "1e5", 1.5, True, None, "9" * 20, "0")] == [None] * 8


def test_entries_become_rows_or_reasons():
    assert account_row({"blocking": {"accountId": "77", "userLink": link("77")}}, "blocking") == {
        "account_id": 77,
        "user_link": link("77"),
    }
    assert account_row({"muting": {"accountId": "77", "userLink": "javascript:x"}}, "muting") == {
        "account_id": 77,
        "user_link": None,
    }
    assert account_row({"follower": {"accountId": "x"}}, "follower") == "no readable accountId"
    assert account_row([], "follower") == "not a follower entry"
    assert list_row({"userListInfo": {"url": "https://twitter.com/me/lists/birds"}}, "member") == {
        "kind": "member",
        "url": "https://twitter.com/me/lists/birds",
    }
    assert list_row({"userListInfo": {"url": "ftp://x"}}, "created") == "no readable list url"
    change = {
        "screenNameChange": {
            "accountId": "5",
            "screenNameChange": {
                "changedAt": "2019-04-01T12:00:00.000Z",
                "changedFrom": "old_name",
                "changedTo": "new_name",
            },
        }
    }
    assert name_change_row(change) == {
        "account_id": 5,
        "changed_at": "2019-04-01T12:00:00+00:00",
        "changed_from": "old_name",
        "changed_to": "new_name",
    }
    change["screenNameChange"]["screenNameChange"]["changedTo"] = "<b>x</b>"
    assert name_change_row(change) == "no readable screen names"


def invented_export(root):
    data = root / "data"
    data.mkdir(parents=True)
    files = {
        "follower.js": ytd(
            "follower",
            [{"follower": {"accountId": n, "userLink": link(n)}} for n in ("11", "12", "13")]
            + [{"follower": {"accountId": "not an id"}}],
        ),
        "following.js": ytd(
            "following", [{"following": {"accountId": n, "userLink": link(n)}} for n in ("11",)]
        ),
        "block.js": ytd("block", [{"blocking": {"accountId": "21", "userLink": link("21")}}]),
        "mute.js": 'window.YTD.mute.part0 = [ {"muting": {"accountId": "31"}}, {oops ]',
        "lists-created.js": ytd(
            "lists_created", [{"userListInfo": {"url": "https://twitter.com/me/lists/a"}}]
        ),
        "lists-member.js": ytd("lists_member", []),
        "lists-subscribed.js": ytd(
            "lists_subscribed",
            [{"userListInfo": {"url": f"https://twitter.com/other/lists/{s}"}} for s in "bc"],
        ),
        "screen-name-change.js": ytd(
            "screen_name_change",
            [
                {
                    "screenNameChange": {
                        "accountId": "1",
                        "screenNameChange": {
                            "changedAt": "2019-04-01T12:00:00.000Z",
                            "changedFrom": "old_name",
                            "changedTo": "me",
                        },
                    }
                }
            ],
        ),
    }
    for name, text in files.items():
        (data / name).write_text(text)
    return root


def test_store_accounts_fills_every_table_and_reports_damaged_items(tmp_path):
    root = invented_export(tmp_path / "export")
    db = sqlite_utils.Database(memory=True)
    problems = []
    read = store_accounts(db, open_tree(str(root)), "data/", problems)
    counts = {
        name: db[name].count
        for name in ("followers", "following", "blocks", "mutes", "lists", "screen_name_changes")
    }
    assert counts == {
        "followers": 3,
        "following": 1,
        "blocks": 1,
        "mutes": 1,
        "lists": 3,
        "screen_name_changes": 1,
    }
    assert read["follower.js"] == 3 and read["lists-member.js"] == 0
    assert db.execute(
        "select kind, count(*) from lists group by kind order by kind"
    ).fetchall() == [
        ("created", 1),
        ("subscribed", 2),
    ]
    # The damaged items cost only themselves; the item before them is kept.
    assert [(p.file, p.line, p.entry) for p in problems] == [
        ("data/follower.js", 4, True),
        ("data/mute.js", 2, True),
        ("data/mute.js", 3, False),  # where it can't be read on: every item before is in
    ]
    # Another export of the same account: nothing twice.
    store_accounts(db, open_tree(str(root)), "data/", [])
    assert db["followers"].count == 3 and db["lists"].count == 3


def test_a_private_build_stores_the_account_lists_and_a_normal_one_does_not(tmp_path):
    from tests.helpers.paths import FIXTURES

    private = FIXTURES / "private"
    result = run_build(tmp_path / "p.db", private, args=["--private"])
    assert result.exit_code == 0, result.output
    db = sqlite_utils.Database(tmp_path / "p.db")
    assert {"followers", "following", "blocks", "mutes", "lists"} <= set(db.table_names())
    text = (private / "data" / "follower.js").read_text()
    assert db["followers"].count == text.count('"accountId"') > 0
    followers = db["followers"].count
    assert f"followers   {followers:>9,}    following   {db['following'].count:>9,}" in (
        result.output
    )
    normal = run_build(tmp_path / "n.db", FIXTURES / "official" / "modern")
    assert normal.exit_code == 0, normal.output
    names = set(sqlite_utils.Database(tmp_path / "n.db").table_names())
    assert names & {"followers", "following", "blocks", "mutes", "lists"} == set()


# ../shared/archives-private/README.md: followers, following, blocks, mutes, lists created /
# member of / subscribed.
EXPECTED = {
    "RobErskine__robs-twitter": [499, 582, 340, 54, 8, 15, 2],
    "pattiereaves__pazzypunk": [1451, 1773, 56, 3, 6, 79, 7],
    "takumi-git__test-page": [24, 38, 1, 1, 5, 0, 1],
}
COUNTS = [
    "select count(*) from followers",
    "select count(*) from following",
    "select count(*) from blocks",
    "select count(*) from mutes",
    "select count(*) from lists where kind = 'created'",
    "select count(*) from lists where kind = 'member'",
    "select count(*) from lists where kind = 'subscribed'",
]


@pytest.mark.integration
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_private_build_gives_the_readme_account_counts(tmp_path, name):
    source = PRIVATE_ARCHIVES / name
    if not source.exists():
        pytest.skip(f"{source} not present")
    result = run_build(tmp_path / "private.db", source, args=["--private", "--quiet"])
    assert result.exit_code == 0, "the build failed"
    db = sqlite_utils.Database(tmp_path / "private.db")
    assert [db.execute(sql).fetchone()[0] for sql in COUNTS] == EXPECTED[name]
    problems = "select count(*) from etl_problems where file like '%follow%' or file like "
    problems += "'%block%' or file like '%mute%' or file like '%lists%' or file like '%screen%'"
    assert db.execute(problems).fetchone() == (0,)
