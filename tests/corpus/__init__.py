"""Hostile and damaged archives, each with the exact outcome a build of it must have.

A case is a function that writes its input into an empty folder and returns a `Case`: the
SOURCE arguments, the exit status, a fragment of the one error line (exit 1) or of a problem's
reason (exit 0), the exact number of tweets kept, and the (file, line) of every problem row.
`tests/hostile/test_corpus.py` runs them all through `tweets-etl build`;
`python -m tests.corpus OUTDIR` writes them to a folder for manual runs.
"""

from __future__ import annotations

import codecs
import json
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

# Peak memory any input may cost a build (issue 8: "≤ 400 MB whatever the input").
MAX_MB = 400

OWNER = "corpus_owner"
OWNER_ID = "1113018231813046314"
DATE = "Fri May 31 10:00:00 +0000 2019"
FIRST_ID = 1134400000000000000
MD_NAME = "tweets_2019-05.md"
TWEETS_JS = "data/tweets.js"
# The encodings a text file may declare with a byte-order mark: (the mark, Python's codec).
BOMS = {
    "UTF-8": (codecs.BOM_UTF8, "utf-8"),
    "UTF-16 LE": (codecs.BOM_UTF16_LE, "utf-16-le"),
    "UTF-16 BE": (codecs.BOM_UTF16_BE, "utf-16-be"),
    "UTF-32 LE": (codecs.BOM_UTF32_LE, "utf-32-le"),
    "UTF-32 BE": (codecs.BOM_UTF32_BE, "utf-32-be"),
}


@dataclass
class Case:
    name: str
    sources: list[Path]
    exit_code: int = 0
    message: str | None = None  # exit 1: part of the one error line
    tweets: int | None = None  # exit 0: exactly how many rows `tweets` has
    # exit 0: the (file, line) of every etl_problems row; line None = any line of that file
    problems: list[tuple[str, int | None]] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)  # each is part of some problem's reason
    args: list[str] = field(default_factory=list)
    isolate: bool = False  # run in a child process: bombs, hangs, deep recursion
    max_mb: int = MAX_MB  # peak RSS of the child (isolated cases)
    max_seconds: float = 30  # CPU seconds of the child (isolated cases)
    check: Callable | None = None  # more assertions on the built sqlite_utils.Database
    publish: bool = False  # also `tweets-etl publish --target dir` and search the folder
    secrets: list[bytes] = field(default_factory=list)  # never in the published folder
    never_in_db: list[bytes] = field(default_factory=list)  # never in the built database
    prepare_out: Callable | None = None  # called with the database's folder before the build


CASES: list[Callable[[Path], Case]] = []


def case(function: Callable[[Path], Case]) -> Callable[[Path], Case]:
    CASES.append(function)
    return function


def all_cases() -> list[Callable[[Path], Case]]:
    from . import (  # noqa: F401  (they register their cases)
        bombs,
        encodings,
        exports,
        files,
        grailbird,
        markdown,
        zips,
    )

    return list(CASES)


def write(path: Path, content: str | bytes) -> Path:
    """Write text (lone surrogates \\udc80-\\udcff become those raw, invalid bytes) or bytes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, str):
        content = content.encode("utf-8", "surrogateescape")
    path.write_bytes(content)
    return path


# twitter-archive-parser Markdown, first layout


def md_entry(text: str, tweet_id: int, date: str = DATE, user: str = OWNER) -> str:
    footer = f"(Originally on Twitter: [{date}](https://twitter.com/{user}/status/{tweet_id}))"
    return f"{text}\n\n{footer}\n\n----\n\n"


def md_file(path: Path, texts: list[str], first_id: int = FIRST_ID) -> list[int]:
    """Entries with ids first_id, first_id + 1, ...; returns each entry's first line."""
    out, lines = [], []
    for n, text in enumerate(texts):
        lines.append(sum(chunk.count("\n") for chunk in out) + 1)
        out.append(md_entry(text, first_id + n))
    write(path, "".join(out))
    return lines


# Official exports (2022+ generation)


def tweet(n: int, text: str | None = None, **fields) -> dict:
    tweet_id = str(FIRST_ID + n)
    item = {
        "id_str": tweet_id,
        "id": tweet_id,
        "created_at": DATE,
        "full_text": f"tweet number {n}" if text is None else text,
        "entities": {"hashtags": [], "symbols": [], "user_mentions": [], "urls": []},
        "favorite_count": "0",
        "retweet_count": "0",
        "lang": "en",
    }
    item.update(fields)
    return item


def ytd(name: str, items) -> str:
    return f"window.YTD.{name}.part0 = " + json.dumps(items, indent=1, ensure_ascii=False)


def tweets_js(tweets: list[dict]) -> str:
    return ytd("tweets", [{"tweet": t} for t in tweets])


def manifest_js(user_info=None) -> str:
    if user_info is None:
        user_info = {"accountId": OWNER_ID, "userName": OWNER, "displayName": "Corpus Owner"}
    return "window.__THAR_CONFIG = " + json.dumps(
        {"userInfo": user_info, "archiveInfo": {"generationDate": "2024-05-20T09:14:05.512Z"}}
    )


def account_js() -> str:
    return ytd(
        "account",
        [{"account": {"username": OWNER, "accountId": OWNER_ID, "accountDisplayName": "Corpus"}}],
    )


def export(
    root: Path,
    tweets: list[dict] | str | bytes,
    owner: bool = True,
    files: dict[str, str | bytes] | None = None,
) -> Path:
    """An unzipped export in root: data/tweets.js, manifest.js and account.js (owner=True),
    and each of `files` (paths relative to data/)."""
    data = root / "data"
    write(data / "tweets.js", tweets if isinstance(tweets, str | bytes) else tweets_js(tweets))
    if owner:
        write(data / "manifest.js", manifest_js())
        write(data / "account.js", account_js())
    for name, content in (files or {}).items():
        write(data / name, content)
    return root


def zip_folder(folder: Path, target: Path, **options) -> Path:
    with zipfile.ZipFile(target, "w", **options) as z:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                z.write(path, path.relative_to(folder).as_posix())
    return target


# Checks on a built database


def media_paths(db) -> list[str]:
    return [row[0] for row in db.execute("select path from media where path is not null")]


def no_media_path(*names: str) -> Callable:
    def check(db):
        paths = media_paths(db)
        assert [p for p in paths if any(name in p for name in names)] == [], paths

    return check
