"""Privacy follows the tweet id, not the source (issue 15): a tweet that any source marks
deleted or Circle stays out of the database, whichever other source holds it as an ordinary
tweet and whichever of them is read first, unless the matching --include-* flag asks for it;
then the merged row keeps the most private flag."""

import json

import pytest
import sqlite_utils

from etl import records
from etl.load import Loader
from etl.records import Tweet, UserRef
from tests.corpus import FIRST_ID, OWNER, OWNER_ID, export, md_file, tweet, write, ytd
from tests.helpers.build import run_build

NEWER = "2024-05-20T09:14:05.512Z"
OLDER = "2022-01-10T08:00:00.000Z"
PRIVATE_ID = FIRST_ID + 2
# Every kind of row a tweet brings: a hashtag, a mention of an account no other tweet names,
# a link, a photo, words for tweets_fts and a run of Japanese for tweets_trigram.
PRIVATE_TEXT = "zebradraft #secrettag @secret_friend https://t.co/abc 秘密の下書き"
MARKDOWN_TEXT = "zebradraft #secrettag @secret_friend https://secret.example/draft 秘密の下書き"
DELETED_AT = "Tue Feb 14 17:05:20 +0000 2023"
PUBLIC_ENTITIES = {"hashtags": [{"text": "opentag"}], "user_mentions": [], "urls": []}
PUBLIC = [tweet(0, "open words #opentag", entities=PUBLIC_ENTITIES), tweet(1)]


def private_tweet() -> dict:
    photo = {
        "type": "photo",
        "media_url_https": "https://pbs.twimg.com/media/secret.jpg",
        "url": "https://t.co/pic",
    }
    return tweet(
        2,
        PRIVATE_TEXT + " https://t.co/pic",
        entities={
            "hashtags": [{"text": "secrettag"}],
            "user_mentions": [
                {"screen_name": "secret_friend", "id_str": "4242", "name": "Secret Friend"}
            ],
            "urls": [{"url": "https://t.co/abc", "expanded_url": "https://secret.example/draft"}],
        },
        extended_entities={"media": [photo]},
    )


def manifest(generated: str) -> str:
    user = {"accountId": OWNER_ID, "userName": OWNER, "displayName": "Corpus Owner"}
    config = {"userInfo": user, "archiveInfo": {"generationDate": generated}}
    return "window.__THAR_CONFIG = " + json.dumps(config)


def exported(root, generated, tweets, marks=None):
    """An export made on `generated`; marks: "deleted" or "circle" puts the private tweet in
    that side file."""
    files = {"manifest.js": manifest(generated)}
    if marks == "deleted":
        files["deleted-tweets.js"] = ytd(
            "deleted_tweets", [{"tweet": {**private_tweet(), "deleted_at": DELETED_AT}}]
        )
    elif marks == "circle":
        files["twitter-circle-tweet.js"] = ytd("twitter_circle_tweet", [{"tweet": private_tweet()}])
    return export(root, tweets, files=files)


def build(tmp_path, *sources, args=()):
    db_path = tmp_path / f"archive{len(list(tmp_path.glob('*.db')))}.db"
    result = run_build(db_path, *sources, args=args)
    assert result.exit_code == 0, result.output
    return sqlite_utils.Database(db_path), result.output


def traces(db) -> dict:
    """Everything of the private tweet a reader or a query could find."""

    def ids(sql, *params):
        return [row[0] for row in db.execute(sql, params)]

    return {
        "tweets": ids("select id from tweets where id = ?", PRIVATE_ID),
        **{
            table: ids(f"select tweet_id from [{table}] where tweet_id = ?", PRIVATE_ID)
            for table in ("mentions", "hashtags", "urls", "media", "tweet_sources")
        },
        "words": ids("select rowid from tweets_fts where tweets_fts match 'zebradraft'"),
        "substrings": ids("select rowid from tweets_trigram where tweets_trigram match '秘密の'"),
        "runs": ids("select id from tweets_trigram_runs"),
        "users": ids("select screen_name from users where screen_name != ?", OWNER),
    }


NO_TRACE = {
    "tweets": [],
    "mentions": [],
    "hashtags": [],
    "urls": [],
    "media": [],
    "tweet_sources": [],
    "words": [],
    "substrings": [],
    "runs": [],
    "users": [],
}


def indexes_agree_with_tweets(db) -> None:
    # External-content FTS5: a row deleted without telling the index leaves it corrupt.
    for table in ("tweets_fts", "tweets_trigram"):
        db.execute(f"insert into [{table}] ([{table}]) values ('integrity-check')")


def summary_counts(db) -> dict:
    return {
        "tweets": db.execute("select tweets from archive_totals").fetchone()[0],
        "hashtags": [r[0] for r in db.execute("select tag from hashtag_counts")],
        "mentions": db.execute("select count(*) from mention_counts").fetchone()[0],
        "domains": [r[0] for r in db.execute("select domain from domain_counts")],
        "trigram_stats": db.execute("select tweets from tweets_trigram_stats").fetchone()[0],
    }


PUBLIC_SUMMARY = {
    "tweets": 2,
    "hashtags": ["opentag"],
    "mentions": 0,
    "domains": [],
    "trigram_stats": 2,
}


def left_out_lines(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith("left out")]


def skipped(db) -> list[dict]:
    return list(db.query("select id, skipped_deleted, skipped_circle from sources order by id"))


def test_a_newer_export_deleting_a_tweet_keeps_an_older_exports_copy_out(tmp_path):
    newer = exported(tmp_path / "newer", NEWER, PUBLIC, marks="deleted")
    older = exported(tmp_path / "older", OLDER, [*PUBLIC, private_tweet()])
    db, output = build(tmp_path, older, newer)
    assert traces(db) == NO_TRACE
    assert summary_counts(db) == PUBLIC_SUMMARY
    assert left_out_lines(output) == [
        "left out           1 deleted (private; --include-deleted imports them)"
    ]
    # Each source counts its own: the newer one's mark, the older one's copy.
    assert skipped(db) == [
        {"id": 1, "skipped_deleted": 1, "skipped_circle": 0},
        {"id": 2, "skipped_deleted": 1, "skipped_circle": 0},
    ]
    indexes_agree_with_tweets(db)

    db, output = build(tmp_path, older, newer, args=["--include-deleted"])
    row = db.execute(
        "select is_deleted, deleted_at, is_circle from tweets where id = ?", [PRIVATE_ID]
    ).fetchone()
    assert row == (1, "2023-02-14T17:05:20+00:00", 0)
    assert traces(db)["tweet_sources"] == [PRIVATE_ID, PRIVATE_ID]
    assert left_out_lines(output) == []


def test_markdown_made_from_an_export_cannot_publish_its_circle_tweet(tmp_path):
    official = exported(tmp_path / "export", NEWER, [*PUBLIC, private_tweet()], marks="circle")
    md_file(
        tmp_path / "md" / "tweets_2019-05.md",
        ["open words #opentag", "tweet number 1", MARKDOWN_TEXT],
    )
    db, output = build(tmp_path, tmp_path / "md", official)
    assert traces(db) == NO_TRACE
    assert summary_counts(db) == PUBLIC_SUMMARY
    assert left_out_lines(output) == [
        "left out           1 circle (private; --include-circle imports them)"
    ]
    assert skipped(db) == [
        {"id": 1, "skipped_deleted": 0, "skipped_circle": 1},  # the Markdown's copy
        {"id": 2, "skipped_deleted": 0, "skipped_circle": 1},
    ]
    indexes_agree_with_tweets(db)

    db, _ = build(tmp_path, tmp_path / "md", official, args=["--include-circle"])
    row = db.execute("select is_deleted, is_circle from tweets where id = ?", [PRIVATE_ID])
    assert row.fetchone() == (0, 1)


@pytest.mark.parametrize(
    "kind, flag, column",
    [("circle", "--include-circle", "is_circle"), ("deleted", "--include-deleted", "is_deleted")],
)
def test_an_older_export_marking_a_tweet_private_takes_back_the_newer_ones_copy(
    tmp_path, kind, flag, column
):
    """The newer export is read first and stores the tweet as ordinary; the older one only
    then tells it is private: the stored row goes, with everything that came with it."""
    newer = exported(tmp_path / "newer", NEWER, [*PUBLIC, private_tweet()])
    older_tweets = [*PUBLIC, private_tweet()] if kind == "circle" else PUBLIC
    older = exported(tmp_path / "older", OLDER, older_tweets, marks=kind)
    db, output = build(tmp_path, newer, older)
    assert traces(db) == NO_TRACE
    assert summary_counts(db) == PUBLIC_SUMMARY
    assert left_out_lines(output) == [f"left out           1 {kind} (private; {flag} imports them)"]
    assert db.execute("select count(*) from tweets").fetchone()[0] == 2
    indexes_agree_with_tweets(db)

    db, _ = build(tmp_path, newer, older, args=[flag])
    assert db.execute(f"select {column} from tweets where id = ?", [PRIVATE_ID]).fetchone() == (1,)
    assert summary_counts(db)["hashtags"] == ["opentag", "secrettag"]


def test_a_tweet_deleted_and_circle_is_left_out_unless_both_are_asked_for(tmp_path):
    newer = exported(tmp_path / "newer", NEWER, PUBLIC, marks="deleted")
    older = exported(tmp_path / "older", OLDER, [*PUBLIC, private_tweet()], marks="circle")
    db, output = build(tmp_path, newer, older, args=["--include-deleted"])
    assert traces(db) == NO_TRACE
    assert left_out_lines(output) == [
        "left out           1 circle (private; --include-circle imports them)"
    ]
    db, _ = build(tmp_path, newer, older, args=["--include-deleted", "--include-circle"])
    row = db.execute("select is_deleted, is_circle from tweets where id = ?", [PRIVATE_ID])
    assert row.fetchone() == (1, 1)


def test_an_unreadable_id_in_deleted_tweets_is_a_problem(tmp_path):
    archive = export(tmp_path / "x", PUBLIC)
    write(
        archive / "data" / "deleted-tweets.js",
        "x = " + json.dumps([{"tweet": {"id_str": "zz"}}, {"tweet": {"id_str": str(PRIVATE_ID)}}]),
    )
    db, _ = build(tmp_path, archive)
    reason = "has no readable id: if another source holds it, it is imported as a public tweet"
    assert list(db.execute("select file, line, reason from etl_problems")) == [
        ("data/deleted-tweets.js", 1, f"deleted tweet #1 {reason}")
    ]


def record(**fields) -> Tweet:
    base = dict(
        id=7,
        created_at="2020-01-01T00:00:00+00:00",
        text="hello",
        author=UserRef("owner"),
        url="https://twitter.com/owner/status/7",
        input_file="a.md",
        input_line=1,
    )
    return Tweet(**{**base, **fields})


def test_the_merge_keeps_the_most_private_flag():
    db = sqlite_utils.Database(memory=True)
    loader = Loader(db)
    loader.stage(1, [record(), record(id=8, is_deleted=True)], "best")
    loader.stage(2, [record(is_circle=True), record(id=8, deleted_at="2021-01-01")], "other")
    loader.finish()
    rows = db.execute("select id, is_deleted, deleted_at, is_circle from tweets order by id")
    assert rows.fetchall() == [(7, 0, None, 1), (8, 1, "2021-01-01", 0)]


def test_the_loader_accounts_for_every_record_it_withholds():
    db = sqlite_utils.Database(memory=True)
    loader = Loader(db)
    loader.stage(1, [record(), record(id=8)], "newer")
    withheld = records.Withheld(7, "circle")
    loader.stage(2, [withheld, record(id=7), record(id=9)], "older")
    loader.finish()  # check_nothing_lost: 4 entries, 2 stored, 2 left out
    assert [row[0] for row in db.execute("select id from tweets order by id")] == [8, 9]
    assert loader.left_out() == {"circle": 1}


def test_a_build_whose_every_tweet_is_private_succeeds_empty(tmp_path):
    """Tweets left out as private are not unreadable ones: no "no tweet could be imported"."""
    official = exported(tmp_path / "export", NEWER, [private_tweet()], marks="circle")
    md_file(tmp_path / "md" / "tweets_2019-05.md", ["zebradraft"], first_id=PRIVATE_ID)
    db, output = build(tmp_path, official, tmp_path / "md")
    assert traces(db) == NO_TRACE
    assert left_out_lines(output) == [
        "left out           1 circle (private; --include-circle imports them)"
    ]
