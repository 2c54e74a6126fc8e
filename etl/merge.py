"""What the loader needs to merge records: when two texts of one tweet id tell the same tweet,
and one id per account.

The merge itself is etl/load.py's `merge_into_stored`: records arrive best first (higher
source precedence, then input order); a field takes the best record's value unless that one
is unknown (None); lists (entities, media) come whole from the best record that has any, so
one tweet never mixes two sources' entity lists. The flags of privacy (`is_deleted`,
`is_circle`) are the exception: any record's flag holds, whichever record is best. A tweet
that a source withholds as private is left out altogether, whoever else holds it.
"""

from __future__ import annotations

import functools
import hashlib
import html
import re
import unicodedata

from .records import UserRef

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


@functools.lru_cache(maxsize=65536)  # a handful of names come back on every other tweet
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
        self.stand_ins: set[str] = set()  # names given a synthetic id before theirs was known

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
        self.stand_ins.add(screen_name.lower())
        return synthetic_user_id(screen_name)

    def late_ids(self) -> dict[int, int]:
        """Synthetic id -> real id, for the names whose id was learned after rows used one."""
        late = {}
        for key in self.stand_ins:
            known = self.names.get(key)
            if known is not None and known.id is not None:
                late[synthetic_user_id(key)] = known.id
        return late

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
