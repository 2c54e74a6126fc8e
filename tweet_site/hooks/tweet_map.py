from datasette import hookimpl

from tweet_site.config import archive_database

# datasette-cluster-map draws the map itself wherever a page has latitude and longitude
# columns, and a `popup` column (the located_tweets view, the geotagged query) gives each
# marker its tweet: the JSON is for the map, so the table under it doesn't show it.
MAP_COLUMNS = {"latitude", "longitude", "popup"}


def is_map_page(database, columns, datasette):
    return database == archive_database(datasette) and MAP_COLUMNS <= set(columns or ())


@hookimpl
def extra_css_urls(database, columns, datasette):
    if not is_map_page(database, columns, datasette):
        return []
    return [datasette.urls.path("/static/map.css")]


@hookimpl
def table_actions(datasette, database, table):
    """The tweets table has no map of its own (a marker would list its 37 columns): it
    links to the located tweets' map when the archive has any."""
    if (database, table) != (archive_database(datasette), "tweets"):
        return None

    async def actions():
        db = datasette.get_database(database)
        if "located_tweets" not in await db.view_names():
            return []
        located = await db.execute("select 1 from located_tweets limit 1")
        if not located.rows:
            return []
        return [
            {
                "href": datasette.urls.table(database, "located_tweets"),
                "label": "Located tweets on a map",
            }
        ]

    return actions
