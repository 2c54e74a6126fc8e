"""The owner's profile: name, bio, location, website, join date, time zone, avatar and header,
as the readers find them in an export's side files, and the `profile` and `profile_images`
tables they are stored in.

Only public fields are kept. account.js also holds the e-mail address, phone number, the
client the account was created with and (in some exports) IP addresses: none is ever read
into a Profile, so none can reach the database.
"""

from __future__ import annotations

import posixpath
import re
import unicodedata
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import sqlite_utils

from tweet_site.zones import iana_zone

from .dates import normalise_iso, parse_created_at
from .records import Problem, SourceInfo
from .sources import Tree

# Lengths kept of each text field: Twitter allows 50, 160, 30 and 100 characters; an archive
# could hold anything.
LIMITS = {"name": 100, "bio": 500, "location": 100, "website": 300, "time_zone": 64}
# Profile pictures are small (400×400, a 1500×500 header): a bigger file is not one.
MAX_IMAGE_BYTES = 5 * 1024 * 1024
# The image types a profile picture can be, told by their first bytes (never by a name).
SIGNATURES = (
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
    (b"GIF87a", "image/gif", "gif"),
    (b"GIF89a", "image/gif", "gif"),
)
# The last segment of an avatar or header URL, as profile_media names its file after it.
SEGMENT = re.compile(r"^[A-Za-z0-9_-]{1,100}(?:\.[A-Za-z0-9]{1,5})?$")
PROFILE_MEDIA = "profile_media"
# Characters kept out of every text: controls but the newline (a bio's lines) and tab.
CONTROLS = {c for c in map(chr, range(0x20)) if c not in "\n\t"} | {"\x7f"}


@dataclass
class ProfileImage:
    kind: str  # avatar or header
    path: str  # the file in the archive (relative to its tree): where it was found
    mime_type: str
    extension: str
    content: bytes


@dataclass
class Profile:
    screen_name: str
    user_id: int | None = None
    name: str | None = None
    bio: str | None = None
    location: str | None = None
    website: str | None = None
    joined_at: str | None = None  # ISO 8601 UTC
    time_zone: str | None = None  # as the export names it (a Rails name)
    time_zone_iana: str | None = None
    images: list[ProfileImage] = field(default_factory=list)


def text(value, limit: int) -> str | None:
    """A text field: a string, without control characters, its ends and line breaks tidied,
    cut to `limit` characters; None when empty or not a string."""
    if not isinstance(value, str):
        return None
    value = unicodedata.normalize("NFC", value)
    value = "".join(c for c in value if c not in CONTROLS and not is_unpaired(c))
    value = re.sub(r"\n{3,}", "\n\n", value).strip()
    return value[:limit].rstrip() or None


def is_unpaired(char: str) -> bool:
    return "\ud800" <= char <= "\udfff"


def website(value) -> str | None:
    """An http(s) address (the profile's link), None for anything else."""
    url = text(value, LIMITS["website"])
    if not url or any(c.isspace() for c in url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    return url if parts.scheme.lower() in ("http", "https") and parts.hostname else None


def image_type(content: bytes) -> tuple[str, str] | None:
    """(MIME type, extension) of a JPEG, PNG or GIF by its first bytes; WebP too."""
    for magic, kind, extension in SIGNATURES:
        if content.startswith(magic):
            return kind, extension
    if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return "image/webp", "webp"
    return None


def url_segment(url) -> str | None:
    """The last path segment of an image URL, if it can be a file name of profile_media."""
    if not isinstance(url, str) or len(url) > 1000:
        return None
    try:
        path = urlsplit(url.strip()).path
    except ValueError:
        return None
    segment = path.rstrip("/").rsplit("/", 1)[-1]
    return segment if SEGMENT.match(segment) else None


def find_image(tree: Tree, folder: str, url, kind: str, problems: list[Problem]):
    """The image of profile_media (`folder`, ending in '/') that `url` names: a file directly
    in the folder whose name is the URL's last segment, or `<account id>-<segment>` with or
    without an extension. The URL never becomes a path: it only picks among the folder's
    own files."""
    segment = url_segment(url)
    if segment is None:
        return None
    stem = posixpath.splitext(segment)[0]
    for path in sorted(tree.files()):
        if not path.startswith(folder):
            continue
        name = path[len(folder) :]
        if "/" in name or "\\" in name:
            continue
        base = name.split("-", 1)[1] if "-" in name else name
        if segment not in (name, base) and posixpath.splitext(base)[0] not in (segment, stem):
            continue
        size = tree.size(path)
        if size is None or size > MAX_IMAGE_BYTES:
            problems.append(Problem(path, 0, f"the {kind} is left out: too large", entry=False))
            return None
        content = tree.read_bytes(path, MAX_IMAGE_BYTES + 1)
        found = image_type(content)
        if found is None:
            reason = f"the {kind} is left out: not a JPEG, PNG, GIF or WebP image"
            problems.append(Problem(path, 0, reason, entry=False))
            return None
        return ProfileImage(kind, path, found[0], found[1], content)
    return None


def the_zone(name, path: str, problems: list[Problem]) -> tuple[str | None, str | None]:
    """(the zone's name as written, its IANA key); an unknown name is a problem, and times
    stay in UTC."""
    name = text(name, LIMITS["time_zone"])
    if name is None:
        return None, None
    key = iana_zone(name)
    if key is None:
        problems.append(
            Problem(path, 0, f"unknown time zone {name!r}: times are shown in UTC", entry=False)
        )
    return name, key


def first_object(value, key: str) -> dict:
    """`value[0][key]` of a side file (`[{"profile": {...}}]`), or {}."""
    if isinstance(value, list) and value and isinstance(value[0], dict):
        inner = value[0].get(key)
        return inner if isinstance(inner, dict) else {}
    return {}


def official_profile(
    tree: Tree,
    data: str,
    owner,
    profile_js,
    account_js,
    timezone_js,
    problems: list[Problem],
) -> Profile | None:
    """The profile of an official export (`data`: its data/ folder, ending in '/'), from the
    values of profile.js, account.js and account-timezone.js; None when none names more
    than the owner."""
    profile = first_object(profile_js, "profile")
    account = first_object(account_js, "account")
    description = profile.get("description") if isinstance(profile.get("description"), dict) else {}
    zone_name, zone_key = the_zone(
        first_object(timezone_js, "accountTimezone").get("timeZone"),
        data + "account-timezone.js",
        problems,
    )
    found = Profile(
        screen_name=owner.screen_name,
        user_id=owner.id,
        name=text(owner.name, LIMITS["name"]),
        bio=text(description.get("bio"), LIMITS["bio"]),
        location=text(description.get("location"), LIMITS["location"]),
        website=website(description.get("website")),
        # Only this field of account.js besides the owner's id, handle and name.
        joined_at=normalise_iso(account.get("createdAt")),
        time_zone=zone_name,
        time_zone_iana=zone_key,
    )
    folder = data + PROFILE_MEDIA + "/"
    for kind, key in (("avatar", "avatarMediaUrl"), ("header", "headerMediaUrl")):
        image = find_image(tree, folder, profile.get(key), kind, problems)
        if image:
            found.images.append(image)
    return found if has_content(found) else None


def legacy_profile(user_details, owner) -> Profile | None:
    """The profile of a Grailbird export, from user_details.js (no pictures, no zone)."""
    if not isinstance(user_details, dict) or owner is None:
        return None
    found = Profile(
        screen_name=owner.screen_name,
        user_id=owner.id,
        name=text(owner.name, LIMITS["name"]),
        bio=text(user_details.get("bio"), LIMITS["bio"]),
        location=text(user_details.get("location"), LIMITS["location"]),
        joined_at=parse_created_at(user_details.get("created_at")),
    )
    return found if has_content(found) else None


def has_content(profile: Profile) -> bool:
    return any(
        (profile.bio, profile.location, profile.website, profile.joined_at, profile.time_zone)
    ) or bool(profile.images)


def store(db: sqlite_utils.Database, infos: list[SourceInfo]) -> None:
    """One row per owner: the profile of their best source (`infos` best first)."""
    seen = set()
    for info in infos:
        profile = info.profile
        if profile is None or profile.screen_name.lower() in seen:
            continue
        seen.add(profile.screen_name.lower())
        owner = db.execute(
            "select id from users where screen_name = ? collate nocase and is_owner = 1 "
            "order by id > 0 desc limit 1",
            [profile.screen_name],
        ).fetchone()
        images = {image.kind: image for image in profile.images}
        db["profile"].insert(
            {
                "screen_name": profile.screen_name,
                "user_id": owner[0] if owner else profile.user_id,
                "name": profile.name,
                "bio": profile.bio,
                "location": profile.location,
                "website": profile.website,
                "joined_at": profile.joined_at,
                "time_zone": profile.time_zone,
                "time_zone_iana": profile.time_zone_iana,
                "avatar_path": images["avatar"].path if "avatar" in images else None,
                "header_path": images["header"].path if "header" in images else None,
            }
        )
        for image in profile.images:
            db["profile_images"].insert(
                {
                    "screen_name": profile.screen_name,
                    "kind": image.kind,
                    "mime_type": image.mime_type,
                    "extension": image.extension,
                    "bytes": len(image.content),
                    "content": image.content,
                }
            )


def site_zone(db: sqlite_utils.Database) -> str | None:
    """The zone the site shows times in: the owners' when they name one (all the same one),
    else None (UTC)."""
    if "profile" not in db.table_names():
        return None
    zones = {row[0] for row in db.execute("select time_zone_iana from profile").fetchall()}
    return zones.pop() if len(zones) == 1 else None
