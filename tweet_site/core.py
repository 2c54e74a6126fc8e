"""What the build (etl/) and the site both need, defined once and imported by both: the range
of ids SQLite stores, which files are media and their types, a tweet's address, the columns
of the facet cube, and the scripts the substring index is for. Standard library only: the
build imports it without loading Datasette."""

import posixpath
import re

# Ids (tweets, accounts) are SQLite integers: signed, 64 bits.
MIN_ID = -(2**63)
MAX_ID = 2**63 - 1

# The only files a tweet's media can be, and the type each is recorded (media.mime_type) and
# served (Content-Type) as: images and videos a browser shows without running anything. The
# build gives no other file a path (.html, .svg, .txt, a DM's attachment), so none is copied
# into a published site or served. No export of Twitter's holds a .webm, so it is no media.
MEDIA_TYPES = {
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".mp4": "video/mp4",
    ".mov": "video/quicktime",
    ".m4v": "video/mp4",
}
VIDEO_EXTENSIONS = tuple(ext for ext, kind in MEDIA_TYPES.items() if kind.startswith("video/"))


def mime_type(path: str) -> str | None:
    """The type of the media file `path` by its extension; None for a file that is no media."""
    return MEDIA_TYPES.get(posixpath.splitext(path)[1].lower())


# A tweet's address on twitter.com or x.com, in text or at the start of a link: any case,
# http, https or no scheme, www., mobile. or m., the old #!/ form, the account's name (or
# i/web or i, which name none), status or statuses. Not inside another address or host name
# (netflix.com/name/status/1, example.com/x.com/name/status/1), nor followed by more of a word.
STATUS_URL = re.compile(
    r"(?<![A-Za-z0-9_.@/-])(?:https?://)?(?:(?:www|mobile|m)\.)?(?:twitter|x)\.com/(?:#!/)?"
    r"(?P<name>[A-Za-z0-9_]{1,50}|i/web|i)/status(?:es)?/(?P<id>[0-9]{1,20})(?!\w)",
    re.IGNORECASE,
)


def status_link(url: str | None) -> re.Match | None:
    """STATUS_URL's match when `url` is a tweet's address as a whole (with at most a path,
    query or fragment after the id), else None."""
    match = STATUS_URL.match(url or "")
    if match and (match.end() == len(url) or url[match.end()] in "/?#"):
        return match
    return None


def status_author(match: re.Match) -> str | None:
    """The account a STATUS_URL match names, as written; None for i/web and i."""
    return None if match["name"].lower() in ("i", "i/web") else match["name"]


# The value each facet of the tweets table shows, read from the columns of the facet_cube
# summary table the build writes (etl/summaries.py; hooks/facets.py reads it).
CUBE_EXPRESSIONS = {
    "year": "substr(month, 1, 4)",
    "month": "month",
    "kind": "kind",
    "source": "source",
    "lang": "lang",
    "has_media": "has_media",
}

# Scripts written without spaces between words (kana, CJK, Hangul, Thai), as the ranges of
# a regex character class: FTS5's unicode61 keeps a whole run of them as one token, so the
# substring index holds each tweet's runs of them (and of symbols), MIN_RUN or more long, and
# the search parser looks a term of them up there.
NO_SPACE_SCRIPTS = (
    "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f"
    "\u31f0-\u31ff\uac00-\ud7af\u0e00-\u0e7f\u1100-\u11ff"
)
MIN_RUN = 3
