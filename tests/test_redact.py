import pytest
import sqlite_utils

from etl.redact import Privacy, RedactError, Redactions, load_redactions, publishable_copy

from .conftest import FIXTURES, MARKDOWN, run_build

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


def test_summaries_are_recounted_after_removal(full_db, tmp_path):
    out = tmp_path / "public.db"
    publishable_copy(full_db, out, Redactions(words=["tokyo"]), Privacy())
    db = sqlite_utils.Database(out)
    assert (
        db.execute("select sum(tweets) from tweets_per_month").fetchone()[0] == db["tweets"].count
    )


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
