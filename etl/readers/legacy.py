"""2012–2018 "Grailbird" exports: `data/js/tweets/YYYY_MM.js`, one month per file
(`Grailbird.data.tweets_YYYY_MM =` then a JSON array), with `user_details.js`,
`payload_details.js` and `tweet_index.js` (per-file counts, checked). The month files follow
the owner's local time; every date comes from the tweet's own `created_at` (UTC)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from ..dates import parse_created_at
from ..jsfiles import JSFileError, iter_array, read_side_file
from ..profile import legacy_profile
from ..records import Options, Problem, SourceInfo, Tweet, UserRef
from ..sources import Tree
from . import tweetjson
from .tweetjson import as_id, string

if TYPE_CHECKING:
    from . import Found

FORMAT = "legacy"
RANK = "2"
IS_EXPORT = True
MONTH_FILE = re.compile(r"^(?P<root>(?:.*/)?)data/js/tweets/\d{4}_\d{2}\.js$")


def find_roots(files: list[str]) -> list[str]:
    return sorted({m["root"] for f in files if (m := MONTH_FILE.match(f))})


def find_archives(tree: Tree, files: list[str], taken: list[str]) -> list[tuple[str, list[str]]]:
    return [(root, []) for root in find_roots(files)]


def expected_files(found: Found) -> int:
    root = found.root
    return sum(
        1 for p in found.tree.files() if p.startswith(root) and MONTH_FILE.match(p[len(root) :])
    )


def open_archive(found: Found, info: SourceInfo, options: Options) -> LegacyReader:
    return LegacyReader(found.tree, found.root, info, options)


class LegacyReader:
    def __init__(self, tree: Tree, root: str, info: SourceInfo, options: Options | None = None):
        self.tree, self.root, self.info = tree, root, info
        self.given_owner = options.owner if options else None
        self.js = f"{root}data/js/"
        self.problems: list[Problem] = []
        self.user_details = self.value("user_details.js", dict) or {}
        self.owner = self.find_owner()
        if self.owner:
            info.owner, info.owner_id, info.owner_name = (
                self.owner.screen_name,
                self.owner.id,
                self.owner.name,
            )
        payload = self.value("payload_details.js", dict) or {}
        info.exported_at = parse_created_at(payload.get("created_at"))
        # The profile of user_details.js, unless --owner named another account.
        named = string(self.user_details.get("screen_name"))
        if self.owner and named and named.lower() == self.owner.screen_name.lower():
            info.profile = legacy_profile(self.user_details, self.owner)

    def value(self, name: str, kind: type):
        path = self.js + name
        if self.tree.size(path) is None:
            return None
        value, why = read_side_file(self.tree, path, kind)
        if why:
            self.problems.append(Problem(path, 0, why, entry=False))
        return value

    def find_owner(self) -> UserRef | None:
        user = self.user_details
        name = string(user.get("screen_name"))
        owner = (
            UserRef(name, as_id(user.get("id")), string(user.get("full_name"))) if name else None
        )
        if self.given_owner:
            if owner is None or owner.screen_name.lower() != self.given_owner.lower():
                owner = UserRef(self.given_owner)
        return owner

    def read(self) -> Iterator[Tweet | Problem]:
        owner = self.owner
        expected = {
            self.root + entry["file_name"]: tweetjson.as_int(entry.get("tweet_count"))
            for entry in self.value("tweet_index.js", list) or []
            if isinstance(entry, dict) and string(entry.get("file_name"))
        }
        ctx = tweetjson.Context(tree=self.tree, owner=owner)
        paths = sorted(
            f for f in self.tree.files() if MONTH_FILE.match(f) and f.startswith(self.js)
        )
        for path in paths:
            self.info.files.append(path)
            yield from self.month(path, ctx, owner, expected.get(path))
        yield from self.problems

    def month(self, path, ctx, owner, expected) -> Iterator[Tweet | Problem]:
        count = 0
        pending: list[Problem] = []

        def flaw(position: int, reason: str, skipped: bool) -> None:
            nonlocal count
            count = position
            pending.append(Problem(path, position, reason, entry=skipped))

        try:
            items = iter_array(self.tree, path, flaw)
            for position, raw, tweet in tweetjson.converted(items, ctx, path):
                count = position
                yield from pending
                pending.clear()
                if raw is tweetjson.GIVEN_UP:
                    yield tweet
                    return
                if isinstance(tweet, Tweet) and self.given_owner:
                    # Grailbird names the author in every tweet; the user's word wins.
                    tweet.author = owner
                    tweet.url = f"https://twitter.com/{owner.screen_name}/status/{tweet.id}"
                if isinstance(tweet, Tweet) and self.info.owner is None:
                    self.info.owner = tweet.author.screen_name
                yield tweet
        except (JSFileError, UnicodeDecodeError) as e:
            yield from pending
            yield Problem(path, 0, f"unreadable: {e}", entry=False)
            return
        yield from pending
        if expected is not None and expected != count:
            yield Problem(
                path, 0, f"tweet_index.js says {expected} tweets, the file has {count}", entry=False
            )
