"""What every reader page shares: rendering with the site's templates, keyset pagination
over (created_at, id), and the rule that lists show an edited tweet's latest version only."""

import re
import urllib.parse

from datasette import Response

from .config import archive_database

PAGE_SIZE = 50
# Superseded versions of an edited tweet stay reachable from the latest one's page, but no
# list, count or search shows them.
LATEST_ONLY = "tweets.is_latest_version = 1"
_CURSOR = re.compile(r"^(?P<at>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[^~]{0,12})~(?P<id>-?\d{1,20})$")


def encode_cursor(created_at: str, tweet_id: int) -> str:
    return f"{created_at}~{int(tweet_id)}"


def decode_cursor(text: str | None):
    """(created_at, id) from a cursor a page made, or None for anything else (first page)."""
    match = _CURSOR.match(text or "")
    if not match:
        return None
    return match["at"], int(match["id"])


async def keyset_ids(
    db,
    where: str,
    params: dict,
    cursor: str | None,
    size: int = PAGE_SIZE,
    oldest_first: bool = False,
):
    """One page of tweet ids matching `where` (SQL over `tweets`, parameters bound), newest
    first unless `oldest_first`, after `cursor`; and the cursor of the next page or None.
    Page 50 costs what page 1 does: it starts from the index, not from an OFFSET."""
    after = decode_cursor(cursor)
    direction, compare = ("asc", ">") if oldest_first else ("desc", "<")
    clauses = [f"({where})", LATEST_ONLY]
    bound = dict(params, _size=size + 1)
    if after:
        clauses.append(f"(tweets.created_at, tweets.id) {compare} (:_after_at, :_after_id)")
        bound.update(_after_at=after[0], _after_id=after[1])
    sql = (
        "select tweets.id, tweets.created_at from tweets\n"
        f"where {' and '.join(clauses)}\n"
        f"order by tweets.created_at {direction}, tweets.id {direction}\n"
        "limit :_size"
    )
    rows = (await db.execute(sql, bound)).rows
    more = len(rows) > size
    rows = rows[:size]
    next_cursor = encode_cursor(rows[-1]["created_at"], rows[-1]["id"]) if more else None
    return [row["id"] for row in rows], next_cursor


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
    context = {"archive_database": archive_database(datasette), **context}
    html = await datasette.render_template(template, context, request=request)
    return Response.html(html, status=status)
