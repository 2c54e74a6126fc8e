"""Nothing redacted or private is left in any byte of a published `--target dir` bundle.

Each tweet to hide carries a marker word of its own, in the places redaction once missed: the
owner's retweet of a redacted tweet (2019+ shape: no retweeted_status), a phrase spelled with
a line break, two spaces, decomposed accents or another case, a photo's alt text, a problem
row about a redacted tweet, a like and a deleted tweet left out at publishing.
"""

import gzip
import shutil
import sqlite3
import unicodedata
from datetime import datetime

import pytest
import sqlite_utils
import yaml
from click.testing import CliRunner

from etl.cli import cli
from etl.summaries import SUMMARY_TABLES, create_summaries
from tests.corpus import FIRST_ID, OWNER, export, tweet, ytd
from tests.helpers.build import run_build
from tests.helpers.paths import FIXTURES

PHRASE = "Zqxphrase Café noir"
HIDDEN_DAY = "2011-01-01"


def client(name: str) -> str:
    # The client name is a column of its own (tweets.source): a marker there is the tweet's.
    return f'<a href="https://example.invalid/" rel="nofollow">{name}</a>'


def on(day: str, hour: int = 10) -> str:
    return datetime.fromisoformat(f"{day}T{hour:02}:00").strftime("%a %b %d %H:%M:%S +0000 %Y")


def photo(n: int, name: str, alt: str | None = None) -> dict:
    item = {
        "type": "photo",
        "media_url_https": f"https://pbs.twimg.com/media/{name}",
        "url": f"https://t.co/m{n}",
        "expanded_url": f"https://twitter.com/{OWNER}/status/{FIRST_ID + n}/photo/1",
    }
    if alt:
        item["ext_alt_text"] = alt
    return item


LONG = (
    "zqxmarkerorig #zqxmarkertag with @zqxmarkeruser, a long tweet that the retweet cuts "
    "short: the rest of it zqxmarkertail is only in the original 秘密のマーカー文字 here"
)
HIDDEN = {
    # n: (text, client, other fields); the owner redacts 1 and 5 by id and someone else's
    # tweet 1134300000000000001 the owner retweeted (3): 2, 3 and 4 must go along.
    1: (
        LONG,
        "zqxmarkerclient1",
        {
            "extended_entities": {"media": [photo(1, "zqxmarkerhtml.html")]},
            "created_at": on(HIDDEN_DAY),
        },
    ),
    2: (f"RT @{OWNER}: {LONG[:110]}…", "zqxmarkerclient2", {}),
    3: (
        "RT @someone_else: zqxmarkerlinked look https://t.co/l3",
        "zqxmarkerclient3",
        {
            "entities": {
                "hashtags": [],
                "symbols": [],
                "user_mentions": [],
                "urls": [
                    {
                        "url": "https://t.co/l3",
                        "expanded_url": "https://x.com/someone_else/status/1134300000000000001",
                    }
                ],
            }
        },
    ),
    4: ("zqxmarkerreverse: the original of a retweet the owner redacted", "zqxmarkerclient4", {}),
    5: (f"RT @{OWNER}: zqxmarkerreverse: the original of a retweet…", "zqxmarkerclient5", {}),
    6: ("zqxphrase café\nnoir, line break", "zqxmarkerclient6", {}),
    7: ("zqxphrase café  noir, two spaces", "zqxmarkerclient7", {}),
    8: (unicodedata.normalize("NFD", "zqxphrase café noir, decomposed"), "zqxmarkerclient8", {}),
    9: ("ZQXPHRASE CAFÉ NOIR, capitals", "zqxmarkerclient9", {}),
    10: (
        "a photo of the street https://t.co/m10",
        "zqxmarkerclient10",
        {"extended_entities": {"media": [photo(10, "street.jpg", "zqxmarkeralt is my house")]}},
    ),
}
KEPT = {
    0: ("keptmarker0 an ordinary tweet about gardens", "Kept Client", {}),
    11: (
        "keptmarker11 a photo https://t.co/m11",
        "Kept Client",
        {"extended_entities": {"media": [photo(11, "keptphoto.svg")]}},
    ),
    12: ("RT @someone_else: keptmarker12 another account's tweet, kept", "Kept Client", {}),
    13: ("keptmarker13 公開の文字列", "Kept Client", {}),
}
REDACT = {
    "tweets": [FIRST_ID + 1, FIRST_ID + 5, 1134300000000000001],
    "words": [PHRASE, "ZQXMARKERALT"],
}
MARKERS = [b"zqxmarker", b"zqxphrase", "秘密のマーカー".encode(), b"secretdeleted", b"secretlike"]

# The private files of an export (issue 19, item 3): a normal build never reads them, so no
# byte of its database or of any bundle holds their marker words or account ids.
FOLLOWER_ID, BLOCKED_ID = "4242424242424242421", "4242424242424242422"
PRIVATE_FILE_MARKERS = [
    b"zqdmsecret",
    "秘密のダイレクト".encode(),
    b"zqgroupsecret",
    FOLLOWER_ID.encode(),
    BLOCKED_ID.encode(),
    b"zqmutedsecret",
    b"zqlistsecret",
]


def dm(message_id: str, text: str, **fields) -> dict:
    return {
        "messageCreate": {
            "id": message_id,
            "senderId": "1113018231813046314",
            "text": text,
            "createdAt": "2021-06-02T10:00:00.000Z",
            "mediaUrls": [],
            "urls": [],
            "reactions": [],
            **fields,
        }
    }


def account(key: str, account_id: str) -> dict:
    return {key: {"accountId": account_id, "userLink": f"https://x.com/i/user/{account_id}"}}


PRIVATE_FILES = {
    "direct-messages.js": ytd(
        "direct_messages",
        [
            {
                "dmConversation": {
                    "conversationId": "1113018231813046314-4242424242424242423",
                    "messages": [
                        dm(
                            "4242424242424242424",
                            "zqdmsecret 秘密のダイレクト",
                            recipientId="4242424242424242423",
                        )
                    ],
                }
            }
        ],
    ),
    "direct-messages-group.js": ytd(
        "direct_messages_group",
        [
            {
                "dmConversation": {
                    "conversationId": "4242424242424242425",
                    "messages": [dm("4242424242424242426", "zqgroupsecret hello all")],
                }
            }
        ],
    ),
    "direct-message-headers.js": ytd("direct_message_headers", []),
    "follower.js": ytd("follower", [account("follower", FOLLOWER_ID)]),
    "following.js": ytd("following", [account("following", FOLLOWER_ID)]),
    "block.js": ytd("block", [account("blocking", BLOCKED_ID)]),
    "mute.js": ytd("mute", [account("muting", "4242424242424242427")]),
    "lists-created.js": ytd(
        "lists_created",
        [{"userListInfo": {"url": "https://x.com/corpus_owner/lists/zqlistsecret"}}],
    ),
    "screen-name-change.js": ytd(
        "screen_name_change",
        [
            {
                "screenNameChange": {
                    "accountId": "1113018231813046314",
                    "screenNameChange": {
                        "changedAt": "2020-01-01T00:00:00.000Z",
                        "changedFrom": "zqmutedsecret",
                        "changedTo": "corpus_owner",
                    },
                }
            }
        ],
    ),
}


def items(table: dict) -> list[dict]:
    found = []
    for n, (text, name, fields) in table.items():
        fields = {"created_at": on("2021-06-01", n % 24), **fields}
        found.append(tweet(n, text, source=client(name), **fields))
    return found


@pytest.fixture(scope="module")
def bundle(tmp_path_factory):
    root = tmp_path_factory.mktemp("export")
    deleted = tweet(20, "secretdeleted tweet", deleted_at="2021-06-03T00:00:00.000Z")
    like = {"like": {"tweetId": "1134399999999999999", "fullText": "secretlike text"}}
    export(
        root,
        items(HIDDEN) + items(KEPT),
        files={
            "deleted-tweets.js": ytd("deleted_tweets", [{"tweet": deleted}]),
            "like.js": ytd("like", [like]),
            f"tweets_media/{FIRST_ID + 1}-zqxmarkerhtml.html": "<p>zqxmarkerfile</p>",
            f"tweets_media/{FIRST_ID + 10}-street.jpg": b"\xff\xd8\xff zqxmarkerjpg",
            f"tweets_media/{FIRST_ID + 11}-keptphoto.svg": "<svg/>",
            **PRIVATE_FILES,
        },
    )
    work = tmp_path_factory.mktemp("publish")
    db_path = work / "archive.db"
    result = run_build(db_path, root, args=["--include-deleted", "--include-likes"])
    assert result.exit_code == 0, result.output
    (work / "redact.yml").write_text(yaml.safe_dump(REDACT, allow_unicode=True))
    out = work / "site"
    result = CliRunner().invoke(
        cli,
        ["publish", str(db_path), "--target", "dir", "--out", str(out)]
        + ["--redact", str(work / "redact.yml")],
    )
    assert result.exit_code == 0, result.output
    return db_path, out


@pytest.fixture(scope="module")
def static_bundle(bundle, tmp_path_factory):
    """The same database published with --target static (pages, search index, download)."""
    db_path, _ = bundle
    out = tmp_path_factory.mktemp("static") / "site"
    result = CliRunner().invoke(
        cli,
        ["publish", str(db_path), "--target", "static", "--out", str(out)]
        + ["--redact", str(db_path.parent / "redact.yml")],
    )
    assert result.exit_code == 0, result.output
    return out


def readable(path) -> bytes:
    """A file's bytes as a reader of it gets them: Pagefind's index files are gzipped."""
    data = path.read_bytes()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    return data.lower()


def test_no_byte_of_the_static_site_holds_a_hidden_marker(static_bundle):
    files = [p for p in sorted(static_bundle.rglob("*")) if p.is_file()]
    assert any(p.parts[-2:] == ("search", "index.html") for p in files)
    leaks = [
        (str(p.relative_to(static_bundle)), m) for p in files for m in MARKERS if m in readable(p)
    ]
    assert leaks == []
    pages = "".join(
        p.read_text() for p in files if p.suffix == ".html" and "archive/tweets" in p.as_posix()
    )
    assert "keptmarker0" in pages and "keptmarker13" in pages
    written = sorted(int(p.name) - FIRST_ID for p in (static_bundle / "archive/tweets").iterdir())
    assert written == [0, 11, 12, 13]


@pytest.mark.slow
def test_the_full_build_holds_every_marker(bundle):
    db_path, _ = bundle
    data = db_path.read_bytes().lower()
    assert [m for m in MARKERS if m not in data] == []
    db = sqlite_utils.Database(db_path)
    assert db.execute("select count(*) from etl_problems").fetchone() == (2,)


def test_no_byte_of_the_bundle_holds_a_hidden_marker(bundle):
    _, out = bundle
    files = [p for p in sorted(out.rglob("*")) if p.is_file()]
    leaks = [
        (str(p.relative_to(out)), m) for p in files for m in MARKERS if m in p.read_bytes().lower()
    ]
    assert leaks == []
    assert b"keptmarker0" in (out / "archive.db").read_bytes()


def published(out) -> sqlite_utils.Database:
    return sqlite_utils.Database(out / "archive.db")


def test_the_kept_tweets_and_problems_are_published(bundle):
    _, out = bundle
    db = published(out)
    ids = db.execute("select id - ? from tweets order by id", [FIRST_ID]).fetchall()
    assert ids == [(0,), (11,), (12,), (13,)]
    assert db.execute("select count(*) from likes").fetchone() == (0,)
    # the problem about a kept tweet stays; the one about the redacted tweet is gone
    line = db.execute("select input_line from tweets where id = ?", [FIRST_ID + 11]).fetchone()[0]
    problems = db.execute("select file, line, reason like '%keptphoto.svg%' from etl_problems")
    assert problems.fetchall() == [("data/tweets.js", line, 1)]


def terms(db, table: str) -> list[str]:
    vocab = f"temp.vocab_{table}"
    db.execute(f"create virtual table if not exists {vocab} using fts5vocab(main, {table}, 'row')")
    return [r[0] for r in db.execute(f"select term from {vocab} order by term")]


def test_the_search_indexes_hold_only_the_kept_tweets(bundle):
    _, out = bundle
    db = sqlite_utils.Database(sqlite3.connect(out / "archive.db"))
    # FTS5 stores its terms prefix-compressed: the bytes alone would not show them
    assert [t for t in terms(db, "tweets_fts") if "zqx" in t or "secret" in t] == []
    assert "keptmarker0" in terms(db, "tweets_fts")
    assert terms(db, "tweets_trigram") == ["の文字", "公開の", "文字列", "開の文"]
    assert db.execute("select * from tweets_trigram_runs").fetchall() == [
        (FIRST_ID + 13, "公開の文字列")
    ]
    assert db.execute("select * from tweets_trigram_stats").fetchall() == [
        (4, db.execute("select sum(max(length(text) - 2, 0)) from tweets").fetchone()[0])
    ]


def test_summaries_and_statistics_count_the_published_rows(bundle, tmp_path):
    _, out = bundle
    fresh = tmp_path / "fresh.db"
    shutil.copy(out / "archive.db", fresh)
    again = sqlite_utils.Database(fresh)
    create_summaries(again)
    again.execute("delete from sqlite_stat1")
    again.execute("analyze")
    again.conn.commit()
    db = published(out)
    for table in [*SUMMARY_TABLES, "sqlite_stat1"]:
        assert sorted(db[table].rows, key=repr) == sorted(again[table].rows, key=repr), table
    stats = {(r["tbl"], r["idx"]): r["stat"] for r in db["sqlite_stat1"].rows}
    # 4 tweets at 4 times; an empty table (likes) has no statistics
    assert stats[("tweets", "idx_tweets_created_at")] == "4 1"
    assert [idx for tbl, idx in stats if tbl == "likes"] == []
    assert "sqlite_stat4" not in db.table_names()
    assert db.execute(
        "select count(*) from tweets_per_day where day = ?", [HIDDEN_DAY]
    ).fetchone() == (0,)


# The owner's profile (etl/profile.py): account.js's e-mail and sign-up client, the phone
# number and IP files of tests/fixtures/profile hold marker strings. The profile's public
# fields are published; none of the markers is read into the database or the site.
PROFILE_EXPORT = FIXTURES / "profile" / "official"
PRIVATE_MARKERS = [
    b"private-email-marker",
    b"private-created-via-marker",
    b"private-phone-marker",
    b"private-ip-marker",
]


@pytest.fixture(scope="module")
def profile_bundles(tmp_path_factory):
    """A build of the profile fixture, published as a folder and as a static site."""
    work = tmp_path_factory.mktemp("profile")
    db_path = work / "archive.db"
    result = run_build(db_path, PROFILE_EXPORT)
    assert result.exit_code == 0, result.output
    outs = {}
    for target in ("dir", "static"):
        outs[target] = work / target
        result = CliRunner().invoke(
            cli, ["publish", str(db_path), "--target", target, "--out", str(outs[target])]
        )
        assert result.exit_code == 0, result.output
    return db_path, outs


def test_no_private_account_field_reaches_the_database_or_a_site(profile_bundles):
    db_path, outs = profile_bundles
    exported = [p for p in PROFILE_EXPORT.rglob("*") if p.is_file()]
    assert all(any(m in readable(p) for p in exported) for m in PRIVATE_MARKERS)
    files = [db_path] + [p for out in outs.values() for p in sorted(out.rglob("*")) if p.is_file()]
    leaks = [(str(p), m) for p in files for m in PRIVATE_MARKERS if m in readable(p)]
    assert leaks == []


def test_the_profile_is_published(profile_bundles):
    _, outs = profile_bundles
    db = sqlite_utils.Database(outs["dir"] / "archive.db")
    assert [(r["screen_name"], r["location"]) for r in db["profile"].rows] == [
        ("tz_owner", "Tokyo, Japan")
    ]
    static = outs["static"]
    avatar = PROFILE_EXPORT / "data/profile_media/7700770077-AvAtAr01_400x400.png"
    assert (static / "-/media/profile/tz_owner/avatar.png").read_bytes() == avatar.read_bytes()
    assert (static / "-/media/profile/tz_owner/header.png").is_file()
    home = (static / "index.html").read_text()
    assert 'src="-/media/profile/tz_owner/avatar.png"' in home
    assert "Joined March 2011" in home
    # The static copy dates tweets in the owner's zone too.
    assert "Tue 2 Mar 2021, 00:00 JST" in home


def test_no_byte_of_a_normal_build_or_its_bundles_holds_a_private_file(bundle, static_bundle):
    db_path, out = bundle
    written = "".join(PRIVATE_FILES.values()).encode()
    assert [m for m in PRIVATE_FILE_MARKERS if m not in written] == []
    files = [db_path] + [p for folder in (out, static_bundle) for p in folder.rglob("*")]
    files = [p for p in files if p.is_file()]
    assert len(files) > 20
    leaks = [(str(p), m) for p in files for m in PRIVATE_FILE_MARKERS if m in readable(p)]
    assert leaks == []
