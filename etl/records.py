"""The plain records that readers produce and the loader consumes.

Readers know formats, the loader knows tables; these dataclasses are the whole contract
between them, so every fact a table needs must have a field here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

# SQLite stores signed 64-bit integers, and Twitter's ids are positive: an id outside this
# range (a damaged or hostile archive) can be neither stored nor looked up.
from tweet_site.core import MAX_ID

if TYPE_CHECKING:
    from .profile import Profile


def valid_id(value: int | None) -> bool:
    return value is not None and 0 < value <= MAX_ID


@dataclass
class UserRef:
    screen_name: str
    id: int | None = None
    name: str | None = None


@dataclass
class Mention(UserRef):
    """An account a tweet's text names: `text[start:end]` is "@name" as written (or "＠name");
    both None when the source's entity could not be found in the text."""

    start: int | None = None
    end: int | None = None


@dataclass
class Hashtag:
    tag: str  # without the sign
    start: int | None = None  # text[start:end] is "#tag" as written (or "＃tag"), else None
    end: int | None = None


@dataclass
class Link:
    url: str  # expanded where the source knows it
    start: int | None = None  # text[start:end] is the URL as written, else None
    end: int | None = None


@dataclass
class MediaRef:
    type: str  # photo, video or animated_gif
    path: str | None  # relative to the source root; None when the file is absent
    filename: str | None = None  # the file the archive refers to, present or not
    url: str | None = None  # remote URL (e.g. t.co) when the archive only links to it
    mime_type: str | None = None
    bytes: int | None = None
    width: int | None = None
    height: int | None = None
    alt_text: str | None = None  # the description its author wrote for readers who can't see it
    source_id: int | None = None  # set by the loader: whose root `path` is relative to


@dataclass
class Tweet:
    id: int
    created_at: str  # ISO 8601 UTC
    text: str
    author: UserRef
    url: str
    input_file: str
    input_line: int
    in_reply_to_id: int | None = None
    in_reply_to_screen_name: str | None = None
    in_reply_to_user_id: int | None = None
    is_retweet: bool = False
    retweeted_screen_name: str | None = None
    quoted_id: int | None = None
    lang: str | None = None
    source: str | None = None
    favorite_count: int | None = None
    retweet_count: int | None = None
    latitude: float | None = None
    longitude: float | None = None
    place_name: str | None = None
    place_country: str | None = None
    retweeted_id: int | None = None
    possibly_sensitive: bool | None = None
    is_deleted: bool = False
    deleted_at: str | None = None
    is_circle: bool = False
    community_id: int | None = None
    edit_initial_id: int | None = None  # first version of an edited tweet, on every version
    is_latest_version: bool = True
    note_tweet_id: int | None = None  # the long post whose full text replaced the truncated one
    # Entities, each with where it is written in `text` (Python string offsets, code points).
    mentions: list[Mention] = field(default_factory=list)
    hashtags: list[Hashtag] = field(default_factory=list)
    urls: list[Link] = field(default_factory=list)
    media: list[MediaRef] = field(default_factory=list)


@dataclass
class Like:
    tweet_id: int
    text: str | None
    url: str | None
    input_file: str


@dataclass
class Withheld:
    """A tweet its source marks private, which the build was not asked to import: privacy
    follows the id, so every record of it, from any source, is left out."""

    tweet_id: int
    kind: str  # "deleted" or "circle": the --include-<kind> option that would import it


@dataclass
class Problem:
    file: str
    line: int
    reason: str
    raw: str = ""
    entry: bool = True  # False for a whole file that could not be read (not one of its entries)


@dataclass
class SourceInfo:
    """What one SOURCE argument turned out to be."""

    name: str
    location: str
    format: str
    precedence: str  # compared as text, higher wins: format rank, then export date
    files: list[str] = field(default_factory=list)
    owner: str | None = None
    owner_id: int | None = None
    owner_name: str | None = None
    exported_at: str | None = None
    entries: int = 0
    # Likes left out (the loader counts the tweets left out: Withheld is a record)
    skipped: dict[str, int] = field(default_factory=dict)
    # An export Twitter made, not a conversion of one: an owner's newest export is compared.
    is_export: bool = False
    # The folder or zip its media paths are relative to (`location` may be a folder inside it).
    tree_location: str = ""
    # The owner's public profile, when the archive has one (etl/profile.py).
    profile: Profile | None = None
    # Tweets manifest.js lists in files an export shared without its tweets file doesn't
    # have: a private build reads such an export for its DMs and accounts, and says so.
    tweets_not_here: int = 0


@dataclass
class Options:
    """What a build reads, as the user chose: every reader gets them."""

    include_deleted: bool = False
    include_circle: bool = False
    include_likes: bool = False
    owner: str | None = None  # the owner's handle, given by the user: overrides the archive's
    # The owner's own database (--private): DMs too, and exports without tweets; marked
    # private inside the file (etl/private_wall.py) so that nothing publishes it.
    private: bool = False

    def __post_init__(self):
        if self.owner is not None:
            self.owner = self.owner.strip().lstrip("@") or None
