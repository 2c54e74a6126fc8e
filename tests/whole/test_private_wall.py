"""The wall on the shared archives (issue 19, item 3): a NORMAL build of a real public archive
together with a real private export (its DMs, account lists and name changes) as a second
source never opens the private files, and no byte of its published bundles (`--target dir`,
`--target static`) holds a DM text, an account list or an old handle of the private export.

The private export ships without its tweets file, which a normal build requires: the test
copies it into tmp_path (never into the project) and adds three invented tweets. These files
hold real people's messages: the test prints and compares counts only, never a text, a handle
or an id.

The checks, and why they are sound:
- DM texts: every message text of at least 16 characters, of both DM files, as the file has it
  and with its HTML entities decoded (as the build stores it). Both sides are normalised the
  same way before comparing (gzip undone, markup tags taken out, HTML entities and JSON
  `\\u` escapes decoded, case folded, every run of non-alphanumeric characters one space),
  so escaping, markup or a changed line break can't hide a text. A text that the public
  inputs themselves hold (a common phrase) is not a leak: it is counted apart.
- Account lists: every decimal number of 5 to 20 digits in every published byte, and every
  integer and text value of every table of a published SQLite file (a database stores its
  integers in binary), against the ids of follower.js, following.js, block.js and mute.js. An
  id the public tweets name themselves (users, mentions, replies) is not a leak; no other may
  be there, so the list a file forms is not there either, nor any piece of it.
- Screen-name changes: each old handle (changedFrom) that is not the owner's current handle, as
  a whole word, case folded.
"""

from __future__ import annotations

import builtins
import gzip
import html
import json
import os
import re
import shutil
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from etl.cli import cli
from tests.helpers.build import run_build
from tests.helpers.paths import ROOT, SHARED_ARCHIVES

pytestmark = pytest.mark.integration

PRIVATE_ARCHIVES = ROOT.parent / "shared" / "archives-private"
PUBLIC = SHARED_ARCHIVES / "alrocar__x"
PRIVATE = PRIVATE_ARCHIVES / "RobErskine__robs-twitter"  # DMs, groups, every account list
DM_FILES = ("direct-messages.js", "direct-messages-group.js")
ACCOUNT_FILES = {"follower.js": "follower", "following.js": "following"}
ACCOUNT_FILES |= {"block.js": "blocking", "mute.js": "muting"}
# What a normal build must never open: DM files and their media, and the account lists.
NEVER_OPENED = re.compile(
    r"/data/(?:direct[-_]message[^/]*|follower\.js|following\.js|block\.js|mute\.js"
    r"|screen-name-change\.js|lists-[a-z]+\.js)(?:/|$)"
)
MIN_TEXT = 16
TWEET_DATE = "Wed Jan 01 10:00:00 +0000 2020"


def items(path: Path) -> list:
    text = path.read_text(encoding="utf-8")
    return json.loads(text[text.index("[") :])


JSON_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})|\\([nrtbf/\"\\])")
NOT_WORD = re.compile(r"[\W_]+")


def unescape_json(text: str) -> str:
    def one(m):
        if m[1]:
            return chr(int(m[1], 16))
        return {"n": "\n", "r": "\r", "t": "\t", "b": "\b", "f": "\f"}.get(m[2], m[2])

    return JSON_ESCAPE.sub(one, text)


def normal(text: str) -> str:
    """Case folded, every run of non-alphanumeric characters (or `_`) one space."""
    return NOT_WORD.sub(" ", text.casefold()).strip()


def readable(data: bytes) -> bytes:
    if data[:2] == b"\x1f\x8b":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError):
            pass
    return data


TAG = re.compile(r"<[^<>]*>")


def haystack(data: bytes) -> str:
    """The file's text normalised, twice: as it is, and with its markup tags taken out (a
    `<br>` in place of a line break would otherwise add a word)."""
    text = readable(data).decode("utf-8", "replace")
    return "\x00".join(
        normal(unescape_json(html.unescape(form))) for form in (text, TAG.sub(" ", text))
    )


def dm_texts(export: Path) -> set[str]:
    found = set()
    for name in DM_FILES:
        path = export / "data" / name
        if not path.exists():
            continue
        for entry in items(path):
            for event in entry["dmConversation"]["messages"]:
                body = next(iter(event.values()))
                text = body.get("text") or ""
                for form in {text, html.unescape(text)}:
                    if len(normal(form)) >= MIN_TEXT:
                        found.add(normal(form))
    return found


def account_ids(export: Path) -> set[int]:
    found = set()
    for name, key in ACCOUNT_FILES.items():
        found |= {int(item[key]["accountId"]) for item in items(export / "data" / name)}
    return found


def old_handles(export: Path, current: str) -> set[str]:
    changes = items(export / "data" / "screen-name-change.js")
    names = {c["screenNameChange"]["screenNameChange"]["changedFrom"] for c in changes}
    return {n.casefold() for n in names if n.casefold() != current.casefold()}


def record_opens(monkeypatch, log: Path) -> None:
    """Every path this process, and the build's reading process (a fork), opens: in `log`."""
    real_os_open, real_open = os.open, builtins.open

    def note(path) -> None:
        with real_open(log, "a", encoding="utf-8") as f:
            f.write(os.fsdecode(os.fspath(path)) + "\n")

    def os_open(path, *args, **kwargs):
        if isinstance(path, str | bytes | os.PathLike):
            note(os.path.abspath(path))
        return real_os_open(path, *args, **kwargs)

    def open_(file, *args, **kwargs):
        if isinstance(file, str | bytes | os.PathLike):
            note(os.path.abspath(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr(os, "open", os_open)
    monkeypatch.setattr(builtins, "open", open_)


@pytest.fixture(scope="module")
def wall(tmp_path_factory):
    if not PUBLIC.exists() or not PRIVATE.exists():
        pytest.skip("../shared archives not present")
    work = tmp_path_factory.mktemp("wall")
    export = work / "private-export"
    shutil.copytree(PRIVATE, export)
    (account,) = items(export / "data" / "account.js")
    owner = account["account"]["username"]
    tweets = [
        {"tweet": {"id_str": str(10**17 + n), "created_at": TWEET_DATE, "full_text": f"hello {n}"}}
        for n in range(3)
    ]
    (export / "data" / "tweets.js").write_text(f"window.YTD.tweets.part0 = {json.dumps(tweets)}")
    log = work / "opened.txt"
    with pytest.MonkeyPatch.context() as monkeypatch:
        record_opens(monkeypatch, log)
        result = run_build(work / "archive.db", PUBLIC, export, args=["--quiet"])
        build_opened = log.read_text(encoding="utf-8").splitlines()
        log.unlink()
        outs = {}
        for target in ("dir", "static"):
            outs[target] = work / target
            published = CliRunner().invoke(
                cli, ["publish", str(work / "archive.db"), "--target", target]
                + ["--out", str(outs[target])]
            )  # fmt: skip
            assert published.exit_code == 0, f"publish --target {target} failed"
        publish_opened = log.read_text(encoding="utf-8").splitlines()
    assert result.exit_code == 0, "the build failed"  # its output may quote the archive
    return {
        "export": export,
        "owner": owner,
        "db": work / "archive.db",
        "outs": outs,
        "opened": {"build": build_opened, "publish": publish_opened},
    }


def published_files(out: Path) -> list[Path]:
    return [p for p in sorted(out.rglob("*")) if p.is_file() and not p.is_symlink()]


def test_a_normal_build_and_its_publishing_never_open_a_private_file(wall):
    export = str(wall["export"])
    private = {
        step: sorted({p for p in paths if p.startswith(export) and NEVER_OPENED.search(p)})
        for step, paths in wall["opened"].items()
    }
    # The recorder works: the build opened the export's tweets.js and account.js.
    opened = {p.removeprefix(export) for p in wall["opened"]["build"] if p.startswith(export)}
    assert {"/data/tweets.js", "/data/account.js"} <= opened
    print(f"files opened in the export: {len(opened)}; private ones: 0 expected")
    assert {step: len(paths) for step, paths in private.items()} == {"build": 0, "publish": 0}


def public_inputs() -> str:
    """Every text the public inputs hold, normalised: a phrase found there is no leak."""
    parts = [haystack(p.read_bytes()) for p in sorted((PUBLIC / "data").glob("*.js"))]
    return "\x00".join(parts)


def sqlite_values(path: Path) -> tuple[str, set[int]]:
    """Every text (normalised) and integer of every table of a SQLite file."""
    texts, numbers = [], set()
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        tables = [r[0] for r in conn.execute("select name from sqlite_master where type = 'table'")]
        for table in tables:
            try:
                rows = conn.execute(f"select * from [{table}]")
                for row in rows:
                    for value in row:
                        if isinstance(value, int):
                            numbers.add(value)
                        elif isinstance(value, str):
                            texts.append(normal(value))
                        elif isinstance(value, bytes):
                            texts.append(haystack(value))
            except sqlite3.DatabaseError:
                continue  # a virtual table whose module this Python lacks
    finally:
        conn.close()
    return "\x00".join(texts), numbers


NUMBER = re.compile(rb"(?<![0-9])[0-9]{5,20}(?![0-9])")


@pytest.mark.slow
@pytest.mark.parametrize("target", ["dir", "static"])
def test_no_published_byte_holds_a_dm_text_an_account_list_or_an_old_handle(wall, target):
    export, out = wall["export"], wall["outs"][target]
    texts = dm_texts(export)
    ids = account_ids(export)
    handles = old_handles(export, wall["owner"])
    public = public_inputs()
    parts, numbers = [], set()
    files = published_files(out)
    for path in files:
        data = path.read_bytes()
        parts.append(haystack(data))
        numbers |= {int(n) for n in NUMBER.findall(readable(data))}
        if data.startswith(b"SQLite format 3\x00"):
            found_texts, found_numbers = sqlite_values(path)
            parts.append(found_texts)
            numbers |= found_numbers
    published = "\x00".join(parts)
    leaked_texts = [t for t in texts if t in published]
    explained_texts = [t for t in leaked_texts if t in public]
    # Ids the public tweets name themselves may be published: they are the tweets'.
    conn = sqlite3.connect(wall["db"])
    named = {
        i
        for (i,) in conn.execute(
            "select id from users union select user_id from mentions "
            "union select in_reply_to_user_id from tweets"
        )
    }
    conn.close()
    found_ids = ids & numbers
    words = set(published.split())
    found_handles = {h for h in handles if normal(h) in words}
    print(
        f"--target {target}: {len(files)} files, {len(published):,} characters scanned; "
        f"DM texts >= {MIN_TEXT} chars: {len(texts)}, found {len(leaked_texts)} "
        f"({len(explained_texts)} also in the public inputs); account ids: {len(ids)}, found "
        f"{len(found_ids)} ({len(found_ids & named)} named by the public tweets); old handles: "
        f"{len(handles)}, found {len(found_handles)}"
    )
    assert len(texts) > 100 and len(ids) > 1000 and len(handles) == 1  # the inputs are read
    assert {
        "DM texts": len(leaked_texts) - len(explained_texts),
        "account ids": len(found_ids - named),
        "old handles": len(found_handles),
    } == {"DM texts": 0, "account ids": 0, "old handles": 0}


def test_the_scan_sees_a_text_through_escaping_markup_and_gzip_and_ids_in_a_database(tmp_path):
    """The checks above would see a leak: a DM text HTML-escaped in a page, JSON-escaped in a
    gzipped file, and an id stored as an integer in a SQLite file."""
    text = "Don't forget: café at 5 & bring <cake>\nplease"
    page = f"<p>{html.escape(text)}</p>".replace("\n", "<br>\n")
    data = gzip.compress(json.dumps({"t": text}).encode())
    assert normal(text) in haystack(page.encode())
    assert normal(text) in haystack(data)
    db = tmp_path / "x.db"
    conn = sqlite3.connect(db)
    conn.execute("create table t (id integer, note text)")
    conn.execute("insert into t values (?, ?)", [1234567890123, text])
    conn.commit()
    conn.close()
    assert 1234567890123 not in {int(n) for n in NUMBER.findall(db.read_bytes())}
    found_texts, found_numbers = sqlite_values(db)
    assert 1234567890123 in found_numbers and normal(text) in found_texts
