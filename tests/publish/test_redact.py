import shutil
import unicodedata

import pytest
import sqlite_utils

from etl.redact import Privacy, RedactError, Redactions, load_redactions, publishable_copy
from tests.helpers.build import add_owner_retweet, run_build
from tests.helpers.paths import FIXTURES, MARKDOWN

ALL_PRIVATE = ["--include-deleted", "--include-circle", "--include-likes"]


@pytest.fixture(scope="module")
def full_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("full") / "archive.db"
    result = run_build(path, FIXTURES / "official" / "modern", MARKDOWN / "plain", args=ALL_PRIVATE)
    assert result.exit_code == 0, result.output
    return path


def everything(db):
    return "\n".join(db.conn.iterdump())


def test_private_rows_are_removed_unless_asked_for(full_db, tmp_path):
    out = tmp_path / "public.db"
    removed = publishable_copy(full_db, out, Redactions(), Privacy())
    db = sqlite_utils.Database(out)
    assert removed == {"tweets": 2, "likes": 3}
    assert db.execute("select count(*) from tweets where is_deleted or is_circle").fetchone() == (
        0,
    )
    assert db["likes"].count == 0
    dump = everything(db)
    assert "Circle only: the draft of my talk" not in dump
    assert "Hot take: tabs are better than spaces" not in dump
    kept = publishable_copy(full_db, tmp_path / "all.db", Redactions(), Privacy(True, True, True))
    assert kept == {"tweets": 0}


def test_redacted_words_vanish_from_every_table_and_index(full_db, tmp_path):
    out = tmp_path / "public.db"
    publishable_copy(full_db, out, Redactions(words=["TOKYO TOWER"]), Privacy())
    db = sqlite_utils.Database(out)
    assert "Tokyo Tower" not in everything(db)
    assert db.execute(
        "select count(*) from tweets_fts where tweets_fts match 'tokyo'"
    ).fetchone() == (0,)
    assert db.execute(
        "select count(*) from tweets_trigram where tweets_trigram match 'Tokyo Tower'"
    ).fetchone() == (0,)
    # the index still finds what was not redacted
    assert db.execute(
        "select count(*) from tweets_fts where tweets_fts match 'snacks'"
    ).fetchone() == (1,)
    # nothing recoverable from free pages either: the file was vacuumed
    assert b"Tokyo Tower" not in out.read_bytes()


def test_redacting_a_tweet_takes_its_replies_and_quotes_along(full_db, tmp_path):
    out = tmp_path / "public.db"
    # 1675448113013195452 starts a thread that 1675448114774802444 continues
    publishable_copy(full_db, out, Redactions(tweets=[1675448113013195452]), Privacy())
    db = sqlite_utils.Database(out)
    ids = {r[0] for r in db.execute("select id from tweets").fetchall()}
    assert 1675448113013195452 not in ids and 1675448114774802444 not in ids
    assert db.execute(
        "select count(*) from tweet_sources where tweet_id = 1675448114774802444"
    ).fetchone() == (0,)


def test_redacting_an_account_hides_the_conversations_with_it(full_db, tmp_path):
    out = tmp_path / "public.db"
    publishable_copy(full_db, out, Redactions(accounts=["@fx_bob"]), Privacy())
    db = sqlite_utils.Database(out)
    assert "fx_bob" not in everything(db).lower()
    assert db.execute("select count(*) from tweets").fetchone()[0] > 10


def test_an_account_is_matched_by_its_own_status_links_only(full_db, tmp_path):
    # A link to fx_bob's status hides its tweet; a link to another site's path that merely
    # ends in "x.com/fx_bob/status/" (netflix.com) does not.
    copy = tmp_path / "links.db"
    shutil.copyfile(full_db, copy)
    db = sqlite_utils.Database(copy)
    kept, linked = [row[0] for row in db.execute("select id from tweets order by id limit 2")]
    db["urls"].insert_all(
        [
            {"tweet_id": kept, "position": 90, "url": "https://netflix.com/fx_bob/status/1"},
            {"tweet_id": linked, "position": 90, "url": "https://X.com/FX_Bob/status/2"},
        ]
    )
    db.conn.commit()
    out = tmp_path / "public.db"
    publishable_copy(copy, out, Redactions(accounts=["fx_bob"]), Privacy(True, True, True))
    ids = {row[0] for row in sqlite_utils.Database(out).execute("select id from tweets")}
    assert (kept in ids, linked in ids) == (True, False)


def test_summaries_are_recounted_after_removal(full_db, tmp_path):
    out = tmp_path / "public.db"
    publishable_copy(full_db, out, Redactions(words=["tokyo"]), Privacy())
    db = sqlite_utils.Database(out)
    # An edited tweet counts once, as its latest version.
    latest = db.execute("select count(*) from tweets where is_latest_version = 1").fetchone()[0]
    assert db.execute("select sum(tweets) from tweets_per_month").fetchone()[0] == latest


@pytest.mark.parametrize(
    "text, expected",
    [
        (
            "tweets: [1, '2']\naccounts: ['@amy']\nwords: [secret]\n",
            Redactions([1, 2], ["amy"], ["secret"]),
        ),
        ("", Redactions()),
        ("words: ['', ' ']", Redactions()),
    ],
)
def test_load_redactions(tmp_path, text, expected):
    path = tmp_path / "redact.yml"
    path.write_text(text)
    assert load_redactions(path) == expected


@pytest.mark.parametrize(
    "text, message",
    [
        ("tweet: [1]", "expected only the keys tweets, accounts and words"),
        ("tweets: [abc]", "tweets must be a list of tweet ids"),
        ("words: [unclosed", "cannot read redactions"),
    ],
)
def test_bad_redactions_file_is_one_clear_error(tmp_path, text, message):
    path = tmp_path / "redact.yml"
    path.write_text(text)
    with pytest.raises(RedactError, match=message):
        load_redactions(path)


EDITED = [1632305247407833149, 1632306373444239379]  # an edited tweet: first and latest version
RETWEET = 1632400000000000000


def with_retweet(full_db, tmp_path):
    """The full build plus the owner's retweet of the latest version of the edited tweet."""
    return add_owner_retweet(full_db, tmp_path / "with_retweet.db", RETWEET, EDITED[1])


def searches(db, word):
    return [
        db.execute(f"select count(*) from {fts} where {fts} match ?", [word]).fetchone()[0]
        for fts in ("tweets_fts",)
    ]


@pytest.mark.parametrize("redacted", [EDITED[0], EDITED[1], RETWEET])
def test_redacting_a_tweet_or_its_retweet_takes_every_version_and_retweet_of_it(
    full_db, tmp_path, redacted
):
    source = with_retweet(full_db, tmp_path)
    everything_kept = tmp_path / "kept.db"
    publishable_copy(source, everything_kept, Redactions(), Privacy())
    assert searches(sqlite_utils.Database(everything_kept), "vacuum") == [3]
    out = tmp_path / "public.db"
    removed = publishable_copy(source, out, Redactions(tweets=[redacted]), Privacy())
    db = sqlite_utils.Database(out)
    ids = {r[0] for r in db.execute("select id from tweets")}
    # Redacting the retweet hides the original too: the retweet's text is the original's.
    assert ids & {*EDITED, RETWEET} == set()
    assert removed["tweets"] == 2 + 3  # and the deleted and the Circle tweet
    assert searches(db, "vacuum") == [0]


def users(path):
    return sorted(
        r[0] for r in sqlite_utils.Database(path).execute("select screen_name from users")
    )


ALL_USERS = sorted(
    [
        "friend_b",
        "friend_c",
        "fixture_owner",
        "fx_alice",
        "fx_bob",
        "fx_carol",
        "gregyoung",
        "owner_a",
    ]
)


def test_users_only_hidden_tweets_refer_to_are_removed(full_db, tmp_path):
    assert users(full_db) == ALL_USERS
    out = tmp_path / "public.db"
    # @fx_bob @fx_alice ...: Alice is also replied to elsewhere, Bob is not
    publishable_copy(full_db, out, Redactions(tweets=[1594609823264014480]), Privacy())
    assert users(out) == [u for u in ALL_USERS if u != "fx_bob"]
    # the owners stay even with none of their tweets left
    publishable_copy(full_db, out, Redactions(accounts=["fx_alice"], words=["e"]), Privacy())
    assert users(out) == ["fixture_owner", "owner_a"]


def test_users_only_private_tweets_refer_to_are_removed(full_db, tmp_path):
    source = tmp_path / "mentioned.db"
    shutil.copy(full_db, source)
    db = sqlite_utils.Database(source)
    db["users"].insert({"id": 42, "screen_name": "circle_friend", "is_owner": 0})
    db["mentions"].insert({"tweet_id": 1659998107003256837, "user_id": 42, "position": 0})
    db.conn.commit()
    db.close()
    publishable_copy(source, tmp_path / "public.db", Redactions(), Privacy())
    assert users(tmp_path / "public.db") == ALL_USERS
    publishable_copy(source, tmp_path / "circle.db", Redactions(), Privacy(include_circle=True))
    assert users(tmp_path / "circle.db") == sorted([*ALL_USERS, "circle_friend"])


SPELLINGS = {
    "Call my phone number": True,
    "my\nphone number": True,  # a line break
    "my phone  number": True,  # two spaces
    "my\u00a0phone\tnumber": True,
    "MY PHONE NUMBER": True,
    "ｍｙ ｐｈｏｎｅ ｎｕｍｂｅｒ": True,  # full-width
    "my pho\u00adne number": True,  # a soft hyphen
    unicodedata.normalize("NFD", "Un CAFÉ"): True,  # é as e + combining accent
    "Straße": True,  # "strasse", case folded
    "myphone number": False,
    "my phone": False,
    "cafe": False,
}


def test_a_phrase_matches_however_it_is_spaced_cased_or_spelled(full_db, tmp_path):
    source = tmp_path / "spellings.db"
    shutil.copy(full_db, source)
    db = sqlite_utils.Database(source)
    first = 1800000000000000000
    for n, text in enumerate(SPELLINGS):
        db["tweets"].insert(
            {
                "id": first + n,
                "created_at": "2024-01-01T00:00:00+00:00",
                "kind": "tweet",
                "text": text,
                "user_id": 1113018231813046314,
                "is_retweet": 0,
            }
        )
    db.conn.commit()
    db.close()
    out = tmp_path / "public.db"
    words = ["My phone  number", "café", "STRASSE"]
    publishable_copy(source, out, Redactions(words=words), Privacy())
    kept = ids(out)
    hidden = {text: first + n not in kept for n, text in enumerate(SPELLINGS)}
    assert hidden == SPELLINGS


def ids(path):
    return {r[0] for r in sqlite_utils.Database(path).execute("select id from tweets")}


SKETCHES = 1388912461402341411  # its photo's description: "Pencil sketch of waves breaking…"


def test_a_word_in_a_photos_description_hides_the_tweet(full_db, tmp_path):
    out = tmp_path / "public.db"
    removed = publishable_copy(full_db, out, Redactions(words=["Waves  BREAKING"]), Privacy())
    assert SKETCHES in ids(full_db) and SKETCHES not in ids(out)
    assert removed["tweets"] == 2 + 1  # and the deleted and the Circle tweet
    assert b"waves breaking" not in out.read_bytes().lower()


def test_problem_rows_about_hidden_tweets_are_dropped(full_db, tmp_path):
    source = tmp_path / "problems.db"
    shutil.copy(full_db, source)
    db = sqlite_utils.Database(source)
    source_id, file, line = db.execute(
        "select source_id, input_file, input_line from tweet_sources where tweet_id = ?",
        [SKETCHES],
    ).fetchone()
    db["etl_problems"].insert_all(
        [
            {"source_id": source_id, "file": file, "line": line, "reason": "media refused"},
            {"source_id": source_id, "file": "x.js", "line": 1, "reason": f"{SKETCHES}-a.html"},
            {"source_id": source_id, "file": "x.js", "line": 2, "reason": "other", "raw": "x"},
            {"source_id": source_id, "file": "x.js", "line": 3, "reason": "1", "raw": "5"},
        ]
    )
    db.conn.commit()
    db.close()
    out = tmp_path / "public.db"
    publishable_copy(source, out, Redactions(tweets=[SKETCHES]), Privacy())
    problems = sqlite_utils.Database(out).execute(
        "select file, line, reason, raw from etl_problems"
    )
    assert problems.fetchall() == [
        ("data/note-tweet.js", 6, PROBLEM_REASON, ""),
        ("x.js", 2, "other", ""),
        ("x.js", 3, "1", ""),
    ]


PROBLEM_REASON = (
    "long post 1715838405419466752 (created 2023-10-21T21:12:09+00:00) matches no tweet"
)


def statistics(db):
    return sorted(db.execute("select tbl, idx, stat from sqlite_stat1").fetchall(), key=repr)


def test_statistics_count_the_published_rows(full_db, tmp_path):
    out = tmp_path / "public.db"
    publishable_copy(full_db, out, Redactions(tweets=[SKETCHES]), Privacy())
    db = sqlite_utils.Database(out)
    published = statistics(db)
    db.execute("delete from sqlite_stat1")
    db.execute("analyze")
    assert published == statistics(db)
    stats = {(tbl, idx): stat for tbl, idx, stat in published}
    assert stats[("tweets", "idx_tweets_created_at")].split()[0] == str(db["tweets"].count)
    assert [r for r in published if r[0] == "likes"] == []
    assert "sqlite_stat4" not in db.table_names()
