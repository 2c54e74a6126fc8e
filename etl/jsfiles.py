"""The JavaScript files of official exports: `window.YTD.tweets.part0 = [...]`,
`Grailbird.data.tweets_2013_04 =\n[...]`, `var user_details = {...}`,
`window.__THAR_CONFIG = {...}`.

Arrays are streamed item by item with ijson, so a 500 MB tweets.js never sits in memory.
Some tools rewrote these files as JavaScript object literals (unquoted keys, trailing
commas), which no JSON parser accepts: those files are converted to JSON in memory instead.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import BinaryIO

import ijson

from .sources import Tree

HEAD = 64 * 1024


class JSFileError(ValueError):
    """A file that is neither JSON after its assignment nor a readable object literal."""


class AfterAssignment:
    """A binary stream that starts at the first `[` or `{` after the `=` of the assignment."""

    def __init__(self, raw: BinaryIO, opener: bytes):
        self.raw = raw
        head = raw.read(HEAD)
        equals = head.find(b"=")
        start = head.find(opener, equals + 1 if equals >= 0 else 0)
        if start < 0:
            raise JSFileError(f"no {opener.decode()!r} after the assignment")
        self.pending = head[start:]

    def read(self, size: int = -1) -> bytes:
        if size == 0:  # ijson probes with read(0)
            return b""
        if self.pending:
            if size < 0:
                out, self.pending = self.pending + self.raw.read(), b""
                return out
            out, self.pending = self.pending[:size], self.pending[size:]
            return out
        return self.raw.read(size)


def iter_array(tree: Tree, path: str) -> Iterator[dict]:
    """Each item of the array a JS data file assigns, streamed."""
    yielded = 0
    try:
        with tree.open(path) as raw:
            stream = AfterAssignment(raw, b"[")
            for item in ijson.items(stream, "item", use_float=True):
                yield item
                yielded += 1
        return
    except ijson.JSONError:
        pass
    # Not JSON: reread as a JavaScript object literal (whole file in memory; such files were
    # edited by hand or by a formatter and are small in practice), skipping the items that
    # were already streamed before the parser hit the first non-JSON token.
    items = parse_literal(tree.read_text(path), "[")
    if not isinstance(items, list):
        raise JSFileError("expected an array after the assignment")
    yield from items[yielded:]


def read_value(tree: Tree, path: str):
    """The whole value a small JS data file assigns (manifest, account, user details)."""
    text = tree.read_text(path)
    equals = text.find("=")
    starts = [i for i in (text.find("[", equals + 1), text.find("{", equals + 1)) if i >= 0]
    opener = text[min(starts)] if starts else "{"
    try:
        return json.loads(after_assignment(text, opener).rstrip().rstrip(";"))
    except json.JSONDecodeError:
        return parse_literal(text, opener)


def after_assignment(text: str, opener: str) -> str:
    equals = text.find("=")
    start = text.find(opener, equals + 1 if equals >= 0 else 0)
    if start < 0:
        raise JSFileError(f"no {opener!r} after the assignment")
    return text[start:]


def parse_literal(text: str, opener: str):
    body = after_assignment(text, opener).rstrip().rstrip(";")
    try:
        return json.loads(literal_to_json(body))
    except json.JSONDecodeError as e:
        raise JSFileError(
            f"not JSON nor a JavaScript object literal ({e.msg}, line {e.lineno})"
        ) from None


IDENTIFIER = re.compile(r"[A-Za-z_$][\w$]*")
KEYWORDS = {"true", "false", "null"}


def literal_to_json(text: str) -> str:
    """Rewrite a JavaScript object literal as JSON: quote bare keys, drop trailing commas,
    turn single-quoted strings into JSON strings, drop comments."""
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == '"':
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            out.append(text[i : j + 1])
            i = j + 1
        elif c == "'":
            j, chars = i + 1, []
            while j < n and text[j] != "'":
                if text[j] == "\\" and j + 1 < n:
                    chars.append("'" if text[j + 1] == "'" else text[j : j + 2])
                    j += 2
                else:
                    chars.append('\\"' if text[j] == '"' else text[j])
                    j += 1
            out.append('"' + "".join(chars) + '"')
            i = j + 1
        elif text.startswith("//", i):
            i = text.find("\n", i) if "\n" in text[i:] else n
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            i = n if end < 0 else end + 2
        elif c == ",":
            j = i + 1
            while j < n and text[j] in " \t\r\n":
                j += 1
            if j < n and text[j] in "]}":
                i += 1  # trailing comma
            else:
                out.append(c)
                i += 1
        elif IDENTIFIER.match(text, i) and (
            i == 0 or not (text[i - 1].isalnum() or text[i - 1] in "._$")
        ):
            word = IDENTIFIER.match(text, i).group()
            j = i + len(word)
            while j < n and text[j] in " \t\r\n":
                j += 1
            if word not in KEYWORDS and j < n and text[j] == ":":
                out.append(f'"{word}"')
            else:
                out.append(word)
            i += len(word)
        else:
            out.append(c)
            i += 1
    return "".join(out)
