"""What every reader page shares: rendering with the site's templates, keyset pagination
over (created_at, id), and the rule that lists show an edited tweet's latest version only."""

import re
import urllib.parse
import weakref

from datasette import Response

from tweet_site.config import archive_database, config
from tweet_site.ids import parse_id

PAGE_SIZE = 50
# Superseded versions of an edited tweet stay reachable from the latest one's page, but no
# list, count or search shows them.
LATEST_ONLY = "tweets.is_latest_version = 1"
_CURSOR = re.compile(
    r"(?P<at>[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}[^~]{0,12})~(?P<id>-?[0-9]{1,20})"
)
_COUNT_CURSOR = re.compile(r"(?P<count>[0-9]{1,20})~(?P<id>-?[0-9]{1,20})")


def encode_cursor(created_at: str, tweet_id: int) -> str:
    return f"{created_at}~{int(tweet_id)}"


def decode_cursor(text: str | None):
    """(created_at, id) from a cursor a page made, or None for anything else, an id outside
    SQLite's range included: the page then starts from the first."""
    match = _CURSOR.fullmatch(text or "")
    tweet_id = parse_id(match["id"]) if match else None
    return None if tweet_id is None else (match["at"], tweet_id)


def encode_count_cursor(count: int, tweet_id: int) -> str:
    return f"{int(count)}~{int(tweet_id)}"


def decode_count_cursor(text: str | None):
    """(count, id) from a cursor of a list ordered by a count (most liked), or None, like
    decode_cursor."""
    match = _COUNT_CURSOR.fullmatch(text or "")
    count, tweet_id = (parse_id(match["count"]), parse_id(match["id"])) if match else (None, None)
    return None if count is None or tweet_id is None else (count, tweet_id)


async def dated_rows(db, where_sql: str, bound: dict, at: str, direction: str):
    """(id, created_at) of the tweets `where_sql` keeps, in date order, :_size of them."""
    sql = (
        "select tweets.id, tweets.created_at from tweets\n"
        f"where {where_sql}\n"
        f"order by {at} {direction}, tweets.id {direction}\n"
        "limit :_size"
    )
    return (await db.execute(sql, bound)).rows


async def keyset_ids(
    db,
    where: str,
    params: dict,
    cursor: str | None,
    size: int = PAGE_SIZE,
    oldest_first: bool = False,
    few: bool = False,
):
    """One page of tweet ids matching `where` (SQL over `tweets`, parameters bound), newest
    first unless `oldest_first`, after `cursor`; and the cursor of the next page or None.
    Page 50 costs what page 1 does: it starts from the index, not from an OFFSET.

    `few`: the matches are few next to the whole archive (one hashtag's tweets, the quotes),
    so SQLite should find them through the index `where` names and sort them, rather than
    walk every tweet in date order looking for them."""
    after = decode_cursor(cursor)
    direction, compare = ("asc", ">") if oldest_first else ("desc", "<")
    # A unary + keeps SQLite from using the date index (for the order or the cursor).
    at = "+tweets.created_at" if few else "tweets.created_at"
    clauses = [f"({where})", LATEST_ONLY]
    bound = dict(params, _size=size + 1)
    if after:
        clauses.append(f"({at}, tweets.id) {compare} (:_after_at, :_after_id)")
        bound.update(_after_at=after[0], _after_id=after[1])
    rows = await dated_rows(db, " and ".join(clauses), bound, at, direction)
    more = len(rows) > size
    rows = rows[:size]
    next_cursor = encode_cursor(rows[-1]["created_at"], rows[-1]["id"]) if more else None
    return [row["id"] for row in rows], next_cursor


# A page says where it is in its list ("51–100 of 1,218") when counting the tweets before
# it reads at most this many index entries; beyond, it says nothing.
POSITION_LIMIT = 10_000


async def keyset_before(
    db,
    where: str,
    params: dict,
    cursor: str | None,
    size: int = PAGE_SIZE,
    oldest_first: bool = False,
    few: bool = False,
):
    """What precedes the page keyset_ids gives for `cursor` (same arguments): the previous
    page's cursor ('' when it is the first page, None on the first page itself), and how
    many tweets come before this page (None past POSITION_LIMIT). Pages start every `size`
    tweets from the first, so the previous page's cursor is the one its own predecessor's
    Next link made: the same address, and in a static copy the same file."""
    at_cursor = decode_cursor(cursor)
    if not at_cursor:
        return None, 0
    direction, compare = ("desc", "<=") if oldest_first else ("asc", ">=")
    at = "+tweets.created_at" if few else "tweets.created_at"
    where_sql = f"({where}) and {LATEST_ONLY}\n  and ({at}, tweets.id) {compare} (:_at, :_id)"
    bound = dict(params, _at=at_cursor[0], _id=at_cursor[1])
    rows = await dated_rows(db, where_sql, dict(bound, _size=size + 1), at, direction)
    previous = encode_cursor(rows[size]["created_at"], rows[size]["id"]) if len(rows) > size else ""
    counted = (
        await db.execute(
            f"select count(*) from (select 1 from tweets where {where_sql} limit :_limit)",
            dict(bound, _limit=POSITION_LIMIT + 1),
        )
    ).single_value()
    return previous, (counted if counted <= POSITION_LIMIT else None)


def few_matches(matches: int, tweets: int, size: int = PAGE_SIZE) -> bool:
    """Whether `matches` tweets out of `tweets` are better found through their own index
    and sorted (about `matches` rows read) than by walking the date index until a page is
    full (about size * tweets / matches rows read): see keyset_ids's `few`."""
    return matches * matches <= size * max(tweets, 1)


def with_query(request, **changes) -> str:
    """This page's path and query string with some arguments changed (None removes one)."""
    args = [(k, v) for k, v in urllib.parse.parse_qsl(request.query_string) if k not in changes]
    args += [(k, v) for k, v in changes.items() if v is not None]
    query = urllib.parse.urlencode(args)
    return request.path + ("?" + query if query else "")


async def render_reader_page(
    datasette, request, template: str, context: dict, status: int = 200
) -> Response:
    """A reader page in the site's look (base.html, site CSS, menu), with the archive's
    database name the tweet cards link into."""
    context = {
        "archive_database": archive_database(datasette),
        "site_title": datasette.metadata("title") or "Tweet archive",
        **context,
    }
    html = await datasette.render_template(template, context, request=request)
    return Response.html(html, status=status)


# The reader pages, in the order home and the menu list them: (key, title, description).
# Descriptions are whole sentences (home shows them uncut).
READER_PAGES = (
    (
        "timeline",
        "Timeline",
        "Every year and month of the archive with its number of tweets, each month readable "
        "from its first tweet to its last.",
    ),
    ("on_this_day", "On this day", "What was posted on this date in every year of the archive."),
    ("most_liked", "Most liked", "The tweets with the most likes, as counted in the export."),
    ("media", "Media gallery", "Every photo, video and GIF, newest first."),
    ("quotes", "Quote tweets", "Tweets quoting another tweet, newest first."),
    (
        "threads",
        "Threads",
        "Threads written by replying to one's own tweets, newest first, with their length.",
    ),
    (
        "stats",
        "Statistics",
        "Tweets per year, the accounts most replied to, retweeted and mentioned, the top "
        "hashtags, web sites and emoji.",
    ),
    ("map", "Map", "Geotagged tweets on a map."),
)
READER_PATHS = {
    "timeline": "/timeline",
    "on_this_day": "/on-this-day",
    "most_liked": "/most-liked",
    "media": "/media",
    "quotes": "/quotes",
    "threads": "/threads",
    "stats": "/stats",
    "search": "/search",
}
_features = weakref.WeakKeyDictionary()


def reader_url(datasette, key: str) -> str:
    """The address of a reader page (`map` is the geotagged query's map)."""
    if key == "map":
        return datasette.urls.query(archive_database(datasette), "geotagged")
    return datasette.urls.path(READER_PATHS[key])


async def archive_features(datasette) -> dict:
    """Which reader pages have something to show, from the build's one-row totals and two
    index lookups (a Markdown archive has no like counts, no geotags, often no threads), so
    home and the menu never advertise an empty page. Looked up once per Datasette: the
    archive is served immutable."""
    if datasette in _features:
        return _features[datasette]
    db = datasette.databases.get(archive_database(datasette))
    if db is None or not await db.table_exists("archive_totals"):
        return {}
    totals = dict((await db.execute("select * from archive_totals")).rows[0])
    liked = await db.execute("select exists(select 1 from tweets where favorite_count > 0)")
    threads = False
    if await db.table_exists("self_threads"):
        threads = (await db.execute("select exists(select 1 from self_threads)")).single_value()
    tweets = bool(totals.get("tweets"))
    features = {
        "timeline": tweets,
        "on_this_day": tweets,
        "search": tweets,
        "stats": tweets,
        "most_liked": bool(liked.single_value()),
        "media": bool(totals.get("media_files")),
        "quotes": bool(totals.get("quotes")),
        "threads": bool(threads),
        "map": bool(totals.get("geotagged")),
    }
    features["totals"] = totals
    _features[datasette] = features
    return features


async def available_reader_pages(datasette) -> list[dict]:
    """The reader pages this archive has something on, as {key, title, description, href},
    in the order of `home_pages` in the plugin configuration (default: all of them)."""
    features = await archive_features(datasette)
    pages = {key: (title, text) for key, title, text in READER_PAGES}
    wanted = config(datasette).get("home_pages") or [key for key, _, _ in READER_PAGES]
    return [
        {
            "key": key,
            "title": pages[key][0],
            "description": pages[key][1],
            "href": reader_url(datasette, key),
        }
        for key in wanted
        if key in pages and features.get(key)
    ]
