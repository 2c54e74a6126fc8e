from datasette import Response, __version__, hookimpl
from datasette.views.index import IndexView

from tweet_site.config import archive_database
from tweet_site.pages import archive_features, available_reader_pages, reader_url
from tweet_site.tweets import chart_json, readable_time

# Reader pages the home page's counters and chart link to.
READER_LINKS = ("timeline", "media", "quotes", "stats", "map", "on_this_day", "search")


async def home(datasette, request):
    # Datasette's own index view inspects every table of every database first (70 queries
    # for this site, each queued behind the other requests' SQL: 8 s under load) for a page
    # whose content the archive's index.html replaces; the archive's page needs none of it.
    database = archive_database(datasette)
    db = datasette.databases.get(database)
    if db is None or not await db.table_exists("archive_totals"):
        return await IndexView.as_view(datasette)(request, None)
    await datasette.ensure_permissions(request.actor, ["view-instance"])
    context = {
        "databases": [],
        "metadata": datasette.metadata(),
        "datasette_version": __version__,
        "private": False,
        "select_templates": ["*index.html"],
    }
    html = await datasette.render_template(
        ["index.html"], context, request=request, view_name="index"
    )
    return Response.html(html)


async def home_page(datasette, database):
    # The build's one-row totals, read once per Datasette with what the archive has.
    features = await archive_features(datasette)
    if not features:
        return {}
    db = datasette.get_database(database)
    totals = features["totals"]
    months = await db.execute("select month, tweets, replies, retweets from tweets_per_month")
    hours = await db.execute("select weekday, day, hour, tweets from tweets_per_hour")
    owners = await db.execute(
        "select id, screen_name, name from users where is_owner = 1 order by screen_name"
    )
    return {
        "totals": totals,
        "first": readable_time(totals["first_tweet_at"]),
        "last": readable_time(totals["last_tweet_at"]),
        "owners": [dict(row) for row in owners.rows],
        "months_json": chart_json([dict(r) for r in months.rows]),
        "hours_json": chart_json([dict(r) for r in hours.rows]),
        "has": features,
        "pages": await available_reader_pages(datasette),
        "links": {key: reader_url(datasette, key) for key in READER_LINKS},
    }


@hookimpl
def extra_template_vars(template, datasette):
    if template != "index.html":
        return {}
    archive = archive_database(datasette)

    async def page_vars():
        return {"archive": await home_page(datasette, archive), "archive_database": archive}

    return page_vars


# Before other plugins' links (the dashboards'), in whatever order Datasette loaded them.
@hookimpl(tryfirst=True)
def menu_links(datasette):
    async def links():
        if archive_database(datasette) not in datasette.databases:
            return []
        has = await archive_features(datasette)
        menu = [{"href": reader_url(datasette, "search"), "label": "Search tweets"}] * bool(
            has.get("search")
        )
        for page in await available_reader_pages(datasette):
            menu.append({"href": page["href"], "label": page["title"]})
        return menu

    return links


@hookimpl
def register_routes():
    # (An empty "format", as Datasette's index view expects when it is handed the request.)
    return [(r"^/(?P<format>)$", home)]
