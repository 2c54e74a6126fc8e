"""/media: every photo, video and GIF of the archive as a grid, newest first, each tile linking
to its tweet; static/lightbox.js opens them large over the page. The list, and its .json and
.csv, are tweet_site/lists/media.py's."""

from datasette import hookimpl

from tweet_site import formats
from tweet_site.config import archive_database, archive_or_404
from tweet_site.links import media_url
from tweet_site.lists import media as media_list
from tweet_site.lists.media import TYPES
from tweet_site.pages import archive_features, render_reader_page, with_query
from tweet_site.tweets import readable_time

# Tweets per page: each has one to four media, so a page has at most 96 tiles.
PAGE_TWEETS = 24
LABELS = {"photo": "Photo", "video": "Video", "animated_gif": "GIF"}
ALT_FALLBACK_CHARS = 200


def short_text(text):
    """A tweet's text as alt text for its media when the archive has none: one line, cut at
    a word."""
    text = " ".join((text or "").split())
    if len(text) <= ALT_FALLBACK_CHARS:
        return text
    cut = text[:ALT_FALLBACK_CHARS].rsplit(" ", 1)[0]
    return cut + "…"


def tile(datasette, database, row):
    kind = row["type"] if row["type"] in LABELS else "photo"
    label = LABELS[kind]
    alt = " ".join((row["alt_text"] or "").split())
    return {
        "tweet_url": datasette.urls.row(database, "tweets", str(row["tweet_id"])),
        "src": media_url(datasette, row["tweet_id"], row["position"]) if row["path"] else None,
        "kind": kind,
        "label": label,
        "alt": alt or f"{label}: {short_text(row['text'])}",
        "has_alt": bool(alt),
        "filename": row["filename"],
        "width": row["width"],
        "height": row["height"],
        "when": readable_time(row["created_at"]),
        "date": (row["created_at"] or "")[:10],
        "screen_name": row["screen_name"],
    }


async def missing_files(datasette):
    """How many media the archive's tweets refer to without holding their files."""
    totals = (await archive_features(datasette)).get("totals")
    return totals["media"] - totals["media_files"] if totals else None


async def media_page(datasette, request):
    database = archive_database(datasette)
    db = archive_or_404(datasette)
    kind, with_missing = media_list.wanted(request.args)
    page_size = formats.size(request, PAGE_TWEETS)
    ids, next_cursor = await media_list.tweet_ids(
        datasette, db, request.args, request.args.get("before"), page_size
    )
    query = await media_list.query(db, request.args, ids)
    rows = (await db.execute(query.sql, query.params)).rows if ids else []
    if formats.fmt(request):
        rows = [dict(row) for row in rows]
        return formats.rows_response(
            datasette, request, "media", media_list.COLUMNS, rows, next_cursor
        )
    tiles = [tile(datasette, database, row) for row in rows]
    first_page = not request.args.get("before")
    return await render_reader_page(
        datasette,
        request,
        "reader_media.html",
        {
            "tiles": tiles,
            "kind": kind,
            "types": [
                {
                    "value": value,
                    "label": label,
                    "url": with_query(request, type=value, before=None),
                    "current": value == kind,
                }
                for value, label in [(None, "All"), *TYPES.items()]
            ],
            "heading": TYPES[kind] if kind else "Photos, videos and GIFs",
            "missing": await missing_files(datasette) if not with_missing else None,
            "with_missing": with_missing,
            "missing_url": with_query(request, missing=None if with_missing else "1", before=None),
            "first_page": first_page,
            "next_url": with_query(request, before=next_cursor) if next_cursor else None,
            "newest_url": with_query(request, before=None) if not first_page else None,
            "explore": formats.explore_links(datasette, request, query, None),
        },
    )


@hookimpl
def register_routes():
    return [(rf"^/media{formats.SUFFIX}$", media_page)]
