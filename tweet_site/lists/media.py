"""The media grid's list (/media, .json and .csv): the photos, videos and GIFs of a page of
tweets with media, newest first; of one type (?type=), with the files the archive lacks or not
(?missing=1), of a period (?since=, ?until=)."""

import json

from tweet_site.lists import Query, period, where
from tweet_site.pages import keyset_ids

TYPES = {"photo": "Photos", "video": "Videos", "animated_gif": "GIFs"}
COLUMNS = (
    "tweet_id",
    "position",
    "type",
    "path",
    "filename",
    "url",
    "width",
    "height",
    "alt_text",
    "created_at",
)
# Below this share of tweets with media, walking the tweets newest first to find a page's
# media tweets reads too many of them (an archive with none would read every tweet): the
# media tweets are then found from the media table and sorted, as there are few of them.
SPARSE = 1 / 50
COUNT_CACHE = {}
# The media of a page's tweets (:ids, a JSON list), with what a tile shows of its tweet.
SQL = """select
  media.tweet_id,
  media.position,
  media.type,
  media.path,
  media.filename,
  media.url,
  media.width,
  media.height,
  {alt} as alt_text,
  latest_tweets.created_at,
  latest_tweets.text,
  latest_tweets.screen_name
from media
join latest_tweets on latest_tweets.tweet_id = media.tweet_id
{where}
order by latest_tweets.created_at desc, latest_tweets.tweet_id desc, media.position"""


def wanted(args) -> tuple[str | None, bool]:
    """(the type asked for or None, whether files missing from the archive are asked for
    too): a published archive often lacks most of its media, and a page of placeholders shows
    a reader nothing."""
    kind = args.get("type")
    return (kind if kind in TYPES else None), args.get("missing") == "1"


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


async def cached(datasette, db, key, sql, params=()):
    """The first value of a counting query, remembered for a database that cannot change."""
    key = (id(datasette), db.name, *key)
    if key not in COUNT_CACHE:
        value = (await db.execute(sql, params)).rows[0][0]
        if not db.is_mutable:
            COUNT_CACHE[key] = value
        return value
    return COUNT_CACHE[key]


async def is_sparse(datasette, db, kind, present=False):
    """Do fewer than one tweet in 50 have media (of this kind, with files in the archive when
    `present`)? None when none have."""
    if kind or present:
        params = {}
        where_sql = " and ".join(media_conditions(kind, present, params))
        sql = f"select count(distinct tweet_id) from media where {where_sql}"
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


async def tweet_ids(datasette, db, args, cursor, size):
    """A page of the tweets with media the arguments ask for, newest first, after `cursor`
    (keyset pagination on (created_at, id), latest versions only); and the next page's
    cursor."""
    kind, with_missing = wanted(args)
    present = not with_missing
    sparse = await is_sparse(datasette, db, kind, present)
    if sparse is None:
        return [], None
    params = {}
    conditions = media_conditions(kind, present, params)
    if sparse:
        # Few media tweets: looked up through the media table and sorted.
        where_sql = (
            "tweets.id in (select tweet_id from media"
            + (" where " + " and ".join(conditions) if conditions else "")
            + ")"
        )
    else:
        where_sql = "tweets.media_count > 0"
        if conditions:
            # Asked of each tweet walked (an `in` list would first collect every match).
            where_sql += (
                " and exists (select 1 from media "
                f"where media.tweet_id = tweets.id and {' and '.join(conditions)})"
            )
    dates, dates_params = period("tweets.created_at", args)
    where_sql = " and ".join([where_sql, *dates])
    params.update(dates_params)
    return await keyset_ids(db, where_sql, params, cursor, size=size, few=sparse)


async def query(db, args, ids) -> Query:
    """The media of the tweets `ids` (a page's) the arguments ask for."""
    kind, with_missing = wanted(args)
    params = {"ids": json.dumps(ids)}
    conditions = ["media.tweet_id in (select value from json_each(:ids))"]
    conditions += media_conditions(kind, not with_missing, params)
    # (Archives built before alt text was kept have no such column.)
    alt = "media.alt_text" if "alt_text" in await db.table_columns("media") else "null"
    return Query(SQL.format(alt=alt, where=where(*conditions)), params)
