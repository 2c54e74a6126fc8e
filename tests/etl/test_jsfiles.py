import codecs
import json
import sys
import time
import zipfile

import pytest

from etl import jsfiles, textcodec
from etl.jsfiles import JSFileError, iter_array, literal_to_json, read_value
from etl.sources import FolderTree, ZipTree
from tests.corpus import BOMS


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


@pytest.mark.slow
@pytest.mark.parametrize(
    "junk", ["[" * 4_000_000 + "]" * 4_000_000, "[" + "[], " * 2_000_000 + "[]]"]
)
def test_skipping_a_big_item_of_brackets_takes_time_linear_in_its_size(tmp_path, monkeypatch, junk):
    monkeypatch.setattr(jsfiles, "ITEM_LIMIT", 1024 * 1024)
    tree = write(tmp_path, "tweets.js", f'x = [{{"id": 1}}, {{"x": {junk}}}, {{"id": 3}}]')
    count, read = python_lines(items_and_flaws, tree)
    assert values(read[0]) == [{"id": 1}, {"id": 3}]
    # Bracket by bracket in Python: millions of lines (5 s); counted in C: about 20,000.
    assert count < 200_000


def items_and_flaws(tree):
    flaws = []
    items = list(iter_array(tree, "tweets.js", lambda *flaw: flaws.append(flaw)))
    return items, flaws


def held_characters(monkeypatch):
    """A list whose last element is the total of the characters the stream holds after each
    chunk: what its scans may go over again. Linear reading keeps it linear in the input."""
    total = [0]
    more = jsfiles.ArrayStream.more

    def counting(self, keep_from):
        shift = more(self, keep_from)
        total[0] += len(self.text)
        return shift

    monkeypatch.setattr(jsfiles.ArrayStream, "more", counting)
    return total


RUNS = {
    "whitespace between items": lambda n: f'x = [{{"id": 1}},{" " * n}{{"id": 2}}]',
    "comments between items": lambda n: (
        'x = [{"id": 1},' + "/* c */ // d\n" * (n // 14) + '{"id": 2}]'
    ),
    "whitespace before the assignment": lambda n: " " * n + 'x = [{"id": 1}, {"id": 2}]',
    "comments and newlines before the array": lambda n: (
        "x =" + "\n// a comment\n" * (n // 14) + '[{"id": 1}, {"id": 2}]'
    ),
}


@pytest.mark.parametrize("run", RUNS)
def test_a_run_of_blanks_costs_time_linear_in_its_length(tmp_path, monkeypatch, run):
    # Every chunk used to be appended to the whole run and the run scanned again: 64 MB of
    # spaces between two tweets took 25 s, 128 MB 106 s.
    monkeypatch.setattr(jsfiles, "CHUNK", 1024)
    held = held_characters(monkeypatch)
    counts = []
    for n in (80_000, 640_000):
        tree = write(tmp_path, "tweets.js", RUNS[run](n))
        held[0] = 0
        assert values(iter_array(tree, "tweets.js")) == [{"id": 1}, {"id": 2}]
        counts.append(held[0])
    assert counts[1] < 12 * counts[0], counts  # 8 times the run; quadratic: 64 times


SKIPPED_RUNS = {
    "digits": lambda n: "1" * n,
    "letters": lambda n: "x" * n,
    "backslashes in a string": lambda n: '{"text": "' + "\\" * (2 * (n // 2)) + '"}',
    "spaces in an object": lambda n: '{"a": 1,' + " " * n + '"b": 2}',
}


@pytest.mark.parametrize("run", SKIPPED_RUNS)
def test_an_item_too_big_is_skipped_in_time_linear_in_its_size(tmp_path, monkeypatch, run):
    monkeypatch.setattr(jsfiles, "CHUNK", 1024)
    monkeypatch.setattr(jsfiles, "ITEM_LIMIT", 20_000)
    held = held_characters(monkeypatch)
    counts = []
    for n in (80_000, 640_000):
        tree = write(tmp_path, "tweets.js", f'x = [{{"id": 1}}, {SKIPPED_RUNS[run](n)}, 3]')
        held[0] = 0
        assert items_and_flaws(tree) == (
            [(1, {"id": 1}), (3, 3)],
            [(2, "item 2 is larger than 0 MB", True)],
        )
        counts.append(held[0])
    assert counts[1] < 12 * counts[0], counts


def python_lines(function, *args) -> tuple[int, object]:
    """How many lines of etl/jsfiles.py `function(*args)` runs, and what it returns: work
    done in Python rather than in C, counted the same on a busy machine as on an idle one."""
    count = 0

    def local(frame, event, arg):
        nonlocal count
        count += event == "line"
        return local

    def calls(frame, event, arg):
        return local if frame.f_code.co_filename == jsfiles.__file__ else None

    previous = sys.gettrace()
    sys.settrace(calls)
    try:
        result = function(*args)
    finally:
        sys.settrace(previous)
    return count, result


def test_a_long_run_of_backslashes_in_an_item_is_counted_not_walked(tmp_path, monkeypatch):
    # Each chunk used to walk back over the whole run, one character at a time in Python:
    # 9 MB of backslashes in a tweet took 8 s.
    monkeypatch.setattr(jsfiles, "CHUNK", 1024)
    monkeypatch.setattr(jsfiles, "HEAD", 64)
    counts = []
    for n in (20_000, 160_000):
        text = 'x = [{"text": "' + "\\" * n + '\\""}, {"id": 2}]'
        tree = write(tmp_path, "tweets.js", text)
        count, items = python_lines(items_and_flaws, tree)
        assert items == ([(1, {"text": "\\" * (n // 2) + '"'}), (2, {"id": 2})], [])
        counts.append(count)
    assert counts[1] < 12 * counts[0], counts


@pytest.mark.parametrize("chunk", [1, 2, 3, 64])
def test_a_slash_at_the_end_of_a_chunk_is_read_as_what_follows_it(tmp_path, monkeypatch, chunk):
    monkeypatch.setattr(jsfiles, "CHUNK", chunk)
    monkeypatch.setattr(jsfiles, "HEAD", 8)
    # `/*/` opens a comment without closing it; a `/` that opens no comment is an item.
    text = "x = [/*/ ] */ 1, /x/, /**/ 2, /*/ */ 3 /***/]"
    tree = write(tmp_path, "tweets.js", text)
    flaws = []
    items = list(iter_array(tree, "tweets.js", lambda *flaw: flaws.append(flaw)))
    assert (items, [f[0] for f in flaws]) == ([(1, 1), (3, 2), (4, 3)], [2])


def write_bytes(tmp_path, name, data):
    (tmp_path / name).write_bytes(data)
    return FolderTree(tmp_path)


@pytest.mark.parametrize("chunk", [1, 3, 1 << 20])
@pytest.mark.parametrize("encoding", BOMS)
def test_a_file_with_a_byte_order_mark_is_decoded_as_it_says(
    tmp_path, monkeypatch, encoding, chunk
):
    monkeypatch.setattr(jsfiles, "CHUNK", chunk)
    bom, codec = BOMS[encoding]
    text = "window.YTD.tweets.part0 = [\n" + ",\n".join(json.dumps(i) for i in TRICKY) + "\n]"
    tree = write_bytes(tmp_path, "tweets.js", bom + text.encode(codec))
    flaws = []
    items = values(iter_array(tree, "tweets.js", lambda *flaw: flaws.append(flaw)))
    assert (items, flaws) == (TRICKY, [])
    side = "window.YTD.account.part0 = [{'account': {username: 'naïve 🐱'}}]"
    tree = write_bytes(tmp_path, "account.js", bom + side.encode(codec))
    assert read_value(tree, "account.js") == [{"account": {"username": "naïve 🐱"}}]


@pytest.mark.parametrize("chunk", [1, 3, 1 << 20])
def test_a_bad_utf16_code_unit_costs_only_its_item(tmp_path, monkeypatch, chunk):
    monkeypatch.setattr(jsfiles, "CHUNK", chunk)

    def utf16(text):
        return text.encode("utf-16-le")

    lone = b"\x00\xd8"  # a high surrogate with no low one after it
    data = (
        codecs.BOM_UTF16_LE
        + utf16('x = [{"text": "one"}, {"text": "t')
        + lone
        + utf16('wo"}, {"text": "three"}, {"text": ')
        + lone
        + utf16('"four"}, 5]')
        + b"\x00"  # half a code unit after the array: never read
    )
    tree = write_bytes(tmp_path, "tweets.js", data)
    flaws = []
    items = list(iter_array(tree, "tweets.js", lambda *flaw: flaws.append(flaw)))
    assert items == [
        (1, {"text": "one"}),
        (2, {"text": "t\ufffdwo"}),
        (3, {"text": "three"}),
        (5, 5),
    ]
    assert [(p, skipped) for p, _, skipped in flaws] == [(2, False), (4, True)]
    assert flaws[0][1] == "item 2 has bytes that are not UTF-16 (replaced with U+FFFD)"


def test_a_bad_utf32_code_point_costs_only_its_item(tmp_path):
    data = (
        codecs.BOM_UTF32_BE
        + 'x = [{"text": "a'.encode("utf-32-be")
        + b"\x00\x11\x00\x00"  # beyond U+10FFFF
        + '"}, {"text": "b"}]'.encode("utf-32-be")
    )
    tree = write_bytes(tmp_path, "tweets.js", data)
    flaws = []
    items = list(iter_array(tree, "tweets.js", lambda *flaw: flaws.append(flaw)))
    assert (items, flaws) == (
        [(1, {"text": "a\ufffd"}), (2, {"text": "b"})],
        [(1, "item 1 has bytes that are not UTF-32 (replaced with U+FFFD)", False)],
    )


@pytest.mark.parametrize(
    "head, expected",
    [
        (b"\xff\xfe\x00\x00[\x00\x00\x00", ("utf-32-le", 4)),  # not UTF-16 LE and a NUL
        (b"\xff\xfe[\x00", ("utf-16-le", 2)),
        (b"\xfe\xff\x00[", ("utf-16-be", 2)),
        (b"\x00\x00\xfe\xff", ("utf-32-be", 4)),
        (b"\xef\xbb\xbf[", ("utf-8", 3)),
        (b"[", ("utf-8", 0)),
        (b"", ("utf-8", 0)),
        (b"\xff", ("utf-8", 0)),
    ],
)
def test_the_byte_order_mark_names_the_encoding(head, expected):
    assert textcodec.sniff(head) == expected


def test_a_stray_closing_brace_is_one_unreadable_item(tmp_path):
    # It used to be read as an empty item a thousand times over, and the file given up.
    tree = write(tmp_path, "tweets.js", 'x = [1, }, 2, {"id": 3}}]')
    flaws = []
    items = list(iter_array(tree, "tweets.js", lambda *flaw: flaws.append(flaw)))
    assert (items, [(p, skipped) for p, _, skipped in flaws]) == (
        [(1, 1), (3, 2), (4, {"id": 3})],
        [(2, True), (5, True)],
    )
