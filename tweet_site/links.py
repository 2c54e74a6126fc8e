"""Links to tweets on twitter.com or x.com that the archive holds: such a link opens the
archive's own page for the tweet instead of leaving the site. And the site's own address of a
media file and of an account's page.

Tweet text is rendered by a synchronous Jinja filter, so the ids its stored links point to are
looked up beforehand, in one query for a whole page of tweets, and the filter is handed the
set of ids present."""

import urllib.parse

from tweet_site.core import status_link
from tweet_site.ids import in_id_range, parse_id

# Bound the lookup: a page shows at most a few hundred tweets, each with a handful of links.
MAX_LOOKUP = 2000


def status_id(url):
    """The tweet id of a twitter.com/x.com status URL (the whole string), or None."""
    match = status_link(url)
    return parse_id(match["id"]) if match else None


def media_url(datasette, tweet_id, position):
    """A media file's address: hooks/media_files.py alone serves the files."""
    return datasette.urls.path(f"/-/media/{int(tweet_id)}/{int(position)}")


def user_url(datasette, screen_name):
    """An account's page (hooks/user_page.py)."""
    return datasette.urls.path("/-/user/" + urllib.parse.quote(screen_name))


async def present_ids(db, ids):
    """The subset of `ids` that are tweets in the archive: one query."""
    ids = sorted({int(i) for i in ids if i is not None and in_id_range(int(i))})
    ids = ids[:MAX_LOOKUP]
    if not ids:
        return frozenset()
    marks = ", ".join("?" for _ in ids)
    rows = await db.execute(f"select id from tweets where id in ({marks})", ids)
    return frozenset(row["id"] for row in rows.rows)
