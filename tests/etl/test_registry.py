"""The format registry (etl/readers/__init__.py): formats register, nobody dispatches."""

import re
import types
from pathlib import Path

import pytest
import sqlite_utils

from etl import readers
from etl.records import Options, Problem, Tweet, UserRef
from tests.helpers.build import run_build
from tests.helpers.paths import FIXTURES, MARKDOWN, ROOT

OFFICIAL = FIXTURES / "official"


def plain_text_format() -> types.ModuleType:
    """A made-up format, `*.tweets.txt` files of `id|author|text` lines, declared as a reader
    module declares one: all a new format needs besides its line in FORMATS."""
    module = types.ModuleType("plain_text")
    module.FORMAT = "plain-text"
    module.RANK = "0"
    module.IS_EXPORT = False

    def find_archives(tree, files, taken):
        claimed = [p for p in files if p.endswith(".tweets.txt")]
        return [("", claimed)] if claimed else []

    class Reader:
        def __init__(self, found, info, options):
            self.found, self.info = found, info

        def read(self):
            for path in self.found.files:
                self.info.files.append(path)
                text = self.found.tree.read_bytes(path).decode()
                for number, line in enumerate(text.splitlines(), 1):
                    tweet_id, author, body = line.split("|")
                    if not tweet_id.isdigit():
                        yield Problem(path, number, "no tweet id", line)
                        continue
                    yield Tweet(
                        id=int(tweet_id),
                        created_at="2020-01-02T03:04:05+00:00",
                        text=body,
                        author=UserRef(author),
                        url=f"https://twitter.com/{author}/status/{tweet_id}",
                        input_file=path,
                        input_line=number,
                    )

    module.find_archives = find_archives
    module.expected_files = lambda found: len(found.files)
    module.open_archive = Reader
    return module


@pytest.fixture
def plain_text(monkeypatch):
    module = plain_text_format()
    monkeypatch.setattr(readers, "FORMATS", [*readers.FORMATS, module])
    return module


def write_plain_text(folder: Path) -> Path:
    folder.mkdir()
    (folder / "a.tweets.txt").write_text("11|someone|hello\nxx|someone|broken\n12|owner|hi\n")
    (folder / "b.tweets.txt").write_text("13|owner|again\n")
    return folder


def test_a_registered_format_is_built_through_the_normal_path(tmp_path, plain_text):
    source = write_plain_text(tmp_path / "txt")
    result = run_build(tmp_path / "archive.db", source)
    assert result.exit_code == 0, result.output
    db = sqlite_utils.Database(tmp_path / "archive.db")
    assert [(r["id"], r["text"]) for r in db.query("select id, text from tweets order by id")] == [
        (11, "hello"),
        (12, "hi"),
        (13, "again"),
    ]
    assert list(db.query("select file, line, reason from etl_problems")) == [
        {"file": "a.tweets.txt", "line": 2, "reason": "no tweet id"}
    ]
    assert list(
        db.query("select name, format, owner_screen_name, files_read, entries from sources")
    ) == [
        {
            "name": "txt",
            "format": "plain-text",
            "owner_screen_name": "owner",  # the most common author: nothing named one
            "files_read": 2,
            "entries": 4,
        }
    ]


def test_a_registered_format_is_found_beside_the_others(tmp_path, plain_text):
    source = write_plain_text(tmp_path / "mixed")
    (source / "tweets_2019-05.md").write_text(
        (MARKDOWN / "plain" / "tweets_2019-05.md").read_text()
    )
    assert [(f.format, f.files, f.expected_files()) for f in readers.plan([str(source)])] == [
        ("markdown", ["tweets_2019-05.md"], 1),
        ("plain-text", ["a.tweets.txt", "b.tweets.txt"], 2),
    ]


@pytest.mark.parametrize(
    "location, before, after",
    [
        (
            OFFICIAL / "modern",
            ("2|2024-05-20T09:14:05+00:00", "fixture_owner", True),
            ("fixture_owner", 18, 4),
        ),
        (
            OFFICIAL / "legacy",
            ("2|2013-12-06T10:00:00+00:00", "fx_oldtimer", True),
            ("fx_oldtimer", 7, 2),
        ),
        (MARKDOWN / "plain", ("1|", None, False), ("owner_a", 9, 2)),
    ],
)
def test_the_precedence_is_known_before_reading_and_the_rest_after(location, before, after):
    (found,) = readers.plan([str(location)])
    reader = found.open(Options())
    info = reader.info
    assert (info.precedence, info.owner, info.is_export) == before
    assert (info.entries, info.files) == (0, [])
    items = list(reader.read())
    assert (info.owner, info.entries, len(info.files)) == after
    assert info.entries == sum(
        isinstance(i, Tweet) or (isinstance(i, Problem) and i.entry) for i in items
    )
    assert info.precedence == before[0]


def test_every_format_declares_the_whole_contract():
    names = ["FORMAT", "RANK", "IS_EXPORT", "find_archives", "expected_files", "open_archive"]
    for module in readers.FORMATS:
        assert [n for n in names if not hasattr(module, n)] == [], module.__name__
    assert len({m.FORMAT for m in readers.FORMATS}) == len(readers.FORMATS)


# Outside etl/readers/, asking which format a source is: a comparison with a format's name,
# a FORMAT constant, or an import of one format's module.
FORMAT_NAMES = r"""["'](?:markdown|official|legacy)["']"""
DISPATCH = [
    re.compile(r"(?:==|!=|\bin)\s*[(\[{]?\s*" + FORMAT_NAMES),
    re.compile(FORMAT_NAMES + r"\s*(?:==|!=|:)"),
    re.compile(r"\bFORMAT\b"),
    re.compile(r"readers\.(?:official|legacy|markdown)\b"),
    re.compile(r"from\s+\.*readers\s+import\s+[^\n]*\b(?:official|legacy|markdown)\b"),
]


def test_nothing_outside_the_readers_asks_which_format():
    found = []
    for path in sorted([*(ROOT / "etl").rglob("*.py"), *(ROOT / "tweet_site").rglob("*.py")]):
        if (ROOT / "etl" / "readers") in path.parents:
            continue
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if any(p.search(line) for p in DISPATCH):
                found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert found == []
