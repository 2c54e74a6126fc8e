"""The JavaScript files of official exports: `window.YTD.tweets.part0 = [...]`,
`Grailbird.data.tweets_2013_04 =\n[...]`, `var user_details = {...}`,
`window.__THAR_CONFIG = {...}`.

Arrays are streamed item by item, so a 500 MB tweets.js never sits in memory: each item is
parsed by the C JSON decoder on its own, which also bounds how deep an item may nest. An
item that is not JSON is read as a JavaScript object literal (unquoted keys, trailing
commas: some tools rewrote exports that way). Damage stays local to its item: bad bytes are
replaced, an item too big or too deep is skipped, and each is reported with its position.
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Callable, Iterator
from itertools import accumulate, repeat
from operator import sub
from typing import BinaryIO

from . import textcodec
from .sources import Tree

HEAD = 64 * 1024
CHUNK = 256 * 1024
ITEM_LIMIT = 10 * 1024 * 1024  # characters of one array item (a real tweet is a few KB)
# A file whose items fail this many times in a row holds no tweets: reading on would only
# make one problem row per few bytes of garbage.
UNREADABLE_IN_A_ROW = 1000
SMALL_FILE_LIMIT = 10 * 1024 * 1024  # bytes of a side file read whole (account.js is < 10 KB)

# `window.YTD.tweets.part0 =`, `var user_details =`, `Grailbird.data.tweets_2013_04 =`: an
# assignment counts only at the start of the file, so an `=` inside the data (a URL's query)
# can't hide the array.
ASSIGNMENT = re.compile(
    r"\A\ufeff?\s*(?:(?:var|let|const)\s+)?[A-Za-z_$][\w$]*(?:\.[\w$]+|\[[^\]\n]{0,100}\])*\s*="
)
BETWEEN_ITEMS = re.compile(r"(?:\s+|,|//[^\n]*\n|/\*(?:[^*]|\*(?!/))*\*/)*")
LEADING = re.compile(r"(?:[\s\ufeff]+|//[^\n]*\n|/\*(?:[^*]|\*(?!/))*\*/)*")
QUOTE = re.compile(r"[\"']")
BRACKET = re.compile(r"[\[\]{}]")
NOT_BRACKET = re.compile(r"[^\[\]{}]+")
# Brackets as bytes 2 (opening) and 0 (closing): minus 1, the steps of the nesting depth.
STEPS = str.maketrans({"[": "\x02", "{": "\x02", "]": "\x00", "}": "\x00"})
PIECE = 64 * 1024
SCALAR_END = re.compile(r"[\s,\]}]")
# A raw byte that is not UTF-8 (decoded as a lone surrogate) or a `\uDxxx` escape.
# Searched separately: a pattern starting with a literal `\` is found at C speed, while a
# character class is tried at every position (exports written with \u escapes for all non-ASCII
# text would pay that on every item).
ESCAPED_SURROGATE = re.compile(r"\\u[dD][89a-fA-F]")
LONE_SURROGATE = re.compile(r"[\ud800-\udfff]")

ERRORS = "jsfiles-count"
BAD_BYTES: dict[str, ArrayStream] = {}


def count_bad_bytes(error: UnicodeDecodeError):
    # Bad bytes become lone surrogates (found and replaced per item later); counting them
    # here costs nothing on the normal path, unlike scanning every chunk for them.
    BAD_BYTES[ERRORS].errors += 1
    return textcodec.damaged(error)


codecs.register_error(ERRORS, count_bad_bytes)

Flaw = Callable[[int, str, bool], None]  # (position, reason, item skipped)


class JSFileError(ValueError):
    """A file that is neither JSON after its assignment nor a readable object literal."""


def value_start(text: str, openers: str) -> int:
    """Where the value of the file starts: the first opener after the assignment, if any."""
    assignment = ASSIGNMENT.match(text)
    begin = assignment.end() if assignment else 0
    found = [i for i in (text.find(c, begin) for c in openers) if i >= 0]
    if not found:
        raise JSFileError(f"no {' or '.join(map(repr, openers))} after the assignment")
    return min(found)


def repair(value):
    """Replace lone surrogates (bad bytes, `\\udc00` escapes) with U+FFFD; None if none."""
    changed = False

    def fix(v):
        nonlocal changed
        if isinstance(v, str):
            if LONE_SURROGATE.search(v):
                changed = True
                return LONE_SURROGATE.sub("\ufffd", v)
            return v
        if isinstance(v, dict):
            return {fix(k): fix(x) for k, x in v.items()}
        if isinstance(v, list):
            return [fix(x) for x in v]
        return v

    fixed = fix(value)
    return fixed if changed else None


class ArrayStream:
    """The items of the array a JS data file assigns, decoded and parsed one at a time.

    Text is dropped as soon as it is read through, but for the item being read (up to
    ITEM_LIMIT): a run of blanks, comments, backslashes or digits of any length costs time
    linear in its size, never a rescan of the run at every chunk."""

    def __init__(self, raw: BinaryIO, flaw: Flaw):
        self.raw = raw
        self.flaw = flaw
        self.errors = 0
        self.encoding = "utf-8"
        self.decoder = codecs.getincrementaldecoder("utf-8")(ERRORS)
        self.text = ""
        self.eof = False
        self.suspect = False  # a `\u` escape was seen: one may spell a lone surrogate
        self.bad_bytes = False  # undecodable bytes were seen: they decode to lone surrogates
        self.json = json.JSONDecoder()

    def begin(self) -> None:
        """Decode as the byte-order mark says (UTF-8 without one), leaving the BOM out."""
        head = b""
        while len(head) < textcodec.LONGEST_BOM and (
            data := self.raw.read(textcodec.LONGEST_BOM - len(head))
        ):
            head += data
        self.encoding, skip = textcodec.sniff(head)
        self.decoder = codecs.getincrementaldecoder(self.encoding)(ERRORS)
        self.text = self.decode(head[skip:], final=False)

    def decode(self, data: bytes, final: bool) -> str:
        errors = self.errors
        BAD_BYTES[ERRORS] = self  # the decoder's error handler counts on this stream
        text = self.decoder.decode(data, final=final)
        if self.errors != errors:
            self.bad_bytes = True
        return text

    def more(self, keep_from: int) -> int:
        """Append the next chunk, dropping text before `keep_from`; returns the shift."""
        if self.eof:
            return -1
        data = self.raw.read(CHUNK)
        self.eof = not data
        chunk = self.decode(data, final=self.eof)
        # Only a chunk with bad bytes or a `\uD...` escape can hold a lone surrogate.
        junction = self.text[-6:] + chunk[:6]
        if "\\u" in chunk or "\\u" in junction:
            self.suspect = True
        self.text = self.text[keep_from:] + chunk
        return keep_from

    def start_at(self, pos: int) -> None:
        """Drop the text before `pos` and read on until HEAD characters (or the file) follow."""
        self.text = self.text[pos:]
        while len(self.text) < HEAD and not self.eof:
            self.more(0)

    def items(self) -> Iterator[tuple[int, object]]:
        self.begin()
        # Blanks before the assignment and after it are skipped whatever their length: the
        # array's `[` must then be in the HEAD window, as for any file.
        self.start_at(self.skip(0, LEADING))
        assignment = ASSIGNMENT.match(self.text, 0, HEAD)
        if assignment:
            self.start_at(self.skip(assignment.end(), LEADING))
        opening = self.text.find("[", 0, HEAD)
        if opening < 0:
            raise JSFileError("no '[' after the assignment")
        pos = opening + 1
        position = skipped = 0
        while True:
            # Inline for the usual `,\n` between two items; skip() for the rest.
            end = BETWEEN_ITEMS.match(self.text, pos).end()
            if end < len(self.text) and self.text[end] != "/":
                pos = end
            else:
                pos = self.skip(pos, BETWEEN_ITEMS)
            if pos >= len(self.text):
                raise JSFileError(
                    f"the file ends before its array is closed (after item {position})"
                )
            if self.text[pos] == "]":
                return
            position += 1
            pos, value = self.item(pos, position)
            if value is not SKIPPED:
                skipped = 0
                yield position, value
            elif (skipped := skipped + 1) >= UNREADABLE_IN_A_ROW:
                raise JSFileError(
                    f"items {position - skipped + 1} to {position} are all unreadable: "
                    "the rest of the file is not read"
                )

    def skip(self, pos: int, blanks: re.Pattern) -> int:
        """Where the blanks (`blanks` and comments) at `pos` end; len(text) at the end of the
        file. What is read through is dropped at the next chunk, not kept and scanned again."""
        while True:
            end = blanks.match(self.text, pos).end()
            if end >= len(self.text):
                if self.more(end) < 0:
                    return len(self.text)
                pos = 0
                continue
            if self.text[end] != "/":
                return end
            # A comment cut by the end of the buffer (`blanks` skips whole ones).
            if end + 1 == len(self.text) and self.more(end) >= 0:
                end = 0
            if not self.text.startswith(("//", "/*"), end):
                return end
            pos = self.skip_comment(end)

    def skip_comment(self, pos: int) -> int:
        """The position after the comment starting at `pos`, read through without keeping it."""
        closing = "\n" if self.text.startswith("//", pos) else "*/"
        i = pos + 2
        while (j := self.text.find(closing, i)) < 0:
            # A `*` at the end may begin the `*/`, but not the one of the opening `/*`.
            keep = max(i, len(self.text) - 1)
            if self.more(keep) < 0:
                return len(self.text)
            i = 0
        return j + len(closing)

    def item(self, pos: int, position: int) -> tuple[int, object]:
        """(position after the item, its value or SKIPPED) for the item starting at `pos`."""
        deep = False
        try:
            value, end = self.json.raw_decode(self.text, pos)
            if end - pos > ITEM_LIMIT:
                self.flaw(position, f"item {position} is larger than {ITEM_LIMIT >> 20} MB", True)
                return end, SKIPPED
            if end < len(self.text) or self.eof:
                return end, self.checked(value, pos, end, position)
        except RecursionError:
            deep = True
        except ValueError:
            pass
        pos, end = self.extent(pos)
        if end is None:
            self.flaw(position, f"item {position} is larger than {ITEM_LIMIT >> 20} MB", True)
            return self.skip_rest(pos), SKIPPED
        try:
            if deep:
                raise RecursionError
            body = self.text[pos:end]
            try:
                value = json.loads(body)
            except json.JSONDecodeError:
                value = json.loads(literal_to_json(body))
        except RecursionError:
            self.flaw(position, f"item {position} is nested too deeply to read", True)
            return end, SKIPPED
        except ValueError as e:
            reason = e.msg if isinstance(e, json.JSONDecodeError) else str(e)
            self.flaw(
                position, f"item {position} is not JSON nor an object literal ({reason})", True
            )
            return end, SKIPPED
        return end, self.checked(value, pos, end, position)

    def checked(self, value, start: int, end: int, position: int):
        if (self.suspect and ESCAPED_SURROGATE.search(self.text, start, end)) or (
            self.bad_bytes and LONE_SURROGATE.search(self.text, start, end)
        ):
            try:
                fixed = repair(value)
            except RecursionError:
                fixed = None
            if fixed is not None:
                encoding = textcodec.label(self.encoding)
                reason = f"item {position} has bytes that are not {encoding} (replaced with U+FFFD)"
                self.flaw(position, reason, False)
                return fixed
        return value

    def extent(self, pos: int) -> tuple[int, int | None]:
        """(start, end) of the item at `pos`, reading on as needed. When the item outgrows
        ITEM_LIMIT, end is None and start is where scanning stopped (see skip_rest)."""
        if self.text[pos] not in "[{\"'":
            self._state = None
            # At least its first character: a stray `}` is an item to skip, not one to stop at.
            start, i = pos, pos + 1
            while (m := SCALAR_END.search(self.text, i)) is None:
                scanned = len(self.text) - start
                if scanned > ITEM_LIMIT:
                    return len(self.text), None
                if self.more(start) < 0:
                    return start, len(self.text)
                start, i = 0, scanned
            return start, m.start()
        self._state = (0, None)
        return self.scan(pos, pos, keep=True)

    def brackets(self, i: int, stop: int, depth: int) -> int | tuple[int]:
        """The depth after text[i:stop] (no quotes in it), or (end,) when the item ends there.

        Brackets are counted in C (a 25-million-deep item is skipped in seconds): only the
        piece where the item ends is walked bracket by bracket."""
        steps = NOT_BRACKET.sub("", self.text[i:stop]).translate(STEPS).encode("latin-1")
        closes = steps.count(0)
        if closes >= depth and depth + min(accumulate(map(sub, steps, repeat(1)))) <= 0:
            for m in BRACKET.finditer(self.text, i, stop):
                depth += 1 if m.group() in "[{" else -1
                if depth <= 0:
                    return (m.end(),)
        return depth + len(steps) - 2 * closes

    def skip_rest(self, pos: int) -> int:
        """Scan to the end of an oversized item, keeping nothing of it in memory."""
        if self._state is None:  # a scalar
            while (m := SCALAR_END.search(self.text, pos)) is None:
                if self.more(len(self.text)) < 0:
                    return len(self.text)
                pos = 0
            return m.start()
        return self.scan(pos, pos, keep=False)[1]

    def scan(self, start: int, i: int, keep: bool) -> tuple[int, int | None]:
        """Follow brackets and strings from `i` (state in self._state) to the item's end.

        Inside a string, nothing before `i` escapes text[i]: only backslashes from `i` on
        are counted before a quote."""
        depth, quote = self._state
        while True:
            if keep and i - start > ITEM_LIMIT:
                self._state = (depth, quote)
                return i, None
            if quote:
                j = self.text.find(quote, i)
                if j >= 0:
                    escaped = (
                        j > i
                        and self.text[j - 1] == "\\"
                        and backslashes_before(self.text, j, i) % 2
                    )
                    i = j + 1
                    if not escaped:
                        quote = None
                        if depth == 0:
                            return start, i
                    continue
                # Need more. Of a run of backslashes at the end, only an odd one's last
                # backslash matters (it escapes what follows): keep that, not the run.
                i = len(self.text) - backslashes_before(self.text, len(self.text), i) % 2
            else:
                end = min(len(self.text), i + PIECE)
                q = QUOTE.search(self.text, i, end)
                stop = q.start() if q else end
                if stop > i:
                    found = self.brackets(i, stop, depth)
                    if isinstance(found, tuple):
                        return start, found[0]
                    depth, i = found, stop
                if q:
                    quote, i = q.group(), stop + 1
                    continue
                if i < len(self.text):
                    continue
            shift = self.more(start if keep else i)
            if shift < 0:
                raise JSFileError("the file ends inside an item")
            i, start = i - shift, (start - shift if keep else 0)


def backslashes_before(text: str, j: int, lo: int) -> int:
    """How many backslashes end at text[j - 1], counting none before `lo`. Counted in C over
    windows growing fourfold: a million of them cost a few slices, not a loop per character."""
    width = 16
    while True:
        a = max(lo, j - width)
        run = j - a - len(text[a:j].rstrip("\\"))
        if run < j - a or a == lo:
            return run
        width *= 4


SKIPPED = object()


def iter_array(tree: Tree, path: str, flaw: Flaw | None = None) -> Iterator[tuple[int, object]]:
    """(position, item) for each item of the array a JS data file assigns, streamed.

    Items that can't be read are left out and reported through `flaw` (with their position);
    so are items repaired on the way. A file with no array raises JSFileError.
    """
    with tree.open(path) as raw:
        yield from ArrayStream(raw, flaw or (lambda *_: None)).items()


def read_value(tree: Tree, path: str):
    """The whole value a small JS data file assigns (manifest, account, user details)."""
    size = tree.size(path)
    if size is not None and size > SMALL_FILE_LIMIT:
        raise JSFileError(f"{size:,} bytes, more than such a file ever holds: not read")
    text = textcodec.decode(tree.read_bytes(path, SMALL_FILE_LIMIT)).lstrip("\ufeff")
    start = value_start(text, "[{")
    body = text[start:].rstrip().rstrip(";")
    try:
        try:
            return json.loads(body)
        except json.JSONDecodeError:
            return parse_literal(body)
    except RecursionError:
        raise JSFileError("nested too deeply to read") from None
    except json.JSONDecodeError as e:
        raise JSFileError(
            f"not JSON nor a JavaScript object literal ({e.msg}, line {e.lineno})"
        ) from None
    except ValueError as e:
        raise JSFileError(str(e)) from None


def read_side_file(tree: Tree, path: str, kind: type) -> tuple[object, str | None]:
    """(value, None) for a small side file of the expected kind (list or dict), else
    (None, why it can't be used): exports of every generation share this shape check."""
    try:
        value = read_value(tree, path)
    except (JSFileError, UnicodeDecodeError) as e:
        return None, f"unreadable: {e}"
    if not isinstance(value, kind):
        expected = "an array" if kind is list else "an object"
        return None, f"unreadable: {expected} expected, found {type(value).__name__}"
    return value, None


def parse_literal(body: str):
    return json.loads(literal_to_json(body))


IDENTIFIER = re.compile(r"[A-Za-z_$][\w$]*")
KEYWORDS = {"true", "false", "null"}
# One token of a JavaScript object literal, so the loop runs per token rather than per
# character: a double-quoted string, a single-quoted one, a comment, a comma with the
# blanks after it, a word, or a run of other characters.
TOKEN = re.compile(
    r"""(?P<dq>"(?:[^"\\]|\\.)*"?)"""
    r"""|(?P<sq>'(?:[^'\\]|\\.)*'?)"""
    r"|(?P<line>//[^\n]*)"
    r"|(?P<block>/\*(?:[^*]|\*(?!/))*(?:\*/)?)"
    r"|(?P<comma>,[ \t\r\n]*)"
    r"|(?P<word>[A-Za-z_$][\w$]*)"
    r"""|(?P<other>[^"',A-Za-z_$/]+|/)""",
    re.S,
)
SINGLE_ESCAPE = re.compile(r"""\\(.)|(")""", re.S)


def single_to_double(body: str) -> str:
    def swap(m):
        if m.group(2):
            return '\\"'
        return "'" if m.group(1) == "'" else m.group(0)

    return '"' + SINGLE_ESCAPE.sub(swap, body) + '"'


def literal_to_json(text: str) -> str:
    """Rewrite a JavaScript object literal as JSON: quote bare keys, drop trailing commas,
    turn single-quoted strings into JSON strings, drop comments."""
    out: list[str] = []
    n = len(text)
    previous = ""  # the last character before the current token
    for m in TOKEN.finditer(text):
        kind, token = m.lastgroup, m.group()
        if kind == "dq":
            out.append(token)
        elif kind == "sq":
            body = token[1:-1] if len(token) > 1 and token.endswith("'") else token[1:]
            out.append(single_to_double(body))
        elif kind == "comma":
            j = m.end()
            if not (j < n and text[j] in "]}"):
                out.append(token)
        elif kind == "word":
            if previous.isalnum() or previous in "._$":
                out.append(token)
            else:
                j = m.end()
                while j < n and text[j] in " \t\r\n":
                    j += 1
                if token not in KEYWORDS and j < n and text[j] == ":":
                    out.append(f'"{token}"')
                else:
                    out.append(token)
        elif kind == "other":
            out.append(token)
        if token:
            previous = token[-1]
    return "".join(out)
