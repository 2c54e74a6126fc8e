"""On this day (/on-this-day?date=MM-DD, today by default; .json and .csv too): what was
posted on one date in every year of the archive, grouped by year, newest first. The list is
tweet_site/lists/on_this_day.py's. Dates, today's included, are the owner's local ones when
the archive names a time zone."""

import calendar
import re
from datetime import date, timedelta

from datasette import NotFound, Response, hookimpl

from tweet_site import formats, lists
from tweet_site.config import static_site
from tweet_site.listing import (
    NEWEST_FIRST,
    archive_or_404,
    cards,
    kind_filters,
    kinds_label,
    month_rows,
    pagination,
    selected_kinds,
)
from tweet_site.lists import on_this_day as day_list
from tweet_site.pages import PAGE_SIZE, render_reader_page, with_query
from tweet_site.tweets import TIME_ZONE
from tweet_site.zones import local_date, today, zone_label

LEAP_YEAR = 2000  # a month-day is checked and stepped through in a year that has 29 February
_DAY = re.compile(r"^(?:\d{4}-)?(?P<month>\d{1,2})-(?P<day>\d{1,2})$")


def parse_day(value: str):
    """(month, day) from MM-DD or YYYY-MM-DD, checked against a leap year."""
    match = _DAY.match(value[:20])
    if not match:
        raise NotFound("Not a date: use MM-DD, like 06-05")
    try:
        when = date(LEAP_YEAR, int(match["month"]), int(match["day"]))
    except ValueError:
        raise NotFound("No such day") from None
    return when


def form_day(request):
    """MM-DD from the page's form (month and day_of_month), the day clamped to the month's
    last (31 February is 29 February), or None."""
    try:
        month = int(request.args.get("month") or "")
        day = int(request.args.get("day_of_month") or "")
    except ValueError:
        return None
    if not 1 <= month <= 12 or not 1 <= day <= 31:
        return None
    day = min(day, calendar.monthrange(LEAP_YEAR, month)[1])
    return f"{month:02d}-{day:02d}"


async def on_this_day(datasette, request):
    db = archive_or_404(datasette)
    if "month" in request.args or "day_of_month" in request.args:
        chosen = form_day(request)
        if chosen is None:
            raise NotFound("No such day")
        return Response.redirect(
            with_query(request, date=chosen, month=None, day_of_month=None, before=None)
        )
    asked = (request.args.get("date") or "").strip()
    key = TIME_ZONE.get()
    now = today(key)
    when = parse_day(asked) if asked else now
    when = date(LEAP_YEAR, when.month, when.day)
    month_day = f"{when.month:02d}-{when.day:02d}"
    kinds = selected_kinds(request)
    # Only the years whose month has tweets (from the monthly summary) are asked.
    years = sorted(
        {row["month"][:4] for row in await month_rows(db) if row["month"][5:] == month_day[:2]},
        reverse=True,
    )
    query = day_list.query(years, month_day, kinds, request.args.get("before"))
    page_size = formats.size(request, PAGE_SIZE)
    rows, next_cursor = await lists.page(db, query, page_size, day_list.cursor)
    if formats.fmt(request):
        return formats.rows_response(
            datasette, request, f"on-this-day-{month_day}", day_list.COLUMNS, rows, next_cursor
        )
    groups = []
    for item in await cards(db, [row["tweet_id"] for row in rows]):
        posted = local_date(item["tweet"]["created_at"], key)
        year = f"{posted.year:04d}" if posted else item["tweet"]["created_at"][:4]
        if not groups or groups[-1]["year"] != year:
            ago = now.year - int(year)
            try:
                weekday = date(int(year), when.month, when.day).strftime("%A")
            except ValueError:
                weekday = ""
            groups.append(
                {
                    "year": year,
                    "heading": f"{weekday} {when.day} {calendar.month_name[when.month]} {year}",
                    "note": {0: "this year", 1: "a year ago"}.get(ago, f"{ago} years ago")
                    if ago >= 0
                    else "",
                    "items": [],
                }
            )
        groups[-1]["items"].append(item)
    day_name = f"{when.day} {calendar.month_name[when.month]}"
    label = zone_label(key)
    in_zone = "" if label == "UTC" else f" Days and times in {label}."

    def day_url(other):
        return with_query(request, date=f"{other.month:02d}-{other.day:02d}", before=None)

    static_days = None
    if static_site(datasette):
        # A static copy holds the days that have tweets: step to the nearest of those.
        days = await days_with_tweets(db)
        previous, following = days_around(days, when)
        if not asked:
            # The day of the export means nothing later: static/on-this-day.js opens the
            # reader's today among these.
            static_days = [f"{day.month:02d}-{day.day:02d}" for day in days]
    else:
        previous = when - timedelta(days=1)
        following = when + timedelta(days=1)
    if previous.year != LEAP_YEAR:
        previous = previous.replace(year=LEAP_YEAR)
    if following.year != LEAP_YEAR:
        following = following.replace(year=LEAP_YEAR)
    return await render_reader_page(
        datasette,
        request,
        "reader_on_this_day.html",
        {
            "page_title": f"On this day: {day_name}",
            "heading": f"On this day: {day_name}",
            "subtitle": "Posted on "
            + day_name
            + " in every year of the archive, newest first."
            + in_zone,
            "month_day": month_day,
            "static_days": static_days,
            "time_zone": key,
            "months": [(m, calendar.month_name[m]) for m in range(1, 13)],
            "day": when.day,
            "month": when.month,
            "around": {
                "previous": {
                    "href": day_url(previous),
                    "label": f"{previous.day} {calendar.month_abbr[previous.month]}",
                },
                "next": {
                    "href": day_url(following),
                    "label": f"{following.day} {calendar.month_abbr[following.month]}",
                },
            },
            "groups": groups,
            "kind_filters": await kind_filters(datasette, request, kinds),
            "empty": f"No {kinds_label(kinds)} on {day_name} in any year of the archive.",
            "explore": formats.explore_links(datasette, request, query, PAGE_SIZE, date=month_day),
            **pagination(request, next_cursor, labels=NEWEST_FIRST),
            "body_class": "reader-on-this-day",
        },
    )


DAYS_WITH_TWEETS = """
select distinct substr(day, 6, 5) as month_day
from tweets_per_day
where tweets > 0
order by month_day
"""


async def days_with_tweets(db) -> list[date]:
    """The month-days (in the leap year) on which the archive has tweets, in order."""
    rows = await db.execute(DAYS_WITH_TWEETS)
    days = []
    for (month_day,) in rows.rows:
        try:
            days.append(parse_day(month_day or ""))
        except NotFound:
            continue
    return days


def days_around(days: list[date], when: date) -> tuple[date, date]:
    """The days before and after `when` (in the year's circle) among `days`; the next
    calendar days when there are none."""
    if not days:
        return when - timedelta(days=1), when + timedelta(days=1)
    before = [day for day in days if day < when]
    after = [day for day in days if day > when]
    return (before or days)[-1], (after or days)[0]


@hookimpl
def register_routes():
    return [(rf"^/on-this-day{formats.SUFFIX}$", on_this_day)]
