"""The timeline for readers: every year and month with its count (/timeline; its rows as
.json and .csv, ?since= and ?until= for some of them), and a year's or a month's tweets,
oldest first (/timeline/2021, /timeline/2021/03). Years and months are the owner's local
ones when the archive names a time zone (the build counts tweets_per_month so too)."""

import calendar
import urllib.parse

from datasette import NotFound, hookimpl

from tweet_site import formats
from tweet_site.hooks.facets import next_period
from tweet_site.listing import (
    OLDEST_FIRST,
    archive_or_404,
    cards,
    count_in_month,
    explorer_links,
    kind_clause,
    kind_filters,
    kinds_label,
    month_rows,
    pagination,
    plural,
    position,
    selected_kinds,
)
from tweet_site.lists import months
from tweet_site.pages import keyset_before, keyset_ids, render_reader_page
from tweet_site.tweets import TIME_ZONE
from tweet_site.zones import local_date, month_bounds, zone_label


async def timeline(datasette, request):
    db = archive_or_404(datasette)
    if formats.fmt(request):
        rows = await month_rows(db, request.args)
        return formats.rows_response(datasette, request, "timeline", months.COLUMNS, rows, None)
    kinds = selected_kinds(request)
    years = {}
    for row in await month_rows(db):
        year, month = row["month"][:4], int(row["month"][5:7])
        entry = years.setdefault(year, {"year": year, "count": 0, "months": {}})
        count = count_in_month(row, kinds)
        entry["count"] += count
        entry["months"][month] = count
    suffix = "?" + urllib.parse.urlencode({"kind": ",".join(kinds)}) if kinds else ""
    listed = []
    for year in sorted(years, reverse=True):
        entry = years[year]
        entry["href"] = datasette.urls.path(f"/timeline/{year}") + suffix
        entry["months"] = [
            {
                "name": calendar.month_abbr[month],
                "full_name": calendar.month_name[month],
                "count": entry["months"].get(month, 0),
                "href": datasette.urls.path(f"/timeline/{year}/{month:02d}") + suffix
                if entry["months"].get(month)
                else None,
            }
            for month in range(1, 13)
        ]
        listed.append(entry)
    total = sum(entry["count"] for entry in listed)
    return await render_reader_page(
        datasette,
        request,
        "reader_timeline.html",
        {
            "page_title": "Timeline",
            "heading": "Timeline",
            "subtitle": f"{plural(total, kinds_label(kinds))} in {plural(len(listed), 'years')}",
            "years": listed,
            "kind_filters": await kind_filters(datasette, request, kinds),
            "explore": formats.explore_links(datasette, request, months.query({}), None, kind=None),
            "body_class": "reader-timeline",
        },
    )


def parse_month(value):
    month = int(value)
    if not 1 <= month <= 12:
        raise NotFound("No such month")
    return month


async def timeline_period(datasette, request):
    """A year (/timeline/2021) or a month (/timeline/2021/03), oldest tweet first."""
    db = archive_or_404(datasette)
    year = request.url_vars["year"]
    month = parse_month(request.url_vars["month"]) if request.url_vars.get("month") else None
    kinds = selected_kinds(request)
    rows = await month_rows(db)
    months = [row["month"] for row in rows]
    prefix = f"{year}-{month:02d}" if month else year
    here = [row for row in rows if row["month"].startswith(prefix)]
    if not here:
        raise NotFound("The archive has no tweets from then")
    count = sum(count_in_month(row, kinds) for row in here)
    suffix = "?" + urllib.parse.urlencode({"kind": ",".join(kinds)}) if kinds else ""

    def period_url(value):
        return datasette.urls.path("/timeline/" + value.replace("-", "/")) + suffix

    key = TIME_ZONE.get()
    if key:
        # The period's UTC range, from the owner's local midnights (zoneinfo, per request).
        start, end = month_bounds(int(year), month, key)
    else:
        # UTC: 'YYYY-MM' bounds, which the tweets table's facets read from facet_cube.
        start, end = prefix, next_period(prefix)
    if month:
        earlier = [m for m in months if m < prefix]
        later = [m for m in months if m > prefix]
        name = f"{calendar.month_name[month]} {year}"
        earlier_label = lambda m: f"{calendar.month_name[int(m[5:])]} {m[:4]}"  # noqa: E731
        up = {"href": period_url(year), "label": f"All of {year}"}
        parts = []
    else:
        earlier = sorted({m[:4] for m in months if m[:4] < year})
        later = sorted({m[:4] for m in months if m[:4] > year})
        name = year
        earlier_label = lambda y: y  # noqa: E731
        up = {"href": datasette.urls.path("/timeline") + suffix, "label": "All years"}
        parts = [
            {
                "label": calendar.month_abbr[int(row["month"][5:])],
                "count": count_in_month(row, kinds),
                "href": period_url(row["month"]),
            }
            for row in here
            if count_in_month(row, kinds)
        ]
    where, params = kind_clause(kinds)
    where = f"tweets.created_at >= :start and tweets.created_at < :end and {where}"
    params.update(start=start, end=end)
    ids, next_cursor, previous, before = [], None, None, 0
    if count:  # (a rare kind would otherwise be looked for in every tweet of the period)
        cursor = request.args.get("after")
        ids, next_cursor = await keyset_ids(db, where, params, cursor, oldest_first=True)
        previous, before = await keyset_before(db, where, params, cursor, oldest_first=True)
    table_params = {"created_at__gte": start, "created_at__lt": end, "_sort": "created_at"}
    if kinds:
        table_params["kind__in"] = ",".join(kinds)
    table_params["is_latest_version"] = "1"
    return await render_reader_page(
        datasette,
        request,
        "reader_list.html",
        {
            "page_title": name if not kinds else f"{name}: {kinds_label(kinds)}",
            "heading": name,
            "subtitle": plural(count, kinds_label(kinds)) + ", oldest first" + zone_note(key),
            "parts": parts,
            "around": {
                "up": up,
                "previous": {"href": period_url(earlier[-1]), "label": earlier_label(earlier[-1])}
                if earlier
                else None,
                "next": {"href": period_url(later[0]), "label": earlier_label(later[0])}
                if later
                else None,
            },
            "groups": await month_groups(db, ids, key)
            if not month
            else [{"items": await cards(db, ids)}],
            "kind_filters": await kind_filters(datasette, request, kinds),
            "empty": f"No {kinds_label(kinds)} then.",
            "explore": explorer_links(datasette, "table", "tweets", table_params),
            **pagination(
                request,
                next_cursor,
                "after",
                previous=previous,
                place=position(before, len(ids), count),
                labels=OLDEST_FIRST,
            ),
            "body_class": "reader-timeline-period",
        },
    )


def zone_note(key) -> str:
    """What a period's subtitle adds in a zoned archive: whose days its tweets are on."""
    label = zone_label(key)
    return "" if label == "UTC" else f". Days and times in {label}."


async def month_groups(db, ids, key=None):
    """A year's tweets under a heading for each (local) month."""
    groups = []
    for item in await cards(db, ids):
        when = local_date(item["tweet"]["created_at"], key)
        month = f"{when.year:04d}-{when.month:02d}" if when else item["tweet"]["created_at"][:7]
        if not groups or groups[-1]["month"] != month:
            name = f"{calendar.month_name[int(month[5:])]} {month[:4]}"
            groups.append({"month": month, "heading": name, "items": []})
        groups[-1]["items"].append(item)
    return groups


@hookimpl
def register_routes():
    return [
        (rf"^/timeline{formats.SUFFIX}$", timeline),
        (r"^/timeline/(?P<year>\d{4})$", timeline_period),
        (r"^/timeline/(?P<year>\d{4})/(?P<month>\d{2})$", timeline_period),
    ]
