"""One record per tweet id across sources, and one id per account.

Records arrive ordered best first (higher source precedence, then input order). A field takes
the best record's value unless that one is unknown (None); lists (entities, media) come whole
from the best record that has any, so one tweet never mixes two sources' entity lists.
"""

from __future__ import annotations

import hashlib
import html
import re
import unicodedata
from dataclasses import fields, replace

from .records import Tweet, UserRef

SCALAR_FIELDS = [
    f.name
    for f in fields(Tweet)
    if f.name not in {"mentions", "hashtags", "urls", "media", "author", "is_retweet"}
]


def merge_tweets(records: list[Tweet]) -> Tweet:
    """Merge the records of one tweet id, best first."""
    best = records[0]
    if len(records) == 1:
        return best
    merged = replace(best, author=replace(best.author))
    for name in SCALAR_FIELDS:
        if getattr(merged, name) is None:
            for other in records[1:]:
                value = getattr(other, name)
                if value is not None:
                    setattr(merged, name, value)
                    break
    for name in ("mentions", "hashtags", "urls"):
        setattr(merged, name, next((getattr(r, name) for r in records if getattr(r, name)), []))
    merged.media = max(
        (r.media for r in records),
        key=lambda refs: (sum(m.path is not None for m in refs), len(refs)),
    )
    if merged.author.id is None:
        merged.author = next((r.author for r in records if r.author.id is not None), best.author)
    return merged


# What two faithful copies of one tweet may differ in: links (t.co in exports, expanded in
# Markdown), a reply's leading @names (Markdown may drop them), whitespace and HTML entities.
_LINK = re.compile(r"(?:https?://|www\.|pic\.twitter\.com/)\S*", re.I)
_LEADING_NAMES = re.compile(r"^(?:\s*[@＠][A-Za-z0-9_]+)+")
_SPACE = re.compile(r"\s+")
_CUT = ("\u2026", "...")  # a retweet or a long post cut short


def comparable(text: str) -> tuple[str, bool]:
    """A tweet's text reduced to what every faithful copy shares, and whether it was cut
    (before or after its links are set aside: the cut can fall inside a link)."""
    text = unicodedata.normalize("NFC", html.unescape(text))
    cut = text.rstrip().endswith(_CUT)
    text = _SPACE.sub("", _LEADING_NAMES.sub("", _LINK.sub(" ", text)))
    return text.rstrip(".\u2026"), cut or text.endswith(_CUT)


def same_text(a: str, b: str) -> bool:
    """Two texts of one tweet id tell the same tweet (one may be cut short with "…")."""
    if a == b:
        return True
    (a, a_cut), (b, b_cut) = comparable(a), comparable(b)
    return a == b or (a_cut and b.startswith(a)) or (b_cut and a.startswith(b))


def text_conflicts(records: list[Tweet]) -> list[int]:
    """Positions of the records (best first) whose text is not the best one's tweet."""
    best = records[0].text
    return [i for i, r in enumerate(records[1:], 1) if not same_text(best, r.text)]


def synthetic_user_id(screen_name: str) -> int:
    """A stable negative id for an account known only by its screen name.

    Real Twitter ids are positive, so these never collide with one; the same name gives the
    same id in every build.
    """
    digest = hashlib.blake2b(
        screen_name.lower().encode("utf-8", "surrogatepass"), digest_size=8
    ).digest()
    return -(int.from_bytes(digest, "big") >> 1) - 1


class UserDirectory:
    """Collects every account reference, then resolves each to one id and one current name."""

    def __init__(self) -> None:
        self.by_id: dict[int, UserRef] = {}
        self.names: dict[str, UserRef] = {}  # lower-case screen name -> best reference

    def add(self, ref: UserRef) -> None:
        key = ref.screen_name.lower()
        if ref.id is not None:
            known = self.by_id.get(ref.id)
            if known is None:
                self.by_id[ref.id] = UserRef(ref.screen_name, ref.id, ref.name)
            elif known.name is None and ref.name:
                known.name = ref.name
        current = self.names.get(key)
        if current is None or (current.id is None and ref.id is not None):
            self.names[key] = UserRef(ref.screen_name, ref.id, ref.name)
        elif current.name is None and ref.name:
            current.name = ref.name

    def id_for(self, screen_name: str, user_id: int | None = None) -> int:
        if user_id is not None:
            return user_id
        known = self.names.get(screen_name.lower())
        if known is not None and known.id is not None:
            return known.id
        return synthetic_user_id(screen_name)

    def rows(self, owners: set[str]) -> list[dict]:
        rows = {}
        for ref in self.by_id.values():
            rows[ref.id] = ref
        for ref in self.names.values():
            user_id = self.id_for(ref.screen_name, ref.id)
            if user_id not in rows:
                rows[user_id] = UserRef(ref.screen_name, user_id, ref.name)
        owner_keys = {o.lower() for o in owners}
        return [
            {
                "id": user_id,
                "screen_name": ref.screen_name,
                "name": ref.name,
                "is_owner": int(ref.screen_name.lower() in owner_keys),
            }
            for user_id, ref in sorted(rows.items())
        ]
