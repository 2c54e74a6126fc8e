"""2012–2018 "Grailbird" exports: `data/js/tweets/YYYY_MM.js`, one month per file
(`Grailbird.data.tweets_YYYY_MM =` then a JSON array), with `user_details.js`,
`payload_details.js` and `tweet_index.js` (per-file counts, checked). The month files follow
the owner's local time; every date comes from the tweet's own `created_at` (UTC)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ..jsfiles import JSFileError, iter_array, read_value
from ..records import Problem, SourceInfo, Tweet, UserRef
from ..sources import Tree
from . import tweetjson

FORMAT = "legacy"
MONTH_FILE = re.compile(r"^(?P<root>(?:.*/)?)data/js/tweets/\d{4}_\d{2}\.js$")


def find_roots(files: list[str]) -> list[str]:
    return sorted({m["root"] for f in files if (m := MONTH_FILE.match(f))})


class LegacyReader:
    def __init__(self, tree: Tree, root: str, info: SourceInfo):
        self.tree, self.root, self.info = tree, root, info
        self.js = f"{root}data/js/"
        self.problems: list[Problem] = []

    def value(self, name: str):
        path = self.js + name
        if self.tree.size(path) is None:
            return None
        try:
            return read_value(self.tree, path)
        except (JSFileError, UnicodeDecodeError) as e:
            self.problems.append(Problem(path, 0, f"unreadable: {e}", entry=False))
            return None

    def read(self) -> Iterator[Tweet | Problem]:
        user = self.value("user_details.js") or {}
        owner = None
        if user.get("screen_name"):
            owner = UserRef(
                user["screen_name"], tweetjson.as_int(user.get("id")), user.get("full_name")
            )
            self.info.owner, self.info.owner_id, self.info.owner_name = (
                owner.screen_name,
                owner.id,
                owner.name,
            )
        payload = self.value("payload_details.js") or {}
        self.info.exported_at = tweetjson.parse_created_at(payload.get("created_at"))
        expected = {
            self.root + entry["file_name"]: tweetjson.as_int(entry.get("tweet_count"))
            for entry in self.value("tweet_index.js") or []
            if isinstance(entry, dict) and entry.get("file_name")
        }
        ctx = tweetjson.Context(tree=self.tree, owner=owner)
        paths = sorted(
            f for f in self.tree.files() if MONTH_FILE.match(f) and f.startswith(self.js)
        )
        for path in paths:
            self.info.files.append(path)
            count = 0
            try:
                for position, raw in enumerate(iter_array(self.tree, path), 1):
                    count += 1
                    try:
                        tweet = tweetjson.convert(raw, ctx, path, position)
                    except (ValueError, TypeError, KeyError, AttributeError) as e:
                        yield Problem(path, position, f"tweet #{position}: {e}", repr(raw)[:2000])
                        continue
                    if self.info.owner is None:
                        self.info.owner = tweet.author.screen_name
                    yield tweet
            except (JSFileError, UnicodeDecodeError) as e:
                yield Problem(path, 0, f"unreadable: {e}", entry=False)
                continue
            if expected.get(path) is not None and expected[path] != count:
                yield Problem(
                    path,
                    0,
                    f"tweet_index.js says {expected[path]} tweets, the file has {count}",
                    entry=False,
                )
        yield from self.problems
