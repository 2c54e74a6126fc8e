"""The site's SQL is written once: no statement, CTE or subquery body (nor its `from ... where
...` part, whatever it selects and however many rows it keeps) appears twice across
metadata.yml, the site's Python (tweet_site/) and the views and summaries the site reads
(etl/schema.py, etl/summaries.py). A list that two pages, a canned query and its feed share
is built by one module (tweet_site/lists/) and composed, not copied."""

import ast
import re
from collections import defaultdict

import yaml

from tests.helpers.paths import ROOT

PYTHON = [
    *sorted((ROOT / "tweet_site").rglob("*.py")),
    ROOT / "etl" / "schema.py",
    ROOT / "etl" / "summaries.py",
]
# A piece of SQL in parentheses: a CTE's body (`name as (...)`) or a subquery.
OPENING = re.compile(r"\bas\s+(?:materialized\s+)?\(|\((?=\s*select\b)", re.I)
# Shorter pieces (`select id from target`) may well be said twice.
MIN_BODY = 60
MIN_TAIL = 80


def python_strings(path):
    """(line, text) of each string literal of a module; an f-string with `{}` for each of its
    values (the SQL as written, before anything is put in)."""
    tree = ast.parse(path.read_text())
    parts = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            parts.update(id(value) for value in node.values)
            text = "".join(v.value if isinstance(v, ast.Constant) else "{}" for v in node.values)
            yield node.lineno, text
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in parts:
            yield node.lineno, node.value


def yaml_sql(value, where=""):
    """(where, SQL) of every `sql:` and `query:` value in metadata.yml."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key in ("sql", "query") and isinstance(item, str):
                yield f"{where}/{key}", item
            else:
                yield from yaml_sql(item, f"{where}/{key}")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from yaml_sql(item, f"{where}/{i}")


def sources():
    for path in PYTHON:
        for line, text in python_strings(path):
            yield f"{path.relative_to(ROOT)}:{line}", text
    metadata = yaml.safe_load((ROOT / "metadata.yml").read_text())
    for where, text in yaml_sql(metadata):
        yield f"metadata.yml{where}", text


def bodies(text):
    """The statement itself (when the text is one) and each parenthesized body in it."""
    if re.match(r"\s*(select|with)\b", text, re.I):
        yield text
    for opening in OPENING.finditer(text):
        start, depth = opening.end() - 1, 0
        for i in range(start, len(text)):
            depth += {"(": 1, ")": -1}.get(text[i], 0)
            if depth == 0:
                yield text[start + 1 : i]
                break


def pieces(text):
    """What may not be written twice: each body, and its `from ...` part with every number
    made N (the same rows however many are kept)."""
    for body in bodies(text):
        body = " ".join(body.lower().split())
        if " from " not in f" {body} ":
            continue
        if len(body) >= MIN_BODY:
            yield body
        tail = re.sub(r"\b\d+\b", "N", body[body.find(" from ") :])
        if len(tail) >= MIN_TAIL:
            yield "... " + tail


def test_no_sql_is_written_twice():
    found = defaultdict(list)
    for where, text in sources():
        for piece in pieces(text):
            found[piece].append(where)
    assert {piece: wheres for piece, wheres in found.items() if len(wheres) > 1} == {}


def test_the_check_finds_sql_written_twice():
    twice = """
    select tweets.id, tweets.text
    from tweets
    join users on users.id = tweets.user_id
    where tweets.kind = 'quote'
    order by tweets.created_at desc
    limit 50
    """
    copy = twice.replace("tweets.id, tweets.text", "tweets.id").replace("limit 50", "limit 9")
    assert list(pieces(copy))[-1] == list(pieces(twice))[-1]
    found = list(pieces(f"with a as ({twice}), b as ({twice}) select * from a"))
    assert len(found) > len(set(found))
