"""One tweet object of an official export (API v1.1 shape, every generation) → a Tweet record.

Entities come from the export's own lists, never re-extracted. Numbers may be strings
(2019+ exports) or numbers (Grailbird); ids are parsed as exact integers, never floats.
"""

from __future__ import annotations

import html
import posixpath
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime

from .. import media
from ..dates import parse_twitter_date
from ..records import MediaRef, Tweet, UserRef
from ..sources import Tree

STATUS_URL = re.compile(
    r"^https?://(?:www\.|mobile\.)?(?:twitter|x)\.com/(?:[A-Za-z0-9_]{1,50}|i/web)"
    r"/status(?:es)?/(?P<id>\d{1,20})(?:[/?#].*)?$"
)
ANCHOR_TEXT = re.compile(r"<a\b[^>]*>(?P<name>.*?)</a>", re.S)
# Grailbird's later form: "2013-11-26 08:12:34 +0000"
ISO_SPACE_DATE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d [+-]\d{4}$")


@dataclass
class Context:
    """What the reader knows about the export while converting its tweets."""

    tree: Tree
    owner: UserRef | None
    media_dirs: list[str] = field(default_factory=list)  # where this kind of tweet keeps media
    media_index: dict[str, list[str]] | None = None  # tweet id -> files of <media_dirs>


def as_int(value) -> int | None:
    if value is None or value == "":
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def parse_created_at(value: str) -> str | None:
    if not isinstance(value, str):
        return None
    if ISO_SPACE_DATE.match(value.strip()):
        try:
            return (
                datetime.strptime(value.strip(), "%Y-%m-%d %H:%M:%S %z").astimezone(UTC).isoformat()
            )
        except ValueError:
            return None
    return parse_twitter_date(value)


def client_name(source: str | None) -> str | None:
    """'<a href="…" rel="nofollow">Twitter for Android</a>' → 'Twitter for Android'."""
    if not source:
        return None
    match = ANCHOR_TEXT.search(source)
    name = match["name"] if match else source
    return html.unescape(re.sub(r"<[^>]+>", "", name)).strip() or None


def point(geo: dict | None, lat_first: bool) -> tuple[float, float] | None:
    """(latitude, longitude) of a GeoJSON-ish point, or None. Rejects impossible values."""
    if not isinstance(geo, dict):
        return None
    coords = geo.get("coordinates")
    if not isinstance(coords, list | tuple) or len(coords) != 2:
        return None
    try:
        a, b = float(coords[0]), float(coords[1])
    except (TypeError, ValueError):
        return None
    lat, lon = (a, b) if lat_first else (b, a)
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    return lat, lon


def place_centre(place: dict) -> tuple[float, float] | None:
    box = (place.get("bounding_box") or {}).get("coordinates")
    try:
        corners = [(float(lon), float(lat)) for lon, lat in box[0]]
    except (TypeError, ValueError, IndexError, KeyError):
        return None
    if not corners:
        return None
    lon = sum(c[0] for c in corners) / len(corners)
    lat = sum(c[1] for c in corners) / len(corners)
    return lat, lon


def location(tweet: dict) -> tuple[float | None, float | None, str | None, str | None]:
    """latitude, longitude, place name, place country. `coordinates` is [lon, lat] and
    `geo` is [lat, lon] (both GeoJSON points); a place's bounding-box centre is the fallback."""
    found = point(tweet.get("coordinates"), lat_first=False) or point(
        tweet.get("geo"), lat_first=True
    )
    place = tweet.get("place") if isinstance(tweet.get("place"), dict) else {}
    if found is None and place:
        found = place_centre(place)
    lat, lon = found if found else (None, None)
    return lat, lon, place.get("full_name") or place.get("name"), place.get("country")


def best_variant(item: dict) -> str | None:
    variants = [
        v
        for v in (item.get("video_info") or {}).get("variants") or []
        if v.get("content_type", "video/mp4") == "video/mp4" and v.get("url")
    ]
    if not variants:
        return None
    return max(variants, key=lambda v: as_int(v.get("bitrate")) or 0)["url"]


def media_refs(tweet_id: int, items: list[dict], ctx: Context) -> list[MediaRef]:
    refs = []
    for item in items:
        type_ = (
            item.get("type") if item.get("type") in ("photo", "video", "animated_gif") else "photo"
        )
        remote = item.get("media_url_https") or item.get("media_url")
        if type_ == "photo":
            wanted = [f"{tweet_id}-{posixpath.basename(remote or '')}"]
        else:
            variant = best_variant(item)
            remote = variant or remote
            wanted = [f"{tweet_id}-{posixpath.basename((variant or '').split('?')[0])}"]
        path = find_media(ctx, tweet_id, wanted, type_)
        if path is None:
            filename = wanted[0] if not wanted[0].endswith("-") else None
            refs.append(MediaRef(type=type_, path=None, filename=filename, url=remote))
        else:
            refs.append(media.describe(ctx.tree, path, type_, url=remote))
    return refs


def find_media(ctx: Context, tweet_id: int, wanted: list[str], type_: str) -> str | None:
    for folder in ctx.media_dirs:
        for name in wanted:
            candidate = f"{folder}/{name}" if folder else name
            if ctx.tree.size(candidate) is not None:
                return candidate
    if type_ != "photo" and ctx.media_index is not None:
        # Videos are sometimes saved under another variant's name: any <tweet_id>-*.mp4.
        for path in ctx.media_index.get(str(tweet_id), []):
            if path.lower().endswith((".mp4", ".mov", ".m4v")):
                return path
    return None


def text_of(tweet: dict, media_urls: set[str]) -> str:
    """full_text with t.co links expanded, media links removed, HTML entities decoded."""
    text = tweet.get("full_text") or tweet.get("text") or ""
    for url in (tweet.get("entities") or {}).get("urls") or []:
        short, expanded = url.get("url"), url.get("expanded_url")
        if short and expanded:
            text = text.replace(short, expanded)
    for short in media_urls:
        text = text.replace(short, "")
    return html.unescape(text).strip()


def convert(raw: dict, ctx: Context, input_file: str, input_line: int) -> Tweet:
    """A Tweet from one export tweet object; raises ValueError when it has no id or date."""
    tweet_id = as_int(raw.get("id_str")) or as_int(raw.get("id"))
    created_at = parse_created_at(raw.get("created_at"))
    if tweet_id is None:
        raise ValueError("tweet has no id")
    if created_at is None:
        raise ValueError(f"unreadable created_at {raw.get('created_at')!r}")
    entities = raw.get("entities") or {}
    media_items = (raw.get("extended_entities") or {}).get("media") or entities.get("media") or []
    author = ctx.owner
    if isinstance(raw.get("user"), dict) and raw["user"].get("screen_name"):
        user = raw["user"]
        author = UserRef(
            user["screen_name"], as_int(user.get("id_str") or user.get("id")), user.get("name")
        )
    if author is None:
        raise ValueError("the export names no account for this tweet")
    lat, lon, place_name, place_country = location(raw)
    tweet = Tweet(
        id=tweet_id,
        created_at=created_at,
        text=text_of(raw, {m.get("url") for m in media_items if m.get("url")}),
        author=author,
        url=f"https://twitter.com/{author.screen_name}/status/{tweet_id}",
        input_file=input_file,
        input_line=input_line,
        in_reply_to_id=as_int(
            raw.get("in_reply_to_status_id_str") or raw.get("in_reply_to_status_id")
        ),
        in_reply_to_screen_name=raw.get("in_reply_to_screen_name") or None,
        in_reply_to_user_id=as_int(
            raw.get("in_reply_to_user_id_str") or raw.get("in_reply_to_user_id")
        ),
        lang=raw.get("lang") or None,
        source=client_name(raw.get("source")),
        favorite_count=as_int(raw.get("favorite_count")),
        retweet_count=as_int(raw.get("retweet_count")),
        latitude=lat,
        longitude=lon,
        place_name=place_name,
        place_country=place_country,
        possibly_sensitive=raw.get("possibly_sensitive")
        if isinstance(raw.get("possibly_sensitive"), bool)
        else None,
        mentions=[
            UserRef(m["screen_name"], as_int(m.get("id_str") or m.get("id")), m.get("name") or None)
            for m in entities.get("user_mentions") or []
            if m.get("screen_name")
        ],
        hashtags=[h["text"] for h in entities.get("hashtags") or [] if h.get("text")],
        urls=[u["expanded_url"] for u in entities.get("urls") or [] if u.get("expanded_url")],
        media=media_refs(tweet_id, media_items, ctx),
    )
    if tweet.in_reply_to_user_id is not None and tweet.in_reply_to_user_id < 0:
        tweet.in_reply_to_user_id = None
    quoted = [as_int(m["id"]) for url in tweet.urls if (m := STATUS_URL.match(url))]
    quoted = [q for q in quoted if q and q != tweet_id]
    if quoted:
        tweet.quoted_id = quoted[-1]
    apply_retweet(tweet, raw, ctx)
    apply_edit_info(tweet, raw.get("edit_info"))
    return tweet


def apply_retweet(tweet: Tweet, raw: dict, ctx: Context) -> None:
    original = raw.get("retweeted_status")
    if isinstance(original, dict) and isinstance(original.get("user"), dict):
        # Grailbird keeps the whole original: its text is complete where ours is truncated.
        author = original["user"]
        tweet.is_retweet = True
        tweet.retweeted_screen_name = author.get("screen_name")
        tweet.retweeted_id = as_int(original.get("id_str") or original.get("id"))
        inner = convert(original, ctx, tweet.input_file, tweet.input_line)
        tweet.text = f"RT @{author.get('screen_name')}: {inner.text}"
        known = {m.screen_name.lower() for m in tweet.mentions}
        tweet.mentions += [
            m for m in [inner.author, *inner.mentions] if m.screen_name.lower() not in known
        ]
        tweet.hashtags = tweet.hashtags or inner.hashtags
        tweet.urls = tweet.urls or inner.urls
        tweet.media = tweet.media or inner.media
        tweet.quoted_id = None
        return
    match = re.match(r"^RT @([A-Za-z0-9_]{1,15}):?", tweet.text)
    if match:
        tweet.is_retweet = True
        tweet.retweeted_screen_name = match.group(1)
        tweet.quoted_id = None


def apply_edit_info(tweet: Tweet, edit_info: dict | None) -> None:
    if not isinstance(edit_info, dict):
        return
    if "edit" in edit_info:
        chain = ((edit_info["edit"] or {}).get("editControlInitial") or {}).get(
            "editTweetIds"
        ) or []
        initial = as_int((edit_info["edit"] or {}).get("initialTweetId"))
    else:
        chain = ((edit_info.get("initial") or {}).get("editTweetIds")) or []
        initial = as_int(chain[0]) if chain else None
    ids = [i for i in (as_int(c) for c in chain) if i is not None]
    if len(ids) > 1 and initial is not None:
        tweet.edit_initial_id = initial
        tweet.is_latest_version = tweet.id == max(ids)
