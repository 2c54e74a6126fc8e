import json
import time
import zipfile

import pytest

from etl import jsfiles
from etl.jsfiles import JSFileError, iter_array, literal_to_json, read_value
from etl.sources import FolderTree, ZipTree


@pytest.mark.parametrize(
    "literal, expected",
    [
        ('{full_text: "a: b", id: "1",}', {"full_text": "a: b", "id": "1"}),
        ("[{a: 1, b: [1, 2,],}, ]", [{"a": 1, "b": [1, 2]}]),
        ("{'single': 'it\\'s \"quoted\"'}", {"single": 'it\'s "quoted"'}),
        ("{a: true, b: null, c: false}", {"a": True, "b": None, "c": False}),
        ('{"url": "https://x.com/a,b"}', {"url": "https://x.com/a,b"}),
        ("{a: 1 // comment\n, /* block */ b: 2}", {"a": 1, "b": 2}),
        ('{text: "unquoted: keys, commas,}"}', {"text": "unquoted: keys, commas,}"}),
        ("{n: -1.5e3}", {"n": -1500.0}),
    ],
)
def test_literal_to_json(literal, expected):
    assert json.loads(literal_to_json(literal)) == expected


def values(pairs):
    return [value for _, value in pairs]


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return FolderTree(tmp_path)


def test_iter_array_streams_items_after_the_assignment(tmp_path):
    tree = write(
        tmp_path,
        "tweets.js",
        'window.YTD.tweets.part0 = [ {"tweet": {"id": "1"}}, {"tweet": {"id": "2"}} ]',
    )
    assert values(iter_array(tree, "tweets.js")) == [{"tweet": {"id": "1"}}, {"tweet": {"id": "2"}}]


def test_iter_array_keeps_big_integers_exact_and_floats_as_floats(tmp_path):
    tree = write(
        tmp_path,
        "t.js",
        "Grailbird.data.tweets_2013_04 = \n"
        '[{"id": 323114065855672321, "geo": [49.007559, 8.408051]}]',
    )
    ((_, item),) = iter_array(tree, "t.js")
    assert item == {"id": 323114065855672321, "geo": [49.007559, 8.408051]}
    assert type(item["geo"][0]) is float


def test_iter_array_falls_back_to_object_literals_without_repeating_items(tmp_path):
    text = 'window.YTD.tweets.part0 = [\n{"tweet": {"id": "1"}},\n{tweet: {id: "2",},},\n]'
    tree = write(tmp_path, "tweets.js", text)
    assert values(iter_array(tree, "tweets.js")) == [{"tweet": {"id": "1"}}, {"tweet": {"id": "2"}}]


def test_iter_array_reads_zip_members_in_place(tmp_path):
    path = tmp_path / "export.zip"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("data/tweets.js", 'window.YTD.tweets.part0 = [{"tweet": {"id": "7"}}]')
    assert values(iter_array(ZipTree(path), "data/tweets.js")) == [{"tweet": {"id": "7"}}]


def test_read_value_finds_arrays_and_objects(tmp_path):
    tree = write(
        tmp_path, "account.js", 'window.YTD.account.part0 = [ {"account": {"username": "a"}} ]'
    )
    assert read_value(tree, "account.js") == [{"account": {"username": "a"}}]
    tree = write(tmp_path, "user_details.js", 'var user_details =  {\n  screen_name : "b",\n}')
    assert read_value(tree, "user_details.js") == {"screen_name": "b"}


def test_garbage_is_a_clear_error(tmp_path):
    tree = write(tmp_path, "tweets.js", "window.YTD.tweets.part0 = [ {not json at all ")
    with pytest.raises(JSFileError):
        values(iter_array(tree, "tweets.js"))


TRICKY = [
    {"tweet": {"full_text": 'quote \\" and \\\\ and [ { ] } inside', "id": "1"}},
    {"tweet": {"full_text": "ends in a backslash \\", "n": [1, [2, [3]]], "e": {}}},
    {"tweet": {"full_text": "東京 🐱 \u2028 line", "id": "3"}},
    "a bare string",
    12345,
    [],
]


@pytest.mark.parametrize("chunk", [1, 2, 3, 5, 7, 64, 1 << 20])
def test_items_are_the_same_whatever_the_chunk_boundaries(tmp_path, monkeypatch, chunk):
    monkeypatch.setattr(jsfiles, "CHUNK", chunk)
    text = "window.YTD.tweets.part0 = [\n" + ",\n".join(json.dumps(i) for i in TRICKY) + "\n]"
    tree = write(tmp_path, "tweets.js", text)
    assert values(iter_array(tree, "tweets.js")) == TRICKY


@pytest.mark.parametrize("chunk", [1, 3, 64])
def test_items_too_big_or_too_deep_are_skipped_and_reported(tmp_path, monkeypatch, chunk):
    monkeypatch.setattr(jsfiles, "CHUNK", chunk)
    monkeypatch.setattr(jsfiles, "ITEM_LIMIT", 20_000)
    big = {"text": 'x\\"]}' * 5000 + "\\", "more": ["[" * 30]}
    deep = "[" * 5000 + "]" * 5000
    text = f'x = [{{"id": 1}}, {json.dumps(big)}, {deep}, {{"id": 4}}, {{id: 5,}}]'
    tree = write(tmp_path, "tweets.js", text)
    flaws = []
    items = list(iter_array(tree, "tweets.js", lambda *flaw: flaws.append(flaw)))
    assert items == [(1, {"id": 1}), (4, {"id": 4}), (5, {"id": 5})]
    assert flaws == [
        (2, "item 2 is larger than 0 MB", True),
        (3, "item 3 is nested too deeply to read", True),
    ]


def test_a_truncated_file_keeps_the_items_before_the_damage(tmp_path):
    tree = write(tmp_path, "tweets.js", 'x = [{"id": 1}, {"id": 2}, {"id": 3, "text": "cut sh')
    items = []
    with pytest.raises(JSFileError, match="the file ends inside an item"):
        for item in iter_array(tree, "tweets.js"):
            items.append(item)
    assert items == [(1, {"id": 1}), (2, {"id": 2})]


def test_side_files_too_big_are_not_read(tmp_path, monkeypatch):
    monkeypatch.setattr(jsfiles, "SMALL_FILE_LIMIT", 100)
    tree = write(tmp_path, "account.js", "x = [" + '"a", ' * 100 + "]")
    with pytest.raises(JSFileError, match="506 bytes, more than such a file ever holds"):
        read_value(tree, "account.js")


def test_literal_to_json_takes_time_linear_in_its_input():
    # It used to copy the rest of the text at every `//` comment: 1.5 MB took 10 s.
    text = "{" + "a: 1, // a comment\n" * 100_000 + "z: 2}"
    started = time.perf_counter()
    assert len(json.loads(literal_to_json(text))) == 2
    assert time.perf_counter() - started < 2


@pytest.mark.parametrize("chunk", [1, 2, 3, 64])
def test_comments_between_items_are_skipped_whatever_the_chunk_boundaries(
    tmp_path, monkeypatch, chunk
):
    monkeypatch.setattr(jsfiles, "CHUNK", chunk)
    monkeypatch.setattr(jsfiles, "HEAD", 8)
    comments = "// one\n" * 3 + "/* two * / */ " * 3
    text = f"x = [{comments}{{tweet: {{id: '1'}}}}, {comments}{{tweet: {{id: '2'}}}}, {comments}]"
    tree = write(tmp_path, "tweets.js", text)
    flaws = []
    items = list(iter_array(tree, "tweets.js", lambda *flaw: flaws.append(flaw)))
    assert (items, flaws) == ([(1, {"tweet": {"id": "1"}}), (2, {"tweet": {"id": "2"}})], [])


@pytest.mark.parametrize(
    "junk", ["[" * 4_000_000 + "]" * 4_000_000, "[" + "[], " * 2_000_000 + "[]]"]
)
def test_skipping_a_big_item_of_brackets_takes_time_linear_in_its_size(tmp_path, monkeypatch, junk):
    monkeypatch.setattr(jsfiles, "ITEM_LIMIT", 1024 * 1024)
    tree = write(tmp_path, "tweets.js", f'x = [{{"id": 1}}, {{"x": {junk}}}, {{"id": 3}}]')
    started = time.perf_counter()
    assert values(iter_array(tree, "tweets.js")) == [{"id": 1}, {"id": 3}]
    assert time.perf_counter() - started < 2  # bracket by bracket in Python: 5 s
