import json
import os
import subprocess
import sys
import types
import zipfile

import pytest
import sqlite_utils
from click.testing import CliRunner

from etl.cli import BarProgress, cli, visible
from tests.helpers.build import run_build
from tests.helpers.paths import FIXTURES, MARKDOWN, ROOT

FIXTURES_OFFICIAL = FIXTURES / "official"

PUBLIC_TABLES = [
    "sources",
    "users",
    "tweets",
    "mentions",
    "hashtags",
    "urls",
    "media",
    "tweet_sources",
    "likes",
    "profile",
    "profile_images",
    "etl_problems",
    "tweets_per_month",
    "tweets_per_hour",
    "tweets_per_day",
    "archive_totals",
    "facet_counts",
    "facet_cube",
    "self_threads",
    "mention_counts",
    "hashtag_counts",
    "domain_counts",
    "reply_counts",
    "retweet_counts",
    "emoji_counts",
]


def test_build_prints_a_one_screen_summary(tmp_path):
    result = run_build(tmp_path / "a.db", MARKDOWN / "plain")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].endswith("plain: markdown by @owner_a, 2 files, 9 entries")
    assert lines[1:9] == [
        "files read          2    entries             9",
        "tweets              9    retweets            1",
        "replies             1    quotes              1",
        "users               4    mentions            3",
        "hashtags            2    URLs                2",
        "media found         3    missing             2",
        "geotagged           0    likes               0",
        "problems            0",
    ]
    assert lines[9].startswith(f"Wrote {tmp_path / 'a.db'} in ")
    assert len(lines) == 10


def test_only_the_public_tables_are_created(db):
    assert [
        t for t in db.table_names() if not t.startswith(("tweets_fts", "tweets_trigram", "sqlite_"))
    ] == (PUBLIC_TABLES)


def test_foreign_keys_are_declared(db):
    assert sorted((fk.column, fk.other_table) for fk in db["tweets"].foreign_keys) == [
        ("in_reply_to_user_id", "users"),
        ("user_id", "users"),
    ]
    for table in ("mentions", "hashtags", "urls", "media", "tweet_sources"):
        assert ("tweet_id", "tweets") in [
            (fk.column, fk.other_table) for fk in db[table].foreign_keys
        ]
    assert db.execute("pragma foreign_key_check").fetchall() == []


FACETED_OR_SORTED = {
    "created_at",
    "kind",
    "user_id",
    "in_reply_to_id",
    "quoted_id",
    "lang",
    "source",
}


def test_every_faceted_or_sorted_column_is_indexed(tmp_path):
    assert run_build(tmp_path / "o.db", FIXTURES_OFFICIAL / "modern").exit_code == 0
    indexed = {idx.columns[0] for idx in sqlite_utils.Database(tmp_path / "o.db")["tweets"].indexes}
    assert FACETED_OR_SORTED <= indexed


def test_an_empty_column_has_an_empty_index(db):
    """Markdown has no languages, clients or like counts: their indexes hold nothing, but a
    page asking for `favorite_count > 0` still finds that out from the index."""
    sizes = {
        name: count
        for name, count in db.execute(
            "select name, count(*) from dbstat where name like 'idx_tweets_%' group by name"
        )
    }
    assert {sizes[f"idx_tweets_{c}"] for c in ("lang", "source", "favorite_count")} == {1}
    plan = db.execute(
        "explain query plan select id from tweets where favorite_count > 0 "
        "order by favorite_count desc"
    ).fetchall()
    assert "idx_tweets_favorite_count" in str(plan)


def test_ids_are_exact_64_bit_integers(db):
    rows = list(
        db.query("select id, id_str, typeof(id) t from tweets where id = 1142633936507547648")
    )
    assert rows == [{"id": 1142633936507547648, "id_str": "1142633936507547648", "t": "integer"}]


def test_full_text_search_stems_english_and_finds_russian(db):
    def search(table, query):
        sql = f"select rowid from [{table}] where [{table}] match ? order by rowid"
        return [row[0] for row in db.execute(sql, [query]).fetchall()]

    assert search("tweets_fts", "welcoming") == [1134400000000000000]  # porter: welcome
    assert search("tweets_fts", "привет") == [1142633936507547648]
    assert search("tweets_fts", "Бегущие") == [1142633936507547648]
    assert search("tweets_fts", "タワー") == []  # unicode61 keeps the kana run whole
    assert search("tweets_trigram", "タワー") == [1142633936507547648]
    assert search("tweets_trigram", "東京タ") == [1142633936507547648]


def test_users_cover_authors_mentions_replies_and_retweets(db):
    names = {row["screen_name"]: row["is_owner"] for row in db["users"].rows}
    assert names == {
        "owner_a": 1,
        "owner_b": 1,
        "owner_c": 1,
        "friend_b": 0,
        "friend_c": 0,
        "gregyoung": 0,
        "amy_h": 0,
        "bob": 0,
        "carol_c": 0,
        "QueenOfRats": 0,
        "under_score": 0,
        "plain": 0,
    }


def test_every_tweet_records_where_it_was_seen(db):
    row = db.execute(
        "select s.name, ts.input_file, ts.input_line from tweet_sources ts "
        "join sources s on s.id = ts.source_id where tweet_id = 1134650000000000000"
    ).fetchall()
    assert row == [("plain", "tweets_2019-05.md", 7)]


def test_merging_sources_gives_one_row_per_tweet_and_keeps_every_source(tmp_path):
    db_path = tmp_path / "m.db"
    result = run_build(db_path, MARKDOWN / "plain", MARKDOWN / "plain")
    assert result.exit_code == 0, result.output
    db = sqlite_utils.Database(db_path)
    assert db["tweets"].count == 9
    assert db["tweet_sources"].count == 18
    assert db.execute("select count(distinct source_id) from tweet_sources").fetchone()[0] == 2


def test_two_builds_of_the_same_input_give_the_same_rows(tmp_path):
    def dump(path):
        db = sqlite_utils.Database(path)
        return {t: list(db[t].rows) for t in PUBLIC_TABLES}

    for name in ("one.db", "two.db"):
        assert run_build(tmp_path / name, MARKDOWN / "plain", MARKDOWN / "quoted").exit_code == 0
    assert dump(tmp_path / "one.db") == dump(tmp_path / "two.db")


def test_a_zip_of_the_archive_builds_like_the_folder(tmp_path):
    path = tmp_path / "archive.zip"
    with zipfile.ZipFile(path, "w") as z:
        for file in (MARKDOWN / "plain").rglob("*"):
            z.write(file, file.relative_to(MARKDOWN / "plain"))
    assert run_build(tmp_path / "zip.db", path).exit_code == 0
    assert run_build(tmp_path / "dir.db", MARKDOWN / "plain").exit_code == 0
    zipped, folder = (
        sqlite_utils.Database(tmp_path / "zip.db"),
        sqlite_utils.Database(tmp_path / "dir.db"),
    )
    for table in ("tweets", "media", "mentions", "hashtags", "urls"):
        assert list(zipped[table].rows) == list(folder[table].rows)


def test_a_single_markdown_file_is_a_source(tmp_path):
    result = run_build(tmp_path / "one.db", MARKDOWN / "plain" / "tweets_2019-05.md")
    assert result.exit_code == 0, result.output
    assert sqlite_utils.Database(tmp_path / "one.db")["tweets"].count == 2


def test_problems_are_stored_and_listed(tmp_path):
    result = run_build(tmp_path / "p.db", MARKDOWN / "broken")
    assert result.exit_code == 0, result.output
    assert "  tweets_2020-01.md:7: unreadable date 'Wed Jan 99 10:00:00 +0000 2020' in footer" in (
        result.output.splitlines()
    )
    rows = list(
        sqlite_utils.Database(tmp_path / "p.db").query("select file, line, raw from etl_problems")
    )
    assert rows == [
        {
            "file": "tweets_2020-01.md",
            "line": 7,
            "raw": "A tweet with a garbled date\n\n[Wed Jan 99 10:00:00 +0000 2020]"
            "(https://twitter.com/owner_d/status/1212300000000000001)",
        },
        {"file": "tweets_2020-01.md", "line": 13, "raw": "A tweet whose footer was lost"},
    ]


def test_strict_fails_and_leaves_the_old_database_untouched(tmp_path):
    db_path = tmp_path / "archive.db"
    assert run_build(db_path, MARKDOWN / "plain").exit_code == 0
    before = db_path.read_bytes()
    result = run_build(db_path, MARKDOWN / "broken", args=["--strict"])
    assert result.exit_code == 1
    assert result.output.splitlines()[-1] == (
        f"Error: --strict: 2 problem(s); {db_path} left unchanged"
    )
    assert db_path.read_bytes() == before
    assert os.listdir(tmp_path) == ["archive.db"]


def make_input(path, kind):
    if kind == "folder":
        path.mkdir()
    elif kind != "missing":
        path.write_bytes(kind)
    return path


@pytest.mark.parametrize(
    "kind, message",
    [
        ("folder", "no Twitter archive found"),
        (b"", "the file is empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00binary", "a binary file"),
        (b"just some notes", "not a Twitter archive"),
        ("missing", "no such file or folder"),
    ],
)
def test_unreadable_input_gives_one_line_and_no_database(tmp_path, kind, message):
    source = make_input(tmp_path / "input", kind)
    db_path = tmp_path / "out" / "archive.db"
    result = run_build(db_path, source)
    assert result.exit_code == 1
    assert result.output.count("\n") == 1
    assert result.output.startswith("Error: ") and message in result.output
    assert "Traceback" not in result.output
    assert not db_path.exists()


def test_an_empty_official_export_builds_an_empty_database(tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "tweets.js").write_text("window.YTD.tweets.part0 = []")
    result = run_build(tmp_path / "x.db", tmp_path)
    assert result.exit_code == 0, result.output
    assert sqlite_utils.Database(tmp_path / "x.db")["tweets"].count == 0


@pytest.mark.parametrize("command", [[], ["build"]])
def test_help_has_an_example(command):
    result = CliRunner().invoke(cli, [*command, "--help"])
    assert result.exit_code == 0
    if command:
        assert "Example:" in result.output and "tweets-etl build build/archive.db" in result.output


def test_python_dash_m_etl_runs_the_cli(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "etl", "build", str(tmp_path / "x.db"), str(MARKDOWN / "quoted")],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr
    assert "tweets              5" in result.stderr


def test_monthly_summary_counts_every_tweet_once(db):
    rows = list(db.query("select month, tweets, replies, retweets from tweets_per_month"))
    assert rows == [
        {"month": "2019-05", "tweets": 1, "replies": 0, "retweets": 0},
        {"month": "2019-06", "tweets": 8, "replies": 1, "retweets": 1},
        {"month": "2022-11", "tweets": 6, "replies": 3, "retweets": 1},
        {"month": "2022-12", "tweets": 1, "replies": 0, "retweets": 0},
    ]
    assert sum(row["tweets"] for row in rows) == db["tweets"].count


def test_a_damaged_zip_is_one_clear_line_and_no_database(tmp_path):
    damaged = bytearray((FIXTURES_OFFICIAL / "zipped" / "modern.zip").read_bytes())
    start = damaged.find(b"data/tweets.js") + 200
    damaged[start : start + 200] = b"X" * 200
    source = tmp_path / "export.zip"
    source.write_bytes(bytes(damaged))
    result = run_build(tmp_path / "out" / "archive.db", source)
    assert result.exit_code == 1
    assert result.output.startswith("Error: a zip file is damaged (")
    assert result.output.count("\n") == 1
    assert not (tmp_path / "out" / "archive.db").exists()


def test_the_database_gets_ordinary_file_permissions(tmp_path):
    import os
    import stat

    old = os.umask(0o022)
    try:
        assert run_build(tmp_path / "a.db", MARKDOWN / "plain").exit_code == 0
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "a.db").stat().st_mode) == 0o644


def write_markdown(folder, *entries):
    """A twitter-archive-parser Markdown file of (text, footer date, tweet id) entries."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "tweets_2020-01.md").write_text(
        "\n\n----\n\n".join(
            f"{text}\n\n(Originally on Twitter: [{date}](https://twitter.com/o/status/{id}))"
            for text, date, id in entries
        )
        + "\n"
    )
    return folder


def test_a_build_that_imports_no_tweet_fails_and_leaves_the_old_database(tmp_path):
    db_path = tmp_path / "archive.db"
    assert run_build(db_path, MARKDOWN / "plain").exit_code == 0
    before = db_path.read_bytes()
    source = write_markdown(
        tmp_path / "bad",
        ("one", "Wed Jan 99 10:00:00 +0000 2020", 1212300000000000001),
        ("two", "Mon Jan 01 00:30:00 +0100 0001", 1212300000000000002),
        ("three", "Wed Jan 01 10:00:00 +0000 2020", 2**64),
    )
    result = run_build(db_path, source)
    assert (result.exit_code, result.output) == (
        1,
        "Error: no tweet could be imported: 3 entries, all reported as problems (first: "
        "tweets_2020-01.md:1: unreadable date 'Wed Jan 99 10:00:00 +0000 2020' in footer); "
        f"{db_path} left unchanged\n",
    )
    assert db_path.read_bytes() == before
    assert sorted(os.listdir(tmp_path)) == ["archive.db", "bad"]


def test_an_unexpected_error_is_one_line_naming_the_file(tmp_path, monkeypatch):
    def explode(*args):
        yield from ()
        raise RecursionError("maximum recursion depth exceeded\nwhile reading")

    monkeypatch.setattr("etl.readers.markdown.read", explode)
    result = run_build(tmp_path / "a.db", MARKDOWN / "plain")
    assert (result.exit_code, result.output) == (
        1,
        f"Error: internal error while reading {MARKDOWN / 'plain' / 'tweets_2019-05.md'}: "
        "RecursionError: maximum recursion depth exceeded while reading; please report it\n",
    )
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize(
    "db, sources, message",
    [
        ("plain.md", ["plain.md"], "{db} is also a SOURCE; write the database somewhere else"),
        ("plain.md", ["src"], "{db} exists and is not a SQLite database; not overwriting it"),
        ("file/a.db", ["src"], "cannot write {db}: {tmp}/file is a file, not a folder"),
        ("dir.db/", ["src"], "{db} is a folder; give the path of the database file to write"),
        ("/proc/a.db", ["src"], "cannot write {db}: No such file or directory"),
    ],
)
def test_a_db_path_that_cannot_or_must_not_be_written_is_one_line(tmp_path, db, sources, message):
    (tmp_path / "plain.md").write_bytes((MARKDOWN / "plain" / "tweets_2019-05.md").read_bytes())
    (tmp_path / "file").write_text("")
    (tmp_path / "dir.db").mkdir()
    (tmp_path / "src").symlink_to(MARKDOWN / "plain")
    before = sorted(os.listdir(tmp_path))
    db_path = db if db.startswith("/") else str(tmp_path / db)
    result = CliRunner().invoke(cli, ["build", db_path, *(str(tmp_path / s) for s in sources)])
    assert (result.exit_code, result.output) == (
        1,
        "Error: " + message.format(db=db_path.rstrip("/"), tmp=tmp_path) + "\n",
    )
    assert sorted(os.listdir(tmp_path)) == before


def test_a_db_in_a_folder_that_does_not_exist_yet_is_written(tmp_path):
    result = run_build(tmp_path / "new" / "sub" / "a.db", MARKDOWN / "plain", args=["-q"])
    assert (result.exit_code, result.output) == (0, "")
    assert sqlite_utils.Database(tmp_path / "new" / "sub" / "a.db")["tweets"].count == 9
    assert os.listdir(tmp_path / "new" / "sub") == ["a.db"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write anywhere")
def test_a_db_in_a_read_only_folder_is_one_line(tmp_path):
    (tmp_path / "ro").mkdir(mode=0o555)
    result = run_build(tmp_path / "ro" / "a.db", MARKDOWN / "plain")
    assert (result.exit_code, result.output) == (
        1,
        f"Error: cannot write {tmp_path / 'ro' / 'a.db'}: Permission denied\n",
    )


def test_owner_option_names_the_owner_of_an_export_without_account_js(tmp_path):
    data = tmp_path / "export" / "data"
    data.mkdir(parents=True)
    (data / "tweets.js").write_bytes(
        (FIXTURES_OFFICIAL / "modern" / "data" / "tweets.js").read_bytes()
    )
    result = run_build(tmp_path / "a.db", tmp_path / "export", args=["--owner", "@Someone"])
    assert result.exit_code == 0, result.output
    db = sqlite_utils.Database(tmp_path / "a.db")
    assert list(db.query("select owner_screen_name from sources")) == [
        {"owner_screen_name": "Someone"}
    ]
    assert [r["screen_name"] for r in db.query("select screen_name from users where is_owner")] == [
        "Someone"
    ]


def test_two_texts_for_one_tweet_id_keep_the_best_and_report_the_other(tmp_path):
    date = "Wed Jan 01 10:00:00 +0000 2020"
    first = write_markdown(
        tmp_path / "first", ("kept text https://t.co/a", date, 11), ("same &amp; fine", date, 12)
    )
    second = write_markdown(
        tmp_path / "second",
        ("another text entirely", date, 11),
        ("same & fine", date, 12),
        ("only here", date, 13),
    )
    result = run_build(tmp_path / "a.db", first, second, args=["-q"])
    assert (result.exit_code, result.output) == (0, "")
    db = sqlite_utils.Database(tmp_path / "a.db")
    assert list(db.query("select id, text from tweets order by id")) == [
        {"id": 11, "text": "kept text https://t.co/a"},
        {"id": 12, "text": "same & fine"},
        {"id": 13, "text": "only here"},
    ]
    assert list(db.query("select source_id, file, line, reason, raw from etl_problems")) == [
        {
            "source_id": 2,
            "file": "tweets_2020-01.md",
            "line": 1,
            "reason": "tweet 11: text differs from the one kept, from first (tweets_2020-01.md:1)",
            "raw": "another text entirely",
        }
    ]


def test_the_first_unreadable_entry_is_named_not_a_missing_side_file(tmp_path):
    (tmp_path / "export" / "data").mkdir(parents=True)
    (tmp_path / "export" / "data" / "tweets.js").write_text(
        'window.YTD.tweets.part0 = [{"tweet": {"full_text": "no id"}}, {"tweet": {}}]'
    )
    result = run_build(tmp_path / "a.db", tmp_path / "export")
    assert (result.exit_code, result.output) == (
        1,
        "Error: no tweet could be imported: 2 entries, all reported as problems (first: "
        f"data/tweets.js:1: tweet #1: tweet has no id); {tmp_path / 'a.db'} left unchanged\n",
    )


@pytest.mark.parametrize(
    "text, shown",
    [
        ("plain café, 東京 and 🙂", "plain café, 東京 and 🙂"),
        ("\x1b]0;title\x07\x1b[2J", "\\x1b]0;title\\x07\\x1b[2J"),
        ("a\nproblems 0\r\tb\x00\x7f", "a\\nproblems 0\\r\\tb\\x00\\x7f"),
        ("c1 \x85 \x9b", "c1 \\x85 \\x9b"),
        (
            "\u202egnp.exe \u2066x\u2069 \u200e\u200f\u061c",
            "\\u202egnp.exe \\u2066x\\u2069 \\u200e\\u200f\\u061c",
        ),
        ("line\u2028paragraph\u2029", "line\\u2028paragraph\\u2029"),
        ("not utf-8: \udce9", "not utf-8: \\udce9"),
        ("data\\tweets.js", "data\\tweets.js"),
    ],
)
def test_printed_text_shows_control_characters_escaped(text, shown):
    assert visible(text) == shown


def test_an_error_line_shows_a_hostile_name_escaped_on_one_line(tmp_path):
    source = tmp_path / "gone\x1b[2J\nproblems 0"
    result = run_build(tmp_path / "a.db", source)
    assert (result.exit_code, result.output) == (
        1,
        f"Error: {tmp_path}/gone\\x1b[2J\\nproblems 0: no such file or folder\n",
    )


def test_a_click_error_about_a_hostile_name_is_escaped(tmp_path, monkeypatch):
    def refuse(db_path, *args):
        raise PermissionError(13, "Permission denied", f"{db_path}\x1b]0;owned\x07")

    monkeypatch.setattr("etl.cli.build", refuse)
    result = run_build(tmp_path / "a.db", MARKDOWN / "plain")
    assert (result.exit_code, result.output) == (
        1,
        f"Error: {tmp_path / 'a.db'}\\x1b]0;owned\\x07: Permission denied\n",
    )


def test_publish_lines_are_escaped(tmp_path, monkeypatch):
    monkeypatch.setattr("etl.cli.publish", lambda plan, echo: echo("Left out media/\x1b[2Jx.svg"))
    result = CliRunner().invoke(cli, ["publish", str(tmp_path / "a.db"), "--dry-run"])
    assert (result.exit_code, result.output) == (0, "Left out media/\\x1b[2Jx.svg\n")


def test_the_progress_bar_shows_a_file_name_escaped():
    progress = BarProgress()
    progress.bar = types.SimpleNamespace(label="", update=lambda n: None)
    progress.file("data/\x1b]0;owned\x07tweets.js")
    assert progress.bar.label == "\\x1b]0;owned\\x07tweets.js"


def test_each_copy_of_a_duplicated_zip_member_is_a_source_of_its_own(tmp_path):
    tweets = [
        {
            "tweet": {
                "id_str": str(n),
                "created_at": "Fri May 31 10:00:00 +0000 2019",
                "full_text": f"tweet {n}",
            }
        }
        for n in (1, 2, 3)
    ]
    source = tmp_path / "x.zip"
    with pytest.warns(UserWarning, match="Duplicate name"), zipfile.ZipFile(source, "w") as z:
        for part in (tweets[:2], tweets[2:]):
            z.writestr("data/tweets.js", f"window.YTD.tweets.part0 = {json.dumps(part)}")
    result = run_build(tmp_path / "a.db", source, args=["--owner", "someone"])
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[:2] == [
        f"{source}: official by @someone, 1 files, 1 entries",  # the last member, as unzipped
        f"{source} (copy 2): official by @someone, 1 files, 2 entries",
    ]
    db = sqlite_utils.Database(tmp_path / "a.db")
    assert [r["id"] for r in db.query("select id from tweets order by id")] == [1, 2, 3]
