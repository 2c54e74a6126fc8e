"""/media: every photo, video and GIF of the archive as a grid, newest first, each tile linking
to its tweet; static/lightbox.js opens them large over the page."""

from datasette import hookimpl

from tweet_site.config import archive_database, archive_or_404
from tweet_site.links import media_url
from tweet_site.listing import explorer_links
from tweet_site.pages import (
    archive_features,
    keyset_ids,
    render_reader_page,
    with_query,
)
from tweet_site.tweets import readable_time

# Tweets per page: each has one to four media, so a page has at most 96 tiles.
PAGE_TWEETS = 24
TYPES = {"photo": "Photos", "video": "Videos", "animated_gif": "GIFs"}
LABELS = {"photo": "Photo", "video": "Video", "animated_gif": "GIF"}
ALT_FALLBACK_CHARS = 200
# Below this share of tweets with media, walking the tweets newest first to find a page's
# media tweets reads too many of them (an archive with none would read every tweet): the
# media tweets are then found from the media table and sorted, as there are few of them.
SPARSE = 1 / 50
COUNT_CACHE = {}
MEDIA_SQL = """
select
  media.tweet_id, media.position, media.type, media.path, media.filename,
  media.width, media.height, {alt} as alt_text,
  tweets.created_at, tweets.text, users.screen_name
from media
join tweets on tweets.id = media.tweet_id
left join users on users.id = tweets.user_id
where media.tweet_id in ({marks}){type_filter}{present_filter}
order by tweets.created_at desc, tweets.id desc, media.position
"""
# What explorers get from "as JSON / CSV / SQL": the same media, newest first.
EXPLORE_SQL = """select
  media.tweet_id,
  media.position,
  media.type,
  media.path,
  tweets.created_at,
  tweets.text
from media
join tweets on tweets.id = media.tweet_id
where tweets.is_latest_version = 1{type_filter}
order by tweets.created_at desc, tweets.id desc, media.position
limit 100"""


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


def explore_links(datasette, kind):
    type_filter = f"\n  and media.type = '{kind}'" if kind else ""
    return explorer_links(datasette, "sql", sql=EXPLORE_SQL.format(type_filter=type_filter))


async def cached(datasette, db, key, sql, params=()):
    """The first value of a counting query, remembered for a database that cannot change."""
    key = (id(datasette), db.name, *key)
    if key not in COUNT_CACHE:
        value = (await db.execute(sql, params)).rows[0][0]
        if not db.is_mutable:
            COUNT_CACHE[key] = value
        return value
    return COUNT_CACHE[key]


def media_conditions(kind, present, params):
    """SQL conditions on `media` for the type asked for and, unless missing files are asked
    for too, for files the archive holds."""
    conditions = []
    if kind:
        conditions.append("media.type = :type")
        params["type"] = kind
    if present:
        conditions.append("media.path is not null")
    return conditions


async def is_sparse(datasette, db, kind, present=False):
    """Do fewer than one tweet in 50 have media (of this kind, with files in the archive when
    `present`)? None when none have."""
    if kind or present:
        params = {}
        where = " and ".join(media_conditions(kind, present, params))
        sql = f"select count(distinct tweet_id) from media where {where}"
    elif await db.table_exists("archive_totals"):
        sql, params = "select tweets_with_media from archive_totals", []
    else:
        sql, params = "select count(*) from tweets where media_count > 0", []
    count = await cached(datasette, db, ("media", kind, present), sql, params)
    if not count:
        return None
    # Counts at most the tweets that would make it dense.
    limit = int(count / SPARSE)
    sql = f"select count(*) > {limit - 1} from (select 1 from tweets limit {limit})"
    return bool(await cached(datasette, db, ("sparse", kind, present), sql))


async def media_tweet_ids(datasette, db, kind, cursor, present=True):
    """A page of the tweets with media (of this kind; with files in the archive when
    `present`), newest first, after `cursor` (keyset pagination on (created_at, id), latest
    versions only); and the next page's cursor."""
    sparse = await is_sparse(datasette, db, kind, present)
    if sparse is None:
        return [], None
    params = {}
    conditions = media_conditions(kind, present, params)
    if sparse:
        # Few media tweets: looked up through the media table and sorted.
        where = (
            "tweets.id in (select tweet_id from media"
            + (" where " + " and ".join(conditions) if conditions else "")
            + ")"
        )
    else:
        where = "tweets.media_count > 0"
        if conditions:
            # Asked of each tweet walked (an `in` list would first collect every match).
            where += (
                " and exists (select 1 from media "
                f"where media.tweet_id = tweets.id and {' and '.join(conditions)})"
            )
    return await keyset_ids(db, where, params, cursor, size=PAGE_TWEETS, few=sparse)


async def missing_files(datasette):
    """How many media the archive's tweets refer to without holding their files."""
    totals = (await archive_features(datasette)).get("totals")
    return totals["media"] - totals["media_files"] if totals else None


async def media_page(datasette, request):
    database = archive_database(datasette)
    db = archive_or_404(datasette)
    kind = request.args.get("type")
    if kind not in TYPES:
        kind = None
    # Files the archive holds, unless asked for the missing ones too: a published archive
    # often lacks most of its media, and a page of placeholders shows a reader nothing.
    with_missing = request.args.get("missing") == "1"
    ids, next_cursor = await media_tweet_ids(
        datasette, db, kind, request.args.get("before"), present=not with_missing
    )
    tiles = []
    if ids:
        columns = await db.table_columns("media")
        sql = MEDIA_SQL.format(
            alt="media.alt_text" if "alt_text" in columns else "null",
            marks=", ".join("?" for _ in ids),
            type_filter=" and media.type = ?" if kind else "",
            present_filter="" if with_missing else " and media.path is not null",
        )
        rows = (await db.execute(sql, [*ids, kind] if kind else ids)).rows
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
            "explore": explore_links(datasette, kind),
        },
    )


@hookimpl
def register_routes():
    return [(r"^/media$", media_page)]
