import re

from datasette import Response, __version__, hookimpl
from datasette.views.index import IndexView

from tweet_site.config import archive_database
from tweet_site.hooks.private_people import private_home, private_menu_links
from tweet_site.hooks.search_box import message_search
from tweet_site.listing import plural
from tweet_site.pages import archive_features, available_reader_pages, reader_url
from tweet_site.tweets import readable_time

# Reader pages the home page's counters and chart link to.
READER_LINKS = ("timeline", "media", "quotes", "stats", "map", "on_this_day", "search")
MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
MONTH_NAMES = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
DAYS = "Mon Tue Wed Thu Fri Sat Sun".split()
# Year labels under the month bars: as many as a phone's width holds.
MAX_YEAR_LABELS = 6


def month_label(month):
    year, number = month.split("-")
    return f"{MONTH_NAMES[int(number) - 1]} {year}"


def month_chart(rows):
    """Tweets per month as bars drawn by the page itself (home.css), no script: every month
    from the first to the last (an empty one a gap), each bar's height a share of the
    busiest, and what a screen reader says instead."""
    counts = {row["month"]: row["tweets"] for row in rows if MONTH.match(row["month"] or "")}
    if not counts:
        return None
    first, last = min(counts), max(counts)
    year, month = int(first[:4]), int(first[5:7])
    months = []
    while f"{year:04}-{month:02}" <= last:
        months.append(f"{year:04}-{month:02}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    top = max(counts.values()) or 1
    bars = []
    for i, m in enumerate(months):
        height = round(100 * counts.get(m, 0) / top, 2)
        title = f"{month_label(m)}: {plural(counts.get(m, 0), 'tweets')}"
        # A bar's width is one unit of the chart's viewBox, less a gap between bars.
        bars.append(
            {"x": round(i + 0.1, 1), "y": round(100 - height, 2), "height": height, "title": title}
        )
    januaries = [(i, m[:4]) for i, m in enumerate(months) if m.endswith("-01") or i == 0]
    step = -(-len(januaries) // MAX_YEAR_LABELS)
    # A year starting in the last eighth of the chart has no room for its label there.
    years = [
        {"year": y, "left": round(100 * i / len(months), 2)}
        for n, (i, y) in enumerate(januaries[::step])
        if n == 0 or i / len(months) < 0.875
    ]
    busiest = max(months, key=lambda m: counts.get(m, 0))
    summary = (
        f"Bar chart of tweets per month, {month_label(first)} to {month_label(last)}; the "
        f"busiest, {month_label(busiest)}: {plural(counts[busiest], 'tweets')}"
    )
    return {"bars": bars, "count": len(months), "years": years, "summary": summary}


def hour_chart(rows):
    """Tweets by weekday and hour as a grid of cells (home.css), each as strong as its
    share of the busiest hour, and the busiest hour in words."""
    counts = {(row["day"], row["hour"]): row["tweets"] for row in rows}
    if not counts:
        return None
    top = max(counts.values()) or 1
    days = [
        {
            "day": day,
            "cells": [
                {
                    "level": round(counts.get((day, hour), 0) / top, 3),
                    "title": f"{day} {hour:02}:00–{hour:02}:59: "
                    + plural(counts.get((day, hour), 0), "tweets"),
                }
                for hour in range(24)
            ],
        }
        for day in DAYS
    ]
    (day, hour), most = max(counts.items(), key=lambda item: item[1])
    summary = (
        f"Heatmap of tweets by weekday and hour; the busiest hour, {day} {hour:02}:00 to "
        f"{hour:02}:59: {plural(most, 'tweets')}"
    )
    return {"days": days, "hours": [0, 6, 12, 18], "summary": summary}


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
    months = await db.execute("select month, tweets from tweets_per_month")
    hours = await db.execute("select day, hour, tweets from tweets_per_hour")
    owners = await db.execute(
        "select id, screen_name, name from users where is_owner = 1 order by screen_name"
    )
    return {
        "totals": totals,
        "first": readable_time(totals["first_tweet_at"]),
        "last": readable_time(totals["last_tweet_at"]),
        "owners": [dict(row) for row in owners.rows],
        "months": month_chart(months.rows),
        "hours": hour_chart(hours.rows),
        "has": features,
        "pages": await available_reader_pages(datasette),
        "links": {key: reader_url(datasette, key) for key in READER_LINKS},
        # A private archive's messages, people, lists and likes (None on a public one), and
        # whether its messages can be searched (/messages/search).
        "private": await private_home(datasette),
        "message_search": await message_search(datasette),
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
        return menu + await private_menu_links(datasette)

    return links


@hookimpl
def register_routes():
    # (An empty "format", as Datasette's index view expects when it is handed the request.)
    return [(r"^/(?P<format>)$", home)]
