"""Links to tweets on twitter.com or x.com that the archive holds: such a link opens the
archive's own page for the tweet instead of leaving the site.

Tweet text is rendered by a synchronous Jinja filter, so the ids are looked up beforehand, in
one query for a whole page of tweets, and the filter is handed the set of ids present."""

import re

from tweet_site.ids import in_id_range, parse_id

# A tweet's address on twitter.com or x.com, in text (so no anchors: it may sit mid-sentence).
STATUS_URL = re.compile(
    r"https?://(?:www\.|mobile\.)?(?:twitter|x)\.com/(?:[A-Za-z0-9_]{1,50}|i/web|i)"
    r"/status(?:es)?/(?P<id>\d{1,20})(?![\d])",
    re.IGNORECASE,
)
# Bound the lookup: a page shows at most a few hundred tweets, each with a handful of links.
MAX_LOOKUP = 2000


def status_id(url):
    """The tweet id of a twitter.com/x.com status URL (the whole string), or None."""
    match = STATUS_URL.match(url or "")
    if not match or match.end() != len(url) and url[match.end()] not in "/?#":
        return None
    return parse_id(match["id"])


def status_ids(text):
    """Every tweet id a text links to on twitter.com or x.com."""
    if not isinstance(text, str) or "/status" not in text:
        return set()
    found = set()
    for match in STATUS_URL.finditer(text):
        value = int(match["id"])
        if in_id_range(value):
            found.add(value)
    return found


async def present_ids(db, ids):
    """The subset of `ids` that are tweets in the archive: one query."""
    ids = sorted({int(i) for i in ids if i is not None and in_id_range(int(i))})
    ids = ids[:MAX_LOOKUP]
    if not ids:
        return frozenset()
    marks = ", ".join("?" for _ in ids)
    rows = await db.execute(f"select id from tweets where id in ({marks})", ids)
    return frozenset(row["id"] for row in rows.rows)
