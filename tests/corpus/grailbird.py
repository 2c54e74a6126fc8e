"""2012–2018 "Grailbird" exports: side files of the wrong JSON type, impossible ids."""

from __future__ import annotations

import json
from pathlib import Path

from . import Case, case, write

MONTH = "data/js/tweets/2013_04.js"
USER = {"name": "Old Timer", "screen_name": "fx_oldtimer", "id_str": "311234567", "id": 311234567}
FIRST = 324000000000000000


def status(n: int, **fields) -> dict:
    item = {
        "source": "web",
        "entities": {"user_mentions": [], "media": [], "hashtags": [], "urls": []},
        "geo": {},
        "id_str": str(FIRST + n),
        "id": FIRST + n,
        "text": f"grailbird tweet {n}",
        "created_at": "2013-04-13 16:42:51 +0000",
        "user": USER,
    }
    item.update(fields)
    return item


def month_file(items, name: str = "2013_04") -> str:
    return f"Grailbird.data.tweets_{name} = \n" + json.dumps(items, indent=1)


def grailbird(root: Path, statuses: list[dict] | None = None, **side: str) -> Path:
    """A Grailbird export with one month file and the given side files (name: content)."""
    write(root / MONTH, month_file([status(0), status(1)] if statuses is None else statuses))
    details = {"screen_name": "fx_oldtimer", "id": "311234567", "full_name": "Old Timer"}
    side.setdefault("user_details", "var user_details = " + json.dumps(details))
    for name, content in side.items():
        write(root / "data" / "js" / f"{name}.js", content)
    return root


@case
def grailbird_export(root):
    return Case("grailbird_export", [grailbird(root)], tweets=2)


def wrong_type(root: Path, name: str, side: str, content: str) -> Case:
    grailbird(root, **{side: content})
    return Case(name, [root], tweets=2, problems=[(f"data/js/{side}.js", 0)])


@case
def grailbird_user_details_is_a_list(root):
    return wrong_type(root, "grailbird_user_details_is_a_list", "user_details", "var u = [1]")


@case
def grailbird_payload_details_is_a_list(root):
    return wrong_type(root, "grailbird_payload_details_is_a_list", "payload_details", "var p = [1]")


@case
def grailbird_tweet_index_names_a_list(root):
    """Index entries of the wrong type are skipped (the index only checks counts)."""
    grailbird(root, tweet_index='var tweet_index = [{"file_name": ["x"], "tweet_count": 2}, 3]')
    return Case("grailbird_tweet_index_names_a_list", [root], tweets=2)


@case
def grailbird_month_file_is_an_object(root):
    grailbird(root)
    write(root / "data/js/tweets/2013_05.js", 'Grailbird.data.tweets_2013_05 = {"a": 1}')
    return Case(
        "grailbird_month_file_is_an_object",
        [root],
        tweets=2,
        problems=[("data/js/tweets/2013_05.js", 0)],
    )


@case
def grailbird_statuses_of_wrong_types(root):
    grailbird(root, [status(0), [], status(2, user=[]), status(3, entities=7), "x"])
    return Case(
        "grailbird_statuses_of_wrong_types",
        [root],
        tweets=3,  # status 2 has no user of its own (the owner is its author), 3 no entities
        problems=[(MONTH, 2), (MONTH, 5)],
    )


@case
def grailbird_status_id_2_63(root):
    grailbird(root, [status(0), status(1, id_str=str(2**63), id=2**63)])
    return Case("grailbird_status_id_2_63", [root], tweets=1, problems=[(MONTH, 2)])


@case
def grailbird_retweet_of_wrong_types(root):
    grailbird(
        root,
        [
            status(0, retweeted_status=[]),
            status(1, retweeted_status={"user": [], "id": "x"}),
            status(2, retweeted_status={"user": {"screen_name": "a"}, "created_at": 5}),
        ],
    )
    return Case("grailbird_retweet_of_wrong_types", [root], tweets=2, problems=[(MONTH, 3)])
