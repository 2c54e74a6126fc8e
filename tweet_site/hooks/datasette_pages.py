"""What Datasette's own pages tell readers about counts and timings.

The tweets table counts rows, and an edited tweet is a row per version: its page (and its
facets) says how many of the rows are earlier versions, so "1,223 rows" doesn't read as a
count of tweets that disagrees with home's 1,218. A tweet's page is a reader page served by
Datasette's row view: its footer doesn't say how long the queries took (explorers' pages
still do)."""

import urllib.parse

from datasette import hookimpl

from tweet_site.config import archive_database
from tweet_site.listing import plural

# Table arguments that don't choose rows: with only these, the page counts the whole table.
NOT_FILTERS = {
    "_sort",
    "_sort_desc",
    "_size",
    "_next",
    "_facet",
    "_facet_array",
    "_facet_date",
    "_col",
    "_nocol",
    "_labels",
    "_nolabels",
    "_nofacet",
    "_trace",
    "_shape",
}
# Earlier versions are the rows with an edit chain that aren't its latest (through the
# partial index on edit_initial_id: a handful of rows, never the whole table).
EARLIER_SQL = """select count(*)
from tweets
where edit_initial_id is not null
  and is_latest_version = 0"""


async def versions_note(datasette, request, database):
    db = datasette.get_database(database)
    earlier = (await db.execute(EARLIER_SQL)).single_value()
    if not earlier:
        return None
    versions = plural(earlier, "earlier versions") + " of edited tweets"
    args = urllib.parse.parse_qsl(request.query_string)
    latest = request.path + "?" + urllib.parse.urlencode([*args, ("is_latest_version", "1")])
    if any(key == "is_latest_version" for key, _ in args):
        return None
    if all(key in NOT_FILTERS for key, _ in args):
        # (Counted as the page counts its rows: archive_totals holds the owner's only.)
        rows = (await db.execute("select count(*) from tweets")).single_value()
        return {
            "text": f"{plural(rows, 'rows')}: {plural(rows - earlier, 'tweets')} and "
            f"{versions} (the counts and facets here count rows).",
            "href": latest,
            "label": "Latest versions only",
        }
    return {
        "text": f"These rows and facets include earlier versions of edited tweets "
        f"(the archive has {versions}).",
        "href": latest,
        "label": "Latest versions only",
    }


@hookimpl
def extra_template_vars(view_name, database, table, request, datasette):
    archive = archive_database(datasette)
    if request is None or database != archive or table != "tweets":
        return {}
    if view_name == "row":
        return {"query_ms": None}
    if view_name != "table":
        return {}

    async def page_vars():
        return {"rows_note": await versions_note(datasette, request, database)}

    return page_vars
