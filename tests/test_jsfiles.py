import json
import zipfile

import pytest

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
