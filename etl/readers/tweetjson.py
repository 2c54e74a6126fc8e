"""One tweet object of an official export (API v1.1 shape, every generation) → a Tweet record.

Entities come from the export's own lists, never re-extracted. Numbers may be strings
(2019+ exports) or numbers (Grailbird); ids are parsed as exact integers, never floats.
"""

from __future__ import annotations

import html
import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from tweet_site.core import status_link

from .. import media
from ..dates import parse_created_at
from ..jsfiles import UNREADABLE_IN_A_ROW
from ..offsets import fill_in, relocate
from ..records import MAX_ID, Hashtag, Link, MediaRef, Mention, Problem, Tweet, UserRef, valid_id
from ..sources import Tree
from . import textmap

# Classes stop at the next `<`, so a hostile `source` is scanned once, not once per `<a`.
ANCHOR_TEXT = re.compile(r"<a\b[^<>]*>(?P<name>(?:[^<]|<(?!/?a\b))*)</a>")
TAG = re.compile(r"<[^<>]+>")
# More than any tweet has (4 photos or 1 video; about 12 links fit in 280 characters): the
# rest of a damaged item's lists would only cost time (each link is replaced in the text).
MAX_ENTITIES = 100
MAX_ALT_TEXT = 5000  # X allows 1,000 characters; a hostile file is cut, not stored whole


@dataclass
class Context:
    """What the reader knows about the export while converting its tweets."""

    tree: Tree
    owner: UserRef | None
    media_dirs: list[str] = field(default_factory=list)  # where this kind of tweet keeps media
    media_index: dict[str, list[str]] | None = None  # tweet id -> files of <media_dirs>
    problems: list[Problem] = field(default_factory=list)  # media files refused, by tweet


# What a damaged tweet object can raise while being read: it becomes a problem row.
UNREADABLE = (
    ValueError,
    TypeError,
    KeyError,
    AttributeError,
    IndexError,
    OverflowError,
    RecursionError,
)


def shown(raw) -> str:
    """The start of an item, for a problem row (repr itself recurses through a deep item)."""
    try:
        return repr(raw)[:2000]
    except RecursionError:
        return "(nested too deeply to show)"


def as_int(value) -> int | None:
    """An integer SQLite can store, from a number or a string of digits; else None."""
    if value is None or value == "":
        return None
    try:
        number = int(value)
    except (TypeError, ValueError, OverflowError):
        return None
    return number if -MAX_ID - 1 <= number <= MAX_ID else None


def as_id(value) -> int | None:
    """A tweet or user id: a positive integer SQLite can store; else None."""
    number = as_int(value)
    return number if valid_id(number) else None


def obj(value) -> dict:
    """A JSON object where one is expected; a damaged file may hold anything there."""
    return value if isinstance(value, dict) else {}


def array(value) -> list:
    return value if isinstance(value, list) else []


def string(value) -> str | None:
    return value if isinstance(value, str) and value else None


def client_name(source: str | None) -> str | None:
    """'<a href="…" rel="nofollow">Twitter for Android</a>' → 'Twitter for Android'."""
    if not source:
        return None
    match = ANCHOR_TEXT.search(source)
    name = match["name"] if match else source
    return html.unescape(TAG.sub("", name)).strip() or None


def point(geo: dict | None, lat_first: bool) -> tuple[float, float] | None:
    """(latitude, longitude) of a GeoJSON-ish point, or None. Rejects impossible values."""
    if not isinstance(geo, dict):
        return None
    coords = geo.get("coordinates")
    if not isinstance(coords, list | tuple) or len(coords) != 2:
        return None
    try:
        a, b = float(coords[0]), float(coords[1])
    except (TypeError, ValueError, OverflowError):
        return None
    lat, lon = (a, b) if lat_first else (b, a)
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    return lat, lon


def place_centre(place: dict) -> tuple[float, float] | None:
    box = obj(place.get("bounding_box")).get("coordinates")
    try:
        corners = [(float(lon), float(lat)) for lon, lat in box[0]]
    except (TypeError, ValueError, IndexError, KeyError, OverflowError):
        return None
    if not corners:
        return None
    lon = sum(c[0] for c in corners) / len(corners)
    lat = sum(c[1] for c in corners) / len(corners)
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
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
    name = string(place.get("full_name")) or string(place.get("name"))
    return lat, lon, name, string(place.get("country"))


def best_variant(item: dict) -> str | None:
    variants = [
        v
        for v in array(obj(item.get("video_info")).get("variants"))
        if isinstance(v, dict)
        and v.get("content_type", "video/mp4") == "video/mp4"
        and isinstance(v.get("url"), str)
    ]
    if not variants:
        return None
    return max(variants, key=lambda v: as_int(v.get("bitrate")) or 0)["url"]


def media_refs(tweet_id: int, items: list, ctx: Context, where: tuple[str, int]) -> list[MediaRef]:
    refs = []
    for item in items:
        if not isinstance(item, dict):
            continue
        type_ = (
            item.get("type") if item.get("type") in ("photo", "video", "animated_gif") else "photo"
        )
        remote = string(item.get("media_url_https")) or string(item.get("media_url"))
        if type_ == "photo":
            wanted = [f"{tweet_id}-{posixpath.basename(remote or '')}"]
        else:
            variant = best_variant(item)
            remote = variant or remote
            wanted = [f"{tweet_id}-{posixpath.basename((variant or '').split('?')[0])}"]
        path = find_media(ctx, tweet_id, wanted, type_, where)
        if path is None:
            filename = wanted[0] if not wanted[0].endswith("-") else None
            refs.append(MediaRef(type=type_, path=None, filename=filename, url=remote))
        else:
            refs.append(media.describe(ctx.tree, path, type_, url=remote))
        refs[-1].alt_text = alt_text(item)
    return refs


def alt_text(item: dict) -> str | None:
    """The description the author wrote for an image (`ext_alt_text`), blank ones dropped."""
    text = (string(item.get("ext_alt_text")) or "").strip()
    return text[:MAX_ALT_TEXT] or None


def find_media(
    ctx: Context, tweet_id: int, wanted: list[str], type_: str, where: tuple[str, int]
) -> str | None:
    for folder in ctx.media_dirs:
        for name in wanted:
            candidate = ctx.tree.find(f"{folder}/{name}" if folder else name)
            if candidate is not None:
                if not media.is_media_file(candidate):
                    reason = f"media file {candidate!r} refused: {media.REFUSED_TYPE}"
                    ctx.problems.append(Problem(*where, reason, entry=False))
                    return None
                return candidate
    if type_ != "photo" and ctx.media_index is not None:
        # Videos are sometimes saved under another variant's name: any <tweet_id>-*.mp4.
        for path in ctx.media_index.get(str(tweet_id), []):
            if path.lower().endswith((".mp4", ".mov", ".m4v")):
                return path
    return None


def source_text(tweet: dict) -> str:
    return string(tweet.get("full_text")) or string(tweet.get("text")) or ""


def swaps_of(tweet: dict, media_urls: set[str]) -> list[textmap.Swap]:
    """The tweet's t.co links with their expansions, then its media links, to cut."""
    swaps = []
    for url in array(obj(tweet.get("entities")).get("urls"))[:MAX_ENTITIES]:
        short, expanded = string(obj(url).get("url")), string(obj(url).get("expanded_url"))
        if short and expanded:
            swaps.append((short, expanded))
    return swaps + [(short, "") for short in media_urls]


def text_of(tweet: dict, media_urls: set[str]) -> str:
    """full_text with t.co links expanded, media links removed, HTML entities decoded."""
    return textmap.changed(source_text(tweet), swaps_of(tweet, media_urls)).strip()


def said_span(entity: dict) -> tuple[int, int] | None:
    """An entity's `indices` [start, end], when they are two numbers in order."""
    indices = array(entity.get("indices"))
    if len(indices) != 2:
        return None
    start, end = as_int(indices[0]), as_int(indices[1])
    return (start, end) if start is not None and end is not None and 0 <= start < end else None


def entity_refs(
    raw: dict, source: str, swaps: list[textmap.Swap], full: str
) -> tuple[list[Mention], list[Hashtag], list[Link]]:
    """The tweet's entities, each at the offsets its `indices` give in the stored text,
    full.strip() (checked and, where they miss, corrected by convert's relocate)."""
    entities = obj(raw.get("entities"))
    mentions = [
        m
        for m in array(entities.get("user_mentions"))
        if isinstance(m, dict) and string(m.get("screen_name"))
    ]
    hashtags = [h for h in array(entities.get("hashtags")) if string(obj(h).get("text"))]
    urls = [u for u in array(entities.get("urls")) if string(obj(u).get("expanded_url"))]
    said = [said_span(item) for item in (*mentions, *hashtags, *urls)]
    where = textmap.offsets_in(source, swaps, full, [o for span in said if span for o in span])
    spans = iter([(where.get(s[0]), where.get(s[1])) if s else (None, None) for s in said])
    return (
        [
            Mention(
                m["screen_name"],
                as_id(m.get("id_str") or m.get("id")),
                string(m.get("name")),
                *next(spans),
            )
            for m in mentions
        ],
        [Hashtag(h["text"], *next(spans)) for h in hashtags],
        [Link(u["expanded_url"], *next(spans)) for u in urls],
    )


GIVEN_UP = object()  # the raw item of converted()'s last tuple when it gives up on a file


def converted(
    items: Iterator[tuple[int, object]], ctx: Context, path: str
) -> Iterator[tuple[int, object, Tweet | Problem]]:
    """(position, raw, Tweet or Problem) for each item of a tweet file. A file whose items
    fail UNREADABLE_IN_A_ROW times in a row holds no tweets: the rest is left unread, and a
    last (position, GIVEN_UP, Problem) says so."""
    failed = 0
    for position, raw in items:
        try:
            tweet = convert(raw, ctx, path, position)
            failed = 0
        except UNREADABLE as e:
            tweet = Problem(path, position, f"tweet #{position}: {e}", shown(raw))
            failed += 1
        yield position, raw, tweet
        if failed >= UNREADABLE_IN_A_ROW:
            items.close()
            reason = (
                f"tweets #{position - failed + 1} to #{position} are all unreadable: "
                "the rest of the file is not read"
            )
            yield position, GIVEN_UP, Problem(path, position, reason, entry=False)
            return


def tweet_id_of(raw: dict) -> int:
    given = raw.get("id_str") or raw.get("id")
    tweet_id = as_id(given)
    if tweet_id is None:
        if given is None or given == "":
            raise ValueError("tweet has no id")
        raise ValueError(f"tweet id {str(given)[:40]!r} is not a number from 1 to 2^63-1")
    return tweet_id


def convert(
    raw: dict, ctx: Context, input_file: str, input_line: int, retweet: bool = True
) -> Tweet:
    """A Tweet from one export tweet object; raises ValueError when it has no id or date.

    `retweet=False` reads a retweet's original without looking for a retweet inside it:
    Twitter never nests them, and a damaged file that does must not recurse without end.
    """
    if not isinstance(raw, dict):
        raise ValueError(f"a {type(raw).__name__} where a tweet object should be")
    tweet_id = tweet_id_of(raw)
    created_at = parse_created_at(raw.get("created_at"))
    if created_at is None:
        raise ValueError(f"unreadable created_at {str(raw.get('created_at'))[:100]!r}")
    entities = obj(raw.get("entities"))
    media_items = (
        array(obj(raw.get("extended_entities")).get("media")) or array(entities.get("media"))
    )[:MAX_ENTITIES]
    author = ctx.owner
    user = obj(raw.get("user"))
    if string(user.get("screen_name")):
        author = UserRef(
            user["screen_name"],
            as_id(user.get("id_str") or user.get("id")),
            string(user.get("name")),
        )
    if author is None:
        raise ValueError("the export names no account for this tweet")
    lat, lon, place_name, place_country = location(raw)
    media_urls = {u for m in media_items if (u := string(obj(m).get("url")))}
    source, swaps = source_text(raw), swaps_of(raw, media_urls)
    full = textmap.changed(source, swaps)
    mentions, hashtags, urls = entity_refs(raw, source, swaps, full)
    tweet = Tweet(
        id=tweet_id,
        created_at=created_at,
        text=full.strip(),
        author=author,
        url=f"https://twitter.com/{author.screen_name}/status/{tweet_id}",
        input_file=input_file,
        input_line=input_line,
        in_reply_to_id=as_id(
            raw.get("in_reply_to_status_id_str") or raw.get("in_reply_to_status_id")
        ),
        in_reply_to_screen_name=string(raw.get("in_reply_to_screen_name")),
        in_reply_to_user_id=as_id(
            raw.get("in_reply_to_user_id_str") or raw.get("in_reply_to_user_id")
        ),
        lang=string(raw.get("lang")),
        source=client_name(string(raw.get("source"))),
        favorite_count=as_int(raw.get("favorite_count")),
        retweet_count=as_int(raw.get("retweet_count")),
        latitude=lat,
        longitude=lon,
        place_name=place_name,
        place_country=place_country,
        possibly_sensitive=raw.get("possibly_sensitive")
        if isinstance(raw.get("possibly_sensitive"), bool)
        else None,
        mentions=mentions,
        hashtags=hashtags,
        urls=urls,
        media=media_refs(tweet_id, media_items, ctx, (input_file, input_line)),
    )
    quoted = [as_id(m["id"]) for link in tweet.urls if (m := status_link(link.url))]
    quoted = [q for q in quoted if q and q != tweet_id]
    if quoted:
        tweet.quoted_id = quoted[-1]
    if retweet:
        apply_retweet(tweet, raw, ctx)
    apply_edit_info(tweet, raw.get("edit_info"))
    relocate(tweet)
    if retweet:  # (a retweet's original: its text and entities are the retweet's, filled then)
        fill_in(tweet)
    return tweet


def apply_retweet(tweet: Tweet, raw: dict, ctx: Context) -> None:
    original = raw.get("retweeted_status")
    author = obj(obj(original).get("user"))
    if author and string(author.get("screen_name")):
        # Grailbird keeps the whole original: its text is complete where ours is truncated.
        tweet.is_retweet = True
        tweet.retweeted_screen_name = author["screen_name"]
        tweet.retweeted_id = as_id(original.get("id_str") or original.get("id"))
        inner = convert(original, ctx, tweet.input_file, tweet.input_line, retweet=False)
        name = author["screen_name"]
        prefix = f"RT @{name}: "
        tweet.text = prefix + inner.text
        for entity in (*inner.mentions, *inner.hashtags, *inner.urls):
            if entity.start is not None:
                entity.start += len(prefix)
                entity.end += len(prefix)
        retweeted = Mention(name, inner.author.id, inner.author.name, 3, 4 + len(name))
        known = {m.screen_name.lower() for m in tweet.mentions}
        tweet.mentions += [
            m for m in [retweeted, *inner.mentions] if m.screen_name.lower() not in known
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
        tweet.retweeted_id = retweeted_media_status(raw, match.group(1))
        tweet.quoted_id = None


def retweeted_media_status(raw: dict, name: str) -> int | None:
    """The retweeted tweet's id where a 2019+ export, which drops `retweeted_status`, still
    holds it: a retweeted photo or video links to the tweet of its author that posted it."""
    items = array(obj(raw.get("extended_entities")).get("media")) or array(
        obj(raw.get("entities")).get("media")
    )
    for item in items[:MAX_ENTITIES]:
        url = string(obj(item).get("expanded_url")) or ""
        status = status_link(url)
        if status and status["name"].lower() == name.lower():
            return as_id(status["id"])
    return None


def apply_edit_info(tweet: Tweet, edit_info: dict | None) -> None:
    if not isinstance(edit_info, dict):
        return
    if "edit" in edit_info:
        edit = obj(edit_info["edit"])
        chain = array(obj(edit.get("editControlInitial")).get("editTweetIds"))
        initial = as_id(edit.get("initialTweetId"))
    else:
        chain = array(obj(edit_info.get("initial")).get("editTweetIds"))
        initial = as_id(chain[0]) if chain else None
    ids = [i for i in (as_id(c) for c in chain) if i is not None]
    if len(ids) > 1 and initial is not None:
        tweet.edit_initial_id = initial
        tweet.is_latest_version = tweet.id == max(ids)
