"""Official Twitter/X exports, 2019 onward: `data/tweet.js` (2019–2021) and `data/tweets.js`
plus `data/tweets-partN.js` (2022+), with notes, edits, deleted, community and Circle tweets.

Only files the site may publish are opened. From `account.js` and `manifest.js` only the
account's id, handle, display name and creation date are taken: never e-mail, phone, IP or
device data. The owner's profile comes from `profile.js`, `account-timezone.js` and the
pictures of `profile_media/` (etl/profile.py).
"""

from __future__ import annotations

import html
import re
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import islice
from typing import TYPE_CHECKING

from ..dates import any_date, epoch, normalise_iso
from ..jsfiles import JSFileError, iter_array, read_side_file
from ..offsets import fill_in, relocate
from ..profile import official_profile
from ..records import Like, Options, Problem, SourceInfo, Tweet, UserRef, Withheld
from ..sources import Tree
from . import tweetjson
from .tweetjson import array, as_id, obj, string

if TYPE_CHECKING:
    from . import Found

FORMAT = "official"
RANK = "2"
IS_EXPORT = True
TWEET_FILES = re.compile(r"^(?:tweet|tweets|tweets-part\d+)\.js$")
LIKE_FILES = re.compile(r"^like(?:-part\d+)?\.js$")
MEDIA_DIRS = {
    "tweets": ["tweets_media", "tweet_media"],
    "deleted": ["deleted_tweets_media", "deleted_tweet_media"],
    "community": ["community_tweet_media"],
    "circle": ["twitter_circle_tweet_media", "tweets_media", "tweet_media"],
}


# The link of a tweet's own photo or video names its author: the owner, in an export.
OWN_MEDIA_URL = re.compile(
    r"^https?://(?:www\.|mobile\.)?(?:twitter|x)\.com/(?P<user>[A-Za-z0-9_]{1,15})"
    r"/status/(?P<id>\d{1,20})/(?:photo|video)/\d+$"
)
UNKNOWN_OWNER = "unknown"

SIDE_FILES = {"note-tweet.js", "community-tweet.js", "twitter-circle-tweet.js", "deleted-tweets.js"}
CIRCLE_FILE = "twitter-circle-tweet.js"
DELETED_FILES = ("deleted-tweets.js", "deleted-tweet.js")
# An item of a file marking tweets private whose id can't be read: its tweet can't be kept out.
UNREADABLE_MARK = {
    "circle": "Circle tweet #{} has no readable id: if tweets.js holds it too, it is imported "
    "as a public tweet",
    "deleted": "deleted tweet #{} has no readable id: if another source holds it, it is "
    "imported as a public tweet",
}


def is_read(name: str) -> bool:
    """Is `data/…` file `name` one that the reader opens with tweets in it?"""
    if not name.startswith("data/") or name.count("/") != 1:
        return False
    base = name[5:]
    return bool(TWEET_FILES.match(base) or LIKE_FILES.match(base)) or base in SIDE_FILES


def find_roots(files: list[str]) -> list[str]:
    """Folders (ending in '/', or '') holding an export's `data/` with tweets in it."""
    roots = set()
    for path in files:
        parts = path.split("/")
        if len(parts) >= 2 and parts[-2] == "data" and TWEET_FILES.match(parts[-1]):
            roots.add("/".join(parts[:-2]) + ("/" if len(parts) > 2 else ""))
    return sorted(roots)


# The DM files (1:1 and group) and the folder of each one's media.
DM_FILES = (
    ("direct-messages.js", "one_to_one", "direct_messages_media"),
    ("direct-messages-group.js", "group", "direct_messages_group_media"),
)
# An export whose tweets file was left out (too big to share) is still known by these; only
# a private build (--private) reads one.
PRIVATE_ROOT_FILES = ("manifest.js", "account.js", "direct-messages.js")


def find_private_roots(files: list[str]) -> list[str]:
    """Folders holding an official export's `data/` with no tweets file in it."""
    roots = set()
    for path in files:
        parts = path.split("/")
        if len(parts) >= 2 and parts[-2] == "data" and parts[-1] in PRIVATE_ROOT_FILES:
            roots.add("/".join(parts[:-2]) + ("/" if len(parts) > 2 else ""))
    return sorted(roots)


def find_archives(tree: Tree, files: list[str], taken: list[str]) -> list[tuple[str, list[str]]]:
    return [(root, []) for root in find_roots(files)]


def expected_files(found: Found) -> int:
    root = found.root
    return sum(1 for p in found.tree.files() if p.startswith(root) and is_read(p[len(root) :]))


def open_archive(found: Found, info: SourceInfo, options: Options) -> ExportReader:
    return ExportReader(found.tree, found.root, info, options)


class ExportReader:
    def __init__(self, tree: Tree, root: str, info: SourceInfo, options: Options):
        self.tree, self.root, self.info, self.options = tree, root, info, options
        self.data = f"{root}data/"
        self.present = {p[len(self.data) :] for p in tree.files() if p.startswith(self.data)}
        self.problems: list[Problem] = []
        self.counted: dict[str, int] = {}  # items in each array file read (for manifest.js)
        self.manifest = obj(self.value("manifest.js", dict))
        self.account = self.value("account.js", list)
        self.owner = self.find_owner()
        info.owner, info.owner_id, info.owner_name = (
            self.owner.screen_name,
            self.owner.id,
            self.owner.name,
        )
        info.exported_at = normalise_iso(
            obj(self.manifest.get("archiveInfo")).get("generationDate")
        )
        info.profile = self.read_profile()
        self.media_index = defaultdict(list)
        for name in self.present:
            folder, _, base = name.rpartition("/")
            if folder and "-" in base and base.lower().endswith((".mp4", ".mov", ".m4v")):
                self.media_index[base.split("-", 1)[0]].append(self.data + name)

    def value(self, name: str, kind: type):
        """The value of a small side file, when it is there, readable and of the right kind."""
        if name not in self.present:
            return None
        path = self.data + name
        value, why = read_side_file(self.tree, path, kind)
        if why:
            self.problems.append(Problem(path, 0, why, entry=False))
        return value

    def find_owner(self) -> UserRef:
        found = self.owner_from_account()
        given = self.options.owner
        if given:
            if found and found.screen_name.lower() == given.lower():
                return found
            return UserRef(given)
        if found:
            return found
        found, votes = self.owner_from_tweets()
        path = self.data + "account.js"
        state = "unreadable" if "account.js" in self.present else "missing"
        state += " (and manifest.js names no owner)"
        if found:
            reason = (
                f"{state}: the owner @{found.screen_name} was read from {votes} tweet(s) of "
                "their own (give --owner to name another)"
            )
            self.problems.append(Problem(path, 0, reason, entry=False))
            return found
        reason = (
            f"{state}, and no tweet shows whose they are: the tweets are kept under "
            f"@{UNKNOWN_OWNER} (give --owner to name the owner)"
        )
        self.problems.append(Problem(path, 0, reason, entry=False))
        return UserRef(UNKNOWN_OWNER)

    def read_profile(self):
        """The owner's profile, when the export is theirs (not one --owner renamed)."""
        account = self.owner_from_account()
        if account is None or account.screen_name.lower() != self.owner.screen_name.lower():
            return None
        return official_profile(
            self.tree,
            self.data,
            self.owner,
            self.value("profile.js", list),
            self.account,
            self.value("account-timezone.js", list),
            self.problems,
        )

    def owner_from_account(self) -> UserRef | None:
        user = obj(self.manifest.get("userInfo"))
        account = self.account
        if account and isinstance(account[0], dict):
            fields = obj(account[0].get("account"))
            # account.js is the export's own word; manifest.js can disagree after a rename.
            user = {
                "userName": fields.get("username") or user.get("userName"),
                "accountId": fields.get("accountId") or user.get("accountId"),
                "displayName": fields.get("accountDisplayName") or user.get("displayName"),
            }
        if not string(user.get("userName")):
            return None
        return UserRef(
            user["userName"], as_id(user.get("accountId")), string(user.get("displayName"))
        )

    def owner_from_tweets(self) -> tuple[UserRef | None, int]:
        """Whose tweets these are, for an export without account.js and manifest.js: the
        author named by the links of their own photos, and by replies to their own tweets."""
        ids, replies = set(), []
        votes: Counter[str] = Counter()
        spelling, user_ids = {}, {}
        for path in self.files(TWEET_FILES):
            for _, raw in self.items(path, "tweet", report=False):
                raw = obj(raw)
                tweet_id = as_id(raw.get("id_str") or raw.get("id"))
                if tweet_id is None:
                    continue
                ids.add(tweet_id)
                name = string(raw.get("in_reply_to_screen_name"))
                replied = as_id(
                    raw.get("in_reply_to_status_id_str") or raw.get("in_reply_to_status_id")
                )
                if name and replied:
                    user_id = as_id(
                        raw.get("in_reply_to_user_id_str") or raw.get("in_reply_to_user_id")
                    )
                    replies.append((replied, name, user_id))
                if (string(raw.get("full_text")) or "").startswith("RT @"):
                    continue  # a retweet's photos link to their own author
                extended = array(obj(raw.get("extended_entities")).get("media"))
                for item in extended or array(obj(raw.get("entities")).get("media")):
                    match = OWN_MEDIA_URL.match(string(obj(item).get("expanded_url")) or "")
                    if match and as_id(match["id"]) == tweet_id:
                        votes[match["user"].lower()] += 1
                        spelling.setdefault(match["user"].lower(), match["user"])
        for replied, name, user_id in replies:
            if replied in ids:
                votes[name.lower()] += 1
                spelling.setdefault(name.lower(), name)
                if user_id:
                    user_ids[name.lower()] = user_id
        if not votes:
            return None, 0
        best, count = votes.most_common(1)[0]
        return UserRef(spelling[best], user_ids.get(best)), count

    def context(self, kind: str) -> tweetjson.Context:
        return tweetjson.Context(
            tree=self.tree,
            owner=self.owner,
            media_dirs=[self.data + d for d in MEDIA_DIRS[kind] if self.has_dir(d)],
            media_index=self.media_index,
            problems=self.problems,
        )

    def dm_files(self) -> Iterator[tuple[str, str, str, set[str]]]:
        """(path, kind, media folder, names of the files in it) of each DM file the export
        has: only a private build asks (etl/private_dms.py); read() never opens them."""
        for name, kind, folder in DM_FILES:
            if name in self.present:
                prefix = folder + "/"
                media = {
                    p[len(prefix) :]
                    for p in self.present
                    if p.startswith(prefix) and "/" not in p[len(prefix) :]
                }
                yield self.data + name, kind, self.data + prefix, media

    def has_dir(self, name: str) -> bool:
        return any(p.startswith(name + "/") for p in self.present)

    def files(self, pattern: re.Pattern) -> list[str]:
        def order(name):
            number = re.search(r"part(\d+)", name)
            return (name.startswith("tweets"), int(number.group(1)) if number else 0)

        return [
            self.data + n for n in sorted((n for n in self.present if pattern.match(n)), key=order)
        ]

    def items(self, path: str, key: str, report: bool = True) -> Iterator[tuple[int, dict]]:
        """(position, object) of each item of an array file; items are `{key: {...}}` or bare.

        Damaged items and files become problems when `report` (off for a file read twice,
        or only counted)."""

        last = 0

        def flaw(position: int, reason: str, skipped: bool) -> None:
            nonlocal last
            last = position
            if report:
                self.problems.append(Problem(path, position, reason, entry=skipped))

        try:
            for last, item in iter_array(self.tree, path, flaw):
                if isinstance(item, dict) and isinstance(item.get(key), dict):
                    item = item[key]
                yield last, item
        except (JSFileError, UnicodeDecodeError) as e:
            if report:
                self.problems.append(Problem(path, 0, f"unreadable: {e}", entry=False))
        self.counted[path] = last

    def read(self) -> Iterator[Tweet | Like | Problem | Withheld]:
        info, options = self.info, self.options
        circle_ids = self.marked_ids(CIRCLE_FILE, "circle")
        deleted_ids: set[int] = set()
        if not options.include_deleted:
            for name in DELETED_FILES:
                deleted_ids |= self.marked_ids(name, "deleted")
        withheld = deleted_ids if options.include_circle else deleted_ids | circle_ids
        # Told before any tweet: another source may hold these ids as ordinary tweets.
        yield from (Withheld(tweet_id, "deleted") for tweet_id in sorted(deleted_ids))
        if not options.include_circle:
            yield from (Withheld(tweet_id, "circle") for tweet_id in sorted(circle_ids))
        marked = circle_ids | deleted_ids
        notes = NoteIndex(self.note_items())
        seen: set[int] = set()  # Circle tweets already read from tweets.js

        tweets_ctx = self.context("tweets")
        for path in self.files(TWEET_FILES):
            info.files.append(path)
            for _, _, tweet in self.converted(path, tweets_ctx):
                yield from self.drain()
                if isinstance(tweet, Tweet):
                    notes.apply(tweet)
                    if tweet.id in marked:
                        if tweet.id in circle_ids:
                            seen.add(tweet.id)
                            tweet.is_circle = True
                        if tweet.id in withheld:
                            continue
                yield tweet
        if options.include_circle and CIRCLE_FILE in self.present:
            yield from self.extra(
                CIRCLE_FILE, "circle", seen | withheld, is_circle=True, report=False
            )
        yield from self.extra("community-tweet.js", "community", withheld)
        if options.include_deleted:
            for name in DELETED_FILES:
                yield from self.extra(name, "deleted", withheld, is_deleted=True)
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
        self.check_manifest(self.counted)
        yield from self.problems

    def drain(self) -> Iterator[Problem]:
        # Problems go out as they are found (a damaged file can make millions); cleared in
        # place, as the tweet contexts share the list.
        if self.problems:
            found = self.problems[:]
            self.problems.clear()
            yield from found

    def converted(self, path: str, ctx, report: bool = True):
        return tweetjson.converted(self.items(path, "tweet", report), ctx, path)

    def extra(self, name, kind, skip, is_circle=False, is_deleted=False, report=True):
        """Tweets of the side files: community, Circle-only and deleted tweets, but those of
        `skip` (already read from tweets.js, or withheld)."""
        if name not in self.present:
            return
        path = self.data + name
        self.info.files.append(path)
        ctx = self.context(kind)
        for _, raw, tweet in self.converted(path, ctx, report):
            yield from self.drain()
            if isinstance(tweet, Tweet):
                if tweet.id in skip:
                    continue
                tweet.is_circle = is_circle
                tweet.is_deleted = is_deleted
                tweet.deleted_at = any_date(raw.get("deleted_at")) if is_deleted else None
                community = as_id(raw.get("community_id_str") or raw.get("community_id"))
                tweet.community_id = community
            yield tweet

    def marked_ids(self, name: str, kind: str) -> set[int]:
        """Ids of the tweets side file `name` marks private (`kind`). tweets.js holds Circle
        tweets too, indistinguishable from public ones, and another source may hold either
        as an ordinary tweet: an unreadable item here may let a private tweet through, so it
        is reported."""
        if name not in self.present:
            return set()
        path = self.data + name
        ids = set()
        for position, raw in self.items(path, "tweet"):
            tweet_id = as_id(obj(raw).get("id_str") or obj(raw).get("id"))
            if tweet_id is None:
                reason = UNREADABLE_MARK[kind].format(position)
                self.problems.append(Problem(path, position, reason, tweetjson.shown(raw), False))
            else:
                ids.add(tweet_id)
        return ids

    def note_items(self) -> list[Note]:
        if "note-tweet.js" not in self.present:
            return []
        self.info.files.append(self.data + "note-tweet.js")
        notes = []
        for position, raw in self.items(self.data + "note-tweet.js", "noteTweet"):
            raw = obj(raw)
            core = obj(raw.get("core"))
            created = normalise_iso(raw.get("createdAt"))
            if created is None or not string(core.get("text")):
                continue
            text = core["text"]
            for url in array(core.get("urls")):
                short, expanded = (
                    string(obj(url).get("shortUrl")),
                    string(obj(url).get("expandedUrl")),
                )
                if short and expanded:
                    text = text.replace(short, expanded)
            notes.append(
                Note(as_id(raw.get("noteTweetId")), created, html.unescape(text), position)
            )
        return notes

    def likes(self) -> Iterator[Like]:
        paths = self.files(LIKE_FILES)
        if not self.options.include_likes:
            count = sum(1 for p in paths for _ in self.items(p, "like", False))
            if count:
                self.info.skipped["likes"] = count
            return
        for path in paths:
            self.info.files.append(path)
            for position, raw in self.items(path, "like"):
                raw = obj(raw)
                tweet_id = as_id(raw.get("tweetId"))
                if tweet_id is None:
                    reason = f"like #{position}: no tweet id from 1 to 2^63-1"
                    self.problems.append(Problem(path, position, reason, tweetjson.shown(raw)))
                    continue
                yield Like(
                    tweet_id, string(raw.get("fullText")), string(raw.get("expandedUrl")), path
                )

    def check_manifest(self, counts: dict[str, int]) -> None:
        declared = obj(self.manifest.get("dataTypes"))
        # An export shared without its tweets file (a private build takes one, for its DMs
        # and accounts): not a damaged export, so no problem row, but the summary says so.
        # With some of its tweets files here, a missing one is still a problem.
        shared_without_tweets = self.options.private and not self.files(TWEET_FILES)
        for data_type in ("tweets", "tweet"):
            for entry in array(obj(declared.get(data_type)).get("files")):
                entry = obj(entry)
                name, expected = string(entry.get("fileName")), tweetjson.as_int(entry.get("count"))
                path = self.root + name if name else None
                if path is None or expected is None:
                    continue
                found = counts.get(path)
                if found is None and shared_without_tweets:
                    self.info.tweets_not_here += expected
                elif found is None and path.split("/")[-1] not in self.present:
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
    second: int = 0  # created_at as a Unix time
    key: str = ""  # comparable() text, leading @names set aside


LEADING_NAMES = re.compile(r"^(?:@[A-Za-z0-9_]{1,15}\s+)+")
URL = re.compile(r"https?://\S+")


def comparable(text: str) -> str:
    return re.sub(r"\s+", "", URL.sub("", text))


class NoteIndex:
    """Long posts (note-tweet.js) matched to their tweets by creation second and text.

    Thread tweets share a second, so the time alone is ambiguous: the tweet's truncated text
    (before its '…', leading @names of a reply set aside, links ignored) must begin the note.
    """

    # Unused notes looked at per tweet: real threads post a handful a second; a hostile file
    # with thousands in one second must not make matching quadratic.
    CANDIDATES = 200

    def __init__(self, notes: list[Note]):
        self.notes = notes
        self.by_second: dict[int, dict[int, Note]] = defaultdict(dict)  # insertion-ordered
        for index, note in enumerate(notes):
            note.second = epoch(note.created_at)
            note.key = comparable(LEADING_NAMES.sub("", note.text))
            self.by_second[note.second][index] = note

    def apply(self, tweet: Tweet) -> None:
        if not self.notes:
            return
        second = epoch(tweet.created_at)
        candidates = [
            (index, n)
            for d in (-2, -1, 0, 1, 2)
            for index, n in islice(self.by_second.get(second + d, {}).items(), self.CANDIDATES)
        ]
        if not candidates:
            return
        body = LEADING_NAMES.sub("", tweet.text)
        cut = body.rfind("…")
        cut = len(body) if cut < 0 else cut
        prefix = comparable(body[:cut])
        matches = [(i, n) for i, n in candidates if n.key.startswith(prefix)]
        if not matches or not prefix:
            return
        index, note = min(matches, key=lambda m: abs(m[1].second - second))
        note.used = True
        del self.by_second[note.second][index]
        names = tweet.text[: len(tweet.text) - len(body)]
        trailing = [u for u in URL.findall(body[cut:]) if u not in note.text]
        full = names + LEADING_NAMES.sub("", note.text)
        tweet.text = (full + "".join(" " + u for u in trailing)).strip()
        tweet.note_tweet_id = note.id
        relocate(tweet)
        fill_in(tweet)

    def unmatched(self) -> list[Note]:
        return [n for n in self.notes if not n.used]
