"""Official Twitter/X exports, 2019 onward: `data/tweet.js` (2019–2021) and `data/tweets.js`
plus `data/tweets-partN.js` (2022+), with notes, edits, deleted, community and Circle tweets.

Only files the site may publish are opened. From `account.js` and `manifest.js` only the
account's id, handle and display name are taken: never e-mail, phone, IP or device data.
"""

from __future__ import annotations

import html
import re
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from ..jsfiles import JSFileError, iter_array, read_value
from ..records import Like, Problem, SourceInfo, Tweet, UserRef
from ..sources import Tree
from . import tweetjson

FORMAT = "official"
TWEET_FILES = re.compile(r"^(?:tweet|tweets|tweets-part\d+)\.js$")
LIKE_FILES = re.compile(r"^like(?:-part\d+)?\.js$")
MEDIA_DIRS = {
    "tweets": ["tweets_media", "tweet_media"],
    "deleted": ["deleted_tweets_media", "deleted_tweet_media"],
    "community": ["community_tweet_media"],
    "circle": ["twitter_circle_tweet_media", "tweets_media", "tweet_media"],
}
SNOWFLAKE_EPOCH_MS = 1288834974657
FIRST_SNOWFLAKE = 29700859247  # ids below this predate snowflakes (Nov 2010)


SIDE_FILES = {"note-tweet.js", "community-tweet.js", "twitter-circle-tweet.js", "deleted-tweets.js"}


def is_read(name: str) -> bool:
    """Is `data/…` file `name` one that the reader opens with tweets in it?"""
    if not name.startswith("data/") or name.count("/") != 1:
        return False
    base = name[5:]
    return bool(TWEET_FILES.match(base) or LIKE_FILES.match(base)) or base in SIDE_FILES


@dataclass
class Options:
    include_deleted: bool = False
    include_circle: bool = False
    include_likes: bool = False


def find_roots(files: list[str]) -> list[str]:
    """Folders (ending in '/', or '') holding an export's `data/` with tweets in it."""
    roots = set()
    for path in files:
        parts = path.split("/")
        if len(parts) >= 2 and parts[-2] == "data" and TWEET_FILES.match(parts[-1]):
            roots.add("/".join(parts[:-2]) + ("/" if len(parts) > 2 else ""))
    return sorted(roots)


class ExportReader:
    def __init__(self, tree: Tree, root: str, info: SourceInfo, options: Options):
        self.tree, self.root, self.info, self.options = tree, root, info, options
        self.data = f"{root}data/"
        self.present = {p[len(self.data) :] for p in tree.files() if p.startswith(self.data)}
        self.problems: list[Problem] = []
        self.manifest = self.value("manifest.js") or {}
        self.owner = self.find_owner()
        self.media_index = defaultdict(list)
        for name in self.present:
            folder, _, base = name.rpartition("/")
            if folder and "-" in base:
                self.media_index[base.split("-", 1)[0]].append(self.data + name)

    def value(self, name: str):
        if name not in self.present:
            return None
        try:
            return read_value(self.tree, self.data + name)
        except (JSFileError, UnicodeDecodeError) as e:
            self.problems.append(Problem(self.data + name, 0, f"unreadable: {e}", entry=False))
            return None

    def find_owner(self) -> UserRef | None:
        user = self.manifest.get("userInfo") or {}
        account = self.value("account.js")
        if isinstance(account, list) and account and isinstance(account[0], dict):
            fields = account[0].get("account") or {}
            # account.js is the export's own word; manifest.js can disagree after a rename.
            user = {
                "userName": fields.get("username") or user.get("userName"),
                "accountId": fields.get("accountId") or user.get("accountId"),
                "displayName": fields.get("accountDisplayName") or user.get("displayName"),
            }
        if not user.get("userName"):
            return None
        return UserRef(
            user["userName"], tweetjson.as_int(user.get("accountId")), user.get("displayName")
        )

    def context(self, kind: str) -> tweetjson.Context:
        return tweetjson.Context(
            tree=self.tree,
            owner=self.owner,
            media_dirs=[self.data + d for d in MEDIA_DIRS[kind] if self.has_dir(d)],
            media_index=self.media_index,
        )

    def has_dir(self, name: str) -> bool:
        return any(p.startswith(name + "/") for p in self.present)

    def files(self, pattern: re.Pattern) -> list[str]:
        def order(name):
            number = re.search(r"part(\d+)", name)
            return (name.startswith("tweets"), int(number.group(1)) if number else 0)

        return [
            self.data + n for n in sorted((n for n in self.present if pattern.match(n)), key=order)
        ]

    def items(self, path: str, key: str) -> Iterator[tuple[int, dict]]:
        """(position, object) of each item of an array file; items are `{key: {...}}` or bare."""
        try:
            for position, item in enumerate(iter_array(self.tree, path), 1):
                if isinstance(item, dict) and isinstance(item.get(key), dict):
                    item = item[key]
                yield position, item
        except (JSFileError, UnicodeDecodeError) as e:
            self.problems.append(Problem(path, 0, f"unreadable: {e}", entry=False))

    def read(self) -> Iterator[Tweet | Like | Problem]:
        info = self.info
        if self.owner:
            info.owner, info.owner_id, info.owner_name = (
                self.owner.screen_name,
                self.owner.id,
                self.owner.name,
            )
        archive_info = self.manifest.get("archiveInfo") or {}
        info.exported_at = normalise_iso(archive_info.get("generationDate"))
        circle_ids = (
            {
                tweetjson.as_int(t.get("id_str") or t.get("id"))
                for _, t in self.items(self.data + "twitter-circle-tweet.js", "tweet")
            }
            if "twitter-circle-tweet.js" in self.present
            else set()
        )
        if circle_ids and not self.options.include_circle:
            info.skipped["circle"] = len(circle_ids)
        notes = NoteIndex(self.note_items())
        seen: set[int] = set()  # Circle tweets already read from tweets.js

        counts: dict[str, int] = defaultdict(int)
        tweets_ctx = self.context("tweets")
        for path in self.files(TWEET_FILES):
            info.files.append(path)
            for position, raw in self.items(path, "tweet"):
                counts[path] += 1
                tweet = self.convert(raw, tweets_ctx, path, position)
                if isinstance(tweet, Tweet):
                    notes.apply(tweet)
                    if tweet.id in circle_ids:
                        seen.add(tweet.id)
                        tweet.is_circle = True
                        if not self.options.include_circle:
                            continue
                yield tweet
        if self.options.include_circle and "twitter-circle-tweet.js" in self.present:
            yield from self.extra("twitter-circle-tweet.js", "circle", seen, is_circle=True)
        yield from self.extra("community-tweet.js", "community", seen)
        for name in ("deleted-tweets.js", "deleted-tweet.js"):
            if name not in self.present:
                continue
            if self.options.include_deleted:
                yield from self.extra(name, "deleted", seen, is_deleted=True)
            else:
                info.skipped["deleted"] = info.skipped.get("deleted", 0) + sum(
                    1 for _ in self.items(self.data + name, "tweet")
                )
        yield from self.likes()
        for note in notes.unmatched():
            self.problems.append(
                Problem(
                    self.data + "note-tweet.js",
                    note.position,
                    f"long post {note.id} (created {note.created_at}) matches no tweet",
                    note.text,
                    entry=False,
                )
            )
        self.check_manifest(counts)
        yield from self.problems

    def convert(self, raw, ctx, path, position) -> Tweet | Problem:
        try:
            return tweetjson.convert(raw, ctx, path, position)
        except (ValueError, TypeError, KeyError, AttributeError) as e:
            return Problem(path, position, f"tweet #{position}: {e}", repr(raw)[:2000])

    def extra(self, name, kind, seen, is_circle=False, is_deleted=False):
        """Tweets of the side files: community, Circle-only and deleted tweets."""
        if name not in self.present:
            return
        path = self.data + name
        self.info.files.append(path)
        ctx = self.context(kind)
        for position, raw in self.items(path, "tweet"):
            tweet = self.convert(raw, ctx, path, position)
            if isinstance(tweet, Tweet):
                if is_circle and tweet.id in seen:
                    continue  # already imported from tweets.js, flagged there
                tweet.is_circle = is_circle
                tweet.is_deleted = is_deleted
                tweet.deleted_at = any_date(raw.get("deleted_at")) if is_deleted else None
                community = tweetjson.as_int(raw.get("community_id_str") or raw.get("community_id"))
                tweet.community_id = community
            yield tweet

    def note_items(self) -> list[Note]:
        if "note-tweet.js" not in self.present:
            return []
        self.info.files.append(self.data + "note-tweet.js")
        notes = []
        for position, raw in self.items(self.data + "note-tweet.js", "noteTweet"):
            core = raw.get("core") or {}
            created = normalise_iso(raw.get("createdAt"))
            if created is None or not core.get("text"):
                continue
            text = core["text"]
            for url in core.get("urls") or []:
                if url.get("shortUrl") and url.get("expandedUrl"):
                    text = text.replace(url["shortUrl"], url["expandedUrl"])
            notes.append(
                Note(
                    tweetjson.as_int(raw.get("noteTweetId")), created, html.unescape(text), position
                )
            )
        return notes

    def likes(self) -> Iterator[Like]:
        paths = self.files(LIKE_FILES)
        if not self.options.include_likes:
            count = sum(1 for p in paths for _ in self.items(p, "like"))
            if count:
                self.info.skipped["likes"] = count
            return
        for path in paths:
            self.info.files.append(path)
            for _, raw in self.items(path, "like"):
                tweet_id = tweetjson.as_int(raw.get("tweetId"))
                if tweet_id is not None:
                    yield Like(tweet_id, raw.get("fullText"), raw.get("expandedUrl"), path)

    def check_manifest(self, counts: dict[str, int]) -> None:
        declared = self.manifest.get("dataTypes") or {}
        for data_type in ("tweets", "tweet"):
            for entry in (declared.get(data_type) or {}).get("files") or []:
                name, expected = entry.get("fileName"), tweetjson.as_int(entry.get("count"))
                path = self.root + name if name else None
                if path is None or expected is None:
                    continue
                found = counts.get(path)
                if found is None and path.split("/")[-1] not in self.present:
                    self.problems.append(
                        Problem(
                            path,
                            0,
                            f"manifest.js lists {expected} tweets in a missing file",
                            entry=False,
                        )
                    )
                elif found is not None and found != expected:
                    self.problems.append(
                        Problem(
                            path,
                            0,
                            f"manifest.js says {expected} tweets, the file has {found}",
                            entry=False,
                        )
                    )


@dataclass
class Note:
    id: int | None
    created_at: str
    text: str
    position: int
    used: bool = False


LEADING_NAMES = re.compile(r"^(?:@[A-Za-z0-9_]{1,15}\s+)+")
URL = re.compile(r"https?://\S+")


def comparable(text: str) -> str:
    return re.sub(r"\s+", "", URL.sub("", text))


class NoteIndex:
    """Long posts (note-tweet.js) matched to their tweets by creation second and text.

    Thread tweets share a second, so the time alone is ambiguous: the tweet's truncated text
    (before its '…', leading @names of a reply set aside, links ignored) must begin the note.
    """

    def __init__(self, notes: list[Note]):
        self.notes = notes
        self.by_second: dict[int, list[Note]] = defaultdict(list)
        for note in notes:
            self.by_second[epoch(note.created_at)].append(note)

    def apply(self, tweet: Tweet) -> None:
        if not self.notes:
            return
        second = epoch(tweet.created_at)
        candidates = [
            n for d in (-2, -1, 0, 1, 2) for n in self.by_second.get(second + d, []) if not n.used
        ]
        if not candidates:
            return
        body = LEADING_NAMES.sub("", tweet.text)
        cut = body.rfind("…")
        cut = len(body) if cut < 0 else cut
        prefix = comparable(body[:cut])
        matches = [
            n for n in candidates if comparable(LEADING_NAMES.sub("", n.text)).startswith(prefix)
        ]
        if not matches or not prefix:
            return
        note = min(matches, key=lambda n: abs(epoch(n.created_at) - second))
        note.used = True
        names = tweet.text[: len(tweet.text) - len(body)]
        trailing = [u for u in URL.findall(body[cut:]) if u not in note.text]
        full = names + LEADING_NAMES.sub("", note.text)
        tweet.text = (full + "".join(" " + u for u in trailing)).strip()
        tweet.note_tweet_id = note.id

    def unmatched(self) -> list[Note]:
        return [n for n in self.notes if not n.used]


def epoch(iso: str) -> int:
    return int(datetime.fromisoformat(iso).timestamp())


def normalise_iso(value) -> str | None:
    """'2023-10-13T14:58:50.000Z' → '2023-10-13T14:58:50+00:00'."""
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        return None
    return moment.replace(microsecond=0).astimezone(UTC).isoformat()


def any_date(value) -> str | None:
    """deleted_at comes as ISO 8601 or in Twitter's created_at form, depending on the export."""
    return normalise_iso(value) or tweetjson.parse_created_at(value)


def snowflake_time(tweet_id: int) -> str | None:
    """When a tweet was posted, from its id (ids before November 2010 carry no time)."""
    if tweet_id < FIRST_SNOWFLAKE:
        return None
    ms = (tweet_id >> 22) + SNOWFLAKE_EPOCH_MS
    return datetime.fromtimestamp(ms // 1000, tz=UTC).isoformat()
