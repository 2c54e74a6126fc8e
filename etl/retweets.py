"""Which tweets the owner's retweets are retweets of, where the archive doesn't say.

2019+ exports dropped `retweeted_status` and Markdown never had it: such a retweet is only
`RT @name: text` (cut with "…" when long) and, at most, its links. What still tells its
original: the retweeted account wrote it, its text starts the same (merge.same_text, which
sets links, whitespace and HTML entities aside), it is older than the retweet (ids grow with
time), or one of the retweet's links points at its status.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable

from tweet_site import core

from .merge import comparable, same_text
from .records import valid_id

RETWEET = re.compile(r"RT @([A-Za-z0-9_]{1,15}):? ?")
# Retweets are looked up by the account and the first characters of their comparable text;
# the few shorter than that (a short tweet retweeted whole) are compared one by one.
KEY = 12


def status_id(url: str | None) -> int | None:
    """The tweet a twitter.com or x.com status link points at."""
    match = core.status_link(url)
    tweet_id = int(match["id"]) if match else None
    return tweet_id if valid_id(tweet_id) else None


def status_author(url: str | None) -> str | None:
    """The account (lower case) whose tweet a twitter.com or x.com status link names; None
    for any other link, netflix.com/name/status/1 included."""
    match = core.status_link(url)
    author = core.status_author(match) if match else None
    return author.lower() if author else None


def retweet_body(text: str | None, name: str) -> str | None:
    """The retweeted text of `RT @name: text`, when the retweet is of `name`."""
    match = RETWEET.match(text or "")
    if not match or match.group(1).lower() != name.lower():
        return None
    return text[match.end() :]


class RetweetIndex:
    """Retweets by the account they retweet and the start of their text."""

    def __init__(self, retweets: Iterable[tuple[int, str | None, str | None]]):
        """`retweets`: (id, retweeted screen name, text) each."""
        self.keyed: dict[tuple[str, str], list[tuple[int, str]]] = defaultdict(list)
        self.short: dict[str, list[tuple[int, str]]] = defaultdict(list)
        self.names: set[str] = set()
        for retweet_id, name, text in retweets:
            body = retweet_body(text, name or "")
            if body is None:
                continue
            compared, _ = comparable(body)
            # A link or a photo alone ("RT @a: https://t.co/x") tells no tweet of @a apart.
            if not compared:
                continue
            self.names.add(name.lower())
            if len(compared) >= KEY:
                self.keyed[(name.lower(), compared[:KEY])].append((retweet_id, body))
            else:
                self.short[name.lower()].append((retweet_id, body))

    def __bool__(self) -> bool:
        return bool(self.names)

    def retweets_of(self, tweet_id: int, name: str | None, text: str | None) -> list[int]:
        """The retweets whose text tells the tweet `tweet_id` of `name`, written `text`."""
        name = (name or "").lower()
        if not text or name not in self.names:
            return []
        compared, _ = comparable(text)
        candidates = self.keyed.get((name, compared[:KEY]), []) + self.short.get(name, [])
        return [
            retweet_id
            for retweet_id, body in candidates
            if retweet_id > tweet_id and same_text(body, text)
        ]
