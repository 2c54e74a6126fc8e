"""The owner's profile header (home and the owner's account page), their pictures at
/-/media/profile/<screen_name>/<kind>.<extension>, and the time zone every page dates tweets
in: the one the build counted the hour heatmap in (archive_totals.time_zone)."""

import re
import weakref
from datetime import datetime

from datasette import NotFound, Response, hookimpl
from markupsafe import Markup

from tweet_site.config import archive_database, archive_or_404
from tweet_site.ids import parse_id
from tweet_site.pages import archive_features
from tweet_site.text import Links, render_text, user_path
from tweet_site.tweets import TIME_ZONE
from tweet_site.zones import zone, zone_label

# A profile's link or @name in its bio, linked as a tweet's would be.
BIO_LINKS = re.compile(
    r"(?P<url>https?://[^\s<>\"]{1,300})|(?<![\w@])@(?P<name>[A-Za-z0-9_]{1,15})"
)
IMAGE_ROUTE = (
    r"^/-/media/profile/(?P<screen_name>[A-Za-z0-9_]{1,50})"
    r"/(?P<kind>avatar|header)\.(?P<extension>jpg|png|gif|webp)$"
)
PROFILE_SQL = """
select
  profile.screen_name,
  profile.user_id,
  profile.name,
  profile.bio,
  profile.location,
  profile.website,
  profile.joined_at,
  profile.time_zone_iana,
  (select extension from profile_images
   where profile_images.screen_name = profile.screen_name and kind = 'avatar') as avatar,
  (select extension from profile_images
   where profile_images.screen_name = profile.screen_name and kind = 'header') as header
from profile
order by profile.screen_name
"""
# The profiles of a Datasette's archive, read once: the archive is served immutable.
_profiles = weakref.WeakKeyDictionary()


async def site_zone(datasette):
    """The IANA zone of the archive's times, None for UTC."""
    totals = (await archive_features(datasette)).get("totals") or {}
    key = totals.get("time_zone")
    return key if zone(key) is not None else None


def bio_html(datasette, bio):
    """The bio escaped, its web links and @names linked (rel nofollow, as a tweet's)."""
    if not bio:
        return Markup("")
    entities = []
    for match in BIO_LINKS.finditer(bio):
        if match["url"]:
            url = match["url"].rstrip(".,;:!?)")
            entities.append((match.start(), match.start() + len(url), "url", url))
        else:
            entities.append((match.start(), match.end(), "mention", match["name"]))
    links = Links(user=lambda name: datasette.urls.path(user_path(name)))
    return render_text(bio, entities, links=links)


def joined(value):
    """'2011-03-14T09:26:53+00:00' -> 'Joined March 2011'."""
    try:
        moment = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return None
    return f"Joined {moment:%B %Y}"


def website_label(url):
    """What a profile's link shows: the address without its scheme, cut at 40 characters."""
    shown = re.sub(r"^https?://(?:www\.)?", "", url or "", flags=re.I).rstrip("/")
    return shown if len(shown) <= 40 else shown[:39] + "…"


async def profiles(datasette):
    if datasette in _profiles:
        return _profiles[datasette]
    db = datasette.databases.get(archive_database(datasette))
    found = []
    if db is not None and await db.table_exists("profile"):
        found = [dict(row) for row in (await db.execute(PROFILE_SQL)).rows]
    _profiles[datasette] = found
    return found


async def profile_view(datasette, row):
    """A profile as the header shows it."""
    base = f"/-/media/profile/{row['screen_name']}/"
    return {
        **row,
        "bio_html": bio_html(datasette, row["bio"]),
        "joined": joined(row["joined_at"]),
        "website_label": website_label(row["website"]),
        "avatar_url": datasette.urls.path(f"{base}avatar.{row['avatar']}")
        if row["avatar"]
        else None,
        "header_url": datasette.urls.path(f"{base}header.{row['header']}")
        if row["header"]
        else None,
        "user_url": datasette.urls.path(user_path(row["screen_name"])),
        "zone_label": zone_label(await site_zone(datasette)),
    }


@hookimpl
def extra_css_urls(template, datasette):
    if template in ("index.html", "row-archive-users.html"):
        return [datasette.urls.path("/static/profile.css")]
    return []


@hookimpl
def extra_template_vars(template, datasette, request):
    if template not in ("index.html", "row-archive-users.html"):
        return {}

    async def page_vars():
        found = await profiles(datasette)
        if template == "row-archive-users.html":
            pk = parse_id((request.url_vars or {}).get("pk") or "") if request else None
            found = [p for p in found if pk is not None and p["user_id"] == pk]
        return {
            "owner_profile": await profile_view(datasette, found[0]) if found else None,
            "time_zone_label": zone_label(await site_zone(datasette)),
        }

    return page_vars


async def serve_image(datasette, request):
    db = archive_or_404(datasette)
    if not await db.table_exists("profile_images"):
        raise NotFound("No such picture")
    rows = (
        await db.execute(
            "select mime_type, content from profile_images "
            "where screen_name = :screen_name and kind = :kind and extension = :extension",
            dict(request.url_vars),
        )
    ).rows
    if not rows or not isinstance(rows[0]["content"], bytes):
        raise NotFound("No such picture")
    return Response(
        rows[0]["content"],
        content_type=rows[0]["mime_type"],
        headers={
            "cache-control": "public, max-age=604800",
            "x-content-type-options": "nosniff",
            "content-security-policy": "default-src 'none'; sandbox",
        },
    )


@hookimpl
def register_routes():
    return [(IMAGE_ROUTE, serve_image)]


@hookimpl
def asgi_wrapper(datasette):
    # Every page's dates in the archive's zone (tweet_site/tweets.py: readable_time), without
    # each page passing it along: set for the request, seen by everything it awaits.
    def wrap(app):
        async def in_zone(scope, receive, send):
            key = None
            if scope.get("type") == "http" and archive_database(datasette) in datasette.databases:
                key = await site_zone(datasette)
            token = TIME_ZONE.set(key)
            try:
                await app(scope, receive, send)
            finally:
                TIME_ZONE.reset(token)

        return in_zone

    return wrap
