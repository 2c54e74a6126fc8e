"""manifest.js and tweets files that are not there (issue 19): an export shared without its
tweets file builds with --private, --strict too, and the summary says so in one line; a normal
build, or an export missing only some of its tweets files, still records a problem."""

import json

import sqlite_utils

from tests.helpers.build import run_build

ACCOUNT = (
    'window.YTD.account.part0 = [{"account": {"username": "owner_m", "accountId": "42", '
    '"accountDisplayName": "Owner M"}}]'
)
CONVERSATION = {
    "dmConversation": {
        "conversationId": "42-43",
        "messages": [
            {
                "messageCreate": {
                    "id": "900",
                    "senderId": "43",
                    "recipientId": "42",
                    "text": "hello",
                    "createdAt": "2023-03-01T10:05:00.000Z",
                    "mediaUrls": [],
                    "urls": [],
                    "reactions": [],
                }
            }
        ],
    }
}
TWEET = {"tweet": {"id_str": "7", "created_at": "Wed Jan 01 10:00:00 +0000 2020", "full_text": "x"}}


def export(folder, files: dict[str, int], present: dict[str, list]):
    """An export whose manifest.js lists `files` (name: tweet count), holding the tweets files
    of `present` (name: items), account.js and one DM conversation."""
    data = folder / "data"
    data.mkdir(parents=True)
    manifest = {
        "userInfo": {"accountId": "42", "userName": "owner_m"},
        "archiveInfo": {"generationDate": "2024-01-02T03:04:05.000Z"},
        "dataTypes": {
            "tweets": {
                "files": [
                    {"fileName": f"data/{name}", "globalName": "YTD.tweets.part0", "count": str(n)}
                    for name, n in files.items()
                ]
            }
        },
    }
    (data / "manifest.js").write_text(f"window.__THAR_CONFIG = {json.dumps(manifest)}")
    (data / "account.js").write_text(ACCOUNT)
    (data / "direct-messages.js").write_text(
        f"window.YTD.direct_messages.part0 = {json.dumps([CONVERSATION])}"
    )
    for name, items in present.items():
        (data / name).write_text(f"window.YTD.tweets.part0 = {json.dumps(items)}")
    return folder


def problems(db_path) -> list[tuple]:
    db = sqlite_utils.Database(db_path)
    return [tuple(r) for r in db.execute("select file, line, reason from etl_problems")]


NOT_HERE = (
    ": its manifest.js lists 7,407 tweets whose file is not here (an export shared without "
    "it): none of them imported"
)


def test_a_private_build_of_an_export_without_its_tweets_file_passes_strict(tmp_path):
    source = export(tmp_path / "x", {"tweets.js": 7000, "tweets-part1.js": 407}, {})
    result = run_build(tmp_path / "p.db", source, args=["--private", "--strict"])
    assert result.exit_code == 0, result.output
    assert [line for line in result.output.splitlines() if "manifest.js" in line] == [
        str(source) + NOT_HERE
    ]
    assert problems(tmp_path / "p.db") == []
    db = sqlite_utils.Database(tmp_path / "p.db")
    assert (db["dm_messages"].count, db["tweets"].count) == (1, 0)


def test_a_private_build_of_an_export_with_a_tweets_file_says_nothing_of_the_manifest(tmp_path):
    source = export(tmp_path / "x", {"tweets.js": 1}, {"tweets.js": [TWEET]})
    result = run_build(tmp_path / "p.db", source, args=["--private", "--strict"])
    assert result.exit_code == 0, result.output
    assert "manifest.js" not in result.output


def test_a_private_build_missing_some_of_its_tweets_files_has_a_problem(tmp_path):
    """Some tweets here, some not: a damaged or half-copied export, not one shared without
    its tweets."""
    source = export(tmp_path / "x", {"tweets.js": 1, "tweets-part1.js": 5}, {"tweets.js": [TWEET]})
    result = run_build(tmp_path / "p.db", source, args=["--private"])
    assert result.exit_code == 0, result.output
    assert problems(tmp_path / "p.db") == [
        ("data/tweets-part1.js", 0, "manifest.js lists 5 tweets in a missing file")
    ]
    assert "whose file is not here" not in result.output
    strict = run_build(tmp_path / "s.db", source, args=["--private", "--strict"])
    assert strict.exit_code == 1


def test_a_normal_build_missing_a_tweets_file_the_manifest_lists_has_a_problem(tmp_path):
    source = export(tmp_path / "x", {"tweets.js": 1, "tweets-part1.js": 5}, {"tweets.js": [TWEET]})
    result = run_build(tmp_path / "n.db", source)
    assert result.exit_code == 0, result.output
    assert problems(tmp_path / "n.db") == [
        ("data/tweets-part1.js", 0, "manifest.js lists 5 tweets in a missing file")
    ]
    assert "whose file is not here" not in result.output
    assert run_build(tmp_path / "s.db", source, args=["--strict"]).exit_code == 1


def test_a_normal_build_of_an_export_without_its_tweets_file_still_fails(tmp_path):
    source = export(tmp_path / "x", {"tweets.js": 7407}, {})
    result = run_build(tmp_path / "n.db", source)
    assert result.exit_code == 1
    assert "no Twitter archive found" in result.output
