"""Pages for readers: the timeline by year and month, a hashtag, on this day, most liked,
quote tweets and threads. Tweet cards with human dates, keyset pagination (page 50 costs
what page 1 does), latest versions of edited tweets only, and for explorers a link to the
same rows as JSON, CSV or SQL."""

import calendar
import os
import re
import sys
import urllib.parse
from datetime import UTC, date, datetime, timedelta

from datasette import NotFound, Response, hookimpl
from datasette.utils import tilde_decode

# The helpers plugin files share sit beside them, in archive_site/ (see its __init__.py).
if (_folder := os.path.dirname(os.path.abspath(__file__))) not in sys.path:
    sys.path.insert(0, _folder)
from archive_site.config import archive_database
from archive_site.pages import (
    LATEST_ONLY,
    PAGE_SIZE,
    archive_features,
    decode_cursor,
    encode_cursor,
    few_matches,
    keyset_ids,
    render_reader_page,
    with_query,
)
from archive_site.tweets import load_tweets, readable_time

KINDS = ("tweet", "reply", "retweet", "quote")
# The kind filters offered on list pages: (value of ?kind=, label).
KIND_CHOICES = (
    ("", "Everything"),
    ("tweet,quote", "No replies or retweets"),
    ("tweet", "Tweets"),
    ("reply", "Replies"),
    ("retweet", "Retweets"),
    ("quote", "Quotes"),
)
KIND_WORDS = {"tweet": "tweets", "reply": "replies", "retweet": "retweets", "quote": "quotes"}
MONTH_COLUMNS = {"reply": "replies", "retweet": "retweets", "quote": "quotes"}
LEAP_YEAR = 2000  # a month-day is checked and stepped through in a year that has 29 February
MAX_TAG = 140
_COUNT_CURSOR = re.compile(r"^(?P<count>\d{1,12})~(?P<id>-?\d{1,20})$")
_DAY = re.compile(r"^(?:\d{4}-)?(?P<month>\d{1,2})-(?P<day>\d{1,2})$")


def selected_kinds(request) -> tuple:
    """The kinds ?kind= asks for (comma-separated), in a fixed order; () means every kind.
    Anything else in it is ignored."""
    asked = set((request.args.get("kind") or "")[:100].split(","))
    kinds = tuple(kind for kind in KINDS if kind in asked)
    return () if len(kinds) == len(KINDS) else kinds


def kind_clause(kinds):
    """SQL over tweets.kind for `kinds` ('1' for all), with its bound parameters."""
    if not kinds:
        return "1", {}
    params = {f"kind{i}": kind for i, kind in enumerate(kinds)}
    # (+: never through the kind index, which holds a kind's tweets of every year, unsorted.)
    return "+tweets.kind in (" + ", ".join(":" + name for name in params) + ")", params


def kinds_label(kinds) -> str:
    return " and ".join(KIND_WORDS[kind] for kind in kinds) if kinds else "tweets"


async def kind_filters(datasette, request, kinds):
    """The kind filters worth offering: none for a kind the archive has nothing of (a
    Markdown archive has no quotes), none at all when it has one kind only."""
    totals = (await archive_features(datasette)).get("totals", {})
    counts = {
        "tweet": totals.get("original_tweets"),
        "reply": totals.get("replies"),
        "retweet": totals.get("retweets"),
        "quote": totals.get("quotes"),
    }
    present = {kind for kind, count in counts.items() if count}
    if len(present) < 2 and not kinds:
        return []
    value = ",".join(kinds)
    filters = []
    for choice, label in KIND_CHOICES:
        asked = set(choice.split(",")) - {""}
        if choice and not asked & present:
            continue
        if asked == {"tweet", "quote"} and not present & {"reply", "retweet"}:
            continue  # (the same as everything)
        href = with_query(request, kind=choice or None, before=None, after=None)
        filters.append({"label": label, "href": href, "current": choice == value})
    return filters


def count_in_month(row, kinds) -> int:
    """Tweets of `kinds` in a tweets_per_month row."""
    if not kinds:
        return row["tweets"]
    originals = row["tweets"] - row["replies"] - row["retweets"] - row["quotes"]
    return sum(originals if kind == "tweet" else row[MONTH_COLUMNS[kind]] for kind in kinds)


def plural(count: int, word: str) -> str:
    if count == 1:
        return f"1 {word[:-3] + 'y' if word.endswith('ies') else word[:-1]}"
    return f"{count:,} {word}"


def explorer_links(datasette, kind, name=None, params=None, sql=None):
    """The page's rows for explorers: JSON, CSV and the Datasette page (table, canned query
    or SQL) they come from."""
    database = archive_database(datasette)
    args = dict(params or {})
    if kind == "table":
        url = lambda fmt: datasette.urls.table(database, name, format=fmt)  # noqa: E731
    elif kind == "query":
        url = lambda fmt: datasette.urls.query(database, name, format=fmt)  # noqa: E731
    else:
        url = lambda fmt: datasette.urls.database(database, format=fmt)  # noqa: E731
        args = {"sql": sql, **args}

    def link(fmt, extra=()):
        query = urllib.parse.urlencode({**args, **dict(extra)})
        return url(fmt) + ("?" + query if query else "")

    return {
        "json": link("json", {"_shape": "array"}),
        "csv": link("csv", {"_size": "max"}),
        "html": link(None),
    }


async def month_rows(db):
    rows = await db.execute(
        "select month, tweets, replies, retweets, quotes from tweets_per_month order by month"
    )
    return [dict(row) for row in rows.rows]


def archive_or_404(datasette):
    db = datasette.databases.get(archive_database(datasette))
    if db is None:
        raise NotFound("This site has no tweet archive")
    return db


def pagination(request, next_cursor, name="before"):
    return {
        "next_url": with_query(request, **{name: next_cursor}) if next_cursor else None,
        "first_url": with_query(request, **{name: None}) if request.args.get(name) else None,
    }


async def cards(db, ids):
    return [{"tweet": tweet} for tweet in await load_tweets(db, ids)]


# /timeline


async def timeline(datasette, request):
    db = archive_or_404(datasette)
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
            "explore": explorer_links(datasette, "query", "activity"),
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

    if month:
        start, end = prefix, next_month(year, month)
        earlier = [m for m in months if m < prefix]
        later = [m for m in months if m > prefix]
        name = f"{calendar.month_name[month]} {year}"
        earlier_label = lambda m: f"{calendar.month_name[int(m[5:])]} {m[:4]}"  # noqa: E731
        up = {"href": period_url(year), "label": f"All of {year}"}
        parts = []
    else:
        start, end = year, str(int(year) + 1)
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
    ids, next_cursor = [], None
    if count:  # (a rare kind would otherwise be looked for in every tweet of the period)
        cursor = request.args.get("after")
        ids, next_cursor = await keyset_ids(db, where, params, cursor, oldest_first=True)
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
            "subtitle": plural(count, kinds_label(kinds)) + ", oldest first",
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
            "groups": await month_groups(db, ids)
            if not month
            else [{"items": await cards(db, ids)}],
            "kind_filters": await kind_filters(datasette, request, kinds),
            "empty": f"No {kinds_label(kinds)} then.",
            "explore": explorer_links(datasette, "table", "tweets", table_params),
            "next_label": "Later tweets",
            **pagination(request, next_cursor, "after"),
            "body_class": "reader-timeline-period",
        },
    )


async def month_groups(db, ids):
    """A year's tweets under a heading for each month."""
    groups = []
    for item in await cards(db, ids):
        month = item["tweet"]["created_at"][:7]
        if not groups or groups[-1]["month"] != month:
            name = f"{calendar.month_name[int(month[5:])]} {month[:4]}"
            groups.append({"month": month, "heading": name, "items": []})
        groups[-1]["items"].append(item)
    return groups


def next_month(year: str, month: int) -> str:
    return f"{int(year) + 1}-01" if month == 12 else f"{year}-{month + 1:02d}"


# /hashtag/<tag>

HASHTAG_SQL = """select
  tweets.id,
  tweets.created_at,
  tweets.kind,
  tweets.text
from tweets
where tweets.id in (select tweet_id from hashtags where tag = :tag collate nocase)
  and tweets.is_latest_version = 1
order by tweets.created_at desc
limit 100"""


def tag_spellings(tag: str) -> list:
    """Case variants of a tag SQLite's ASCII-only `nocase` would miss (Ä and ä)."""
    return sorted({tag, tag.lower(), tag.upper(), tag.capitalize(), tag.casefold()})


async def hashtag(datasette, request):
    db = archive_or_404(datasette)
    # (Percent-encoded, or tilde-encoded as Datasette redirects a missing page's address.)
    tag = urllib.parse.unquote(tilde_decode(request.url_vars["tag"])).lstrip("#＃").strip()
    if not tag or len(tag) > MAX_TAG or any(c.isspace() for c in tag):
        raise NotFound("No such hashtag")
    spellings = tag_spellings(tag)
    marks = ", ".join(f":s{i}" for i in range(len(spellings)))
    found = await db.execute(
        "select tag, tweets from hashtag_counts "
        f"where tag = :tag collate nocase or tag in ({marks}) order by tweets desc, tag limit 50",
        {"tag": tag, **{f"s{i}": s for i, s in enumerate(spellings)}},
    )
    variants = [row["tag"] for row in found.rows]
    if not variants:
        raise NotFound("The archive has no tweet with that hashtag")
    kinds = selected_kinds(request)
    where, params = kind_clause(kinds)
    total = sum(row["tweets"] for row in found.rows)
    tweets = (await archive_features(datasette)).get("totals", {}).get("tweets") or 0
    few = few_matches(total, tweets)
    marks = ", ".join(f":v{i}" for i in range(len(variants)))
    plus = "" if few else "+"  # (+: don't look the hashtag's tweets up one by one)
    where = f"{plus}tweets.id in (select tweet_id from hashtags where tag in ({marks})) and {where}"
    params.update({f"v{i}": v for i, v in enumerate(variants)})
    ids, next_cursor = await keyset_ids(db, where, params, request.args.get("before"), few=few)
    shown = variants[0]
    return await render_reader_page(
        datasette,
        request,
        "reader_list.html",
        {
            "page_title": f"#{shown}",
            "heading": f"#{shown}",
            "subtitle": plural(total, "tweets") + " with this hashtag, newest first",
            "groups": [{"items": await cards(db, ids)}],
            "kind_filters": await kind_filters(datasette, request, kinds),
            "empty": f"No {kinds_label(kinds)} with this hashtag.",
            "explore": explorer_links(datasette, "sql", params={"tag": shown}, sql=HASHTAG_SQL),
            "next_label": "Older tweets",
            **pagination(request, next_cursor),
            "body_class": "reader-hashtag",
        },
    )


# /on-this-day


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


async def day_page_ids(db, years, month_day, kinds, cursor, size=PAGE_SIZE):
    """One page of the tweets posted on `month_day` of each year, newest first: one index
    range per year, years newest first, at most one query per year of the archive."""
    after = decode_cursor(cursor)
    where, params = kind_clause(kinds)
    rows = []
    for year in years:
        if after and year > after[0][:4]:
            continue
        day = f"{year}-{month_day}"
        clauses = [
            "tweets.created_at >= :day",
            "tweets.created_at < :day || 'T99'",
            where,
            LATEST_ONLY,
        ]
        bound = dict(params, day=day, _size=size + 1 - len(rows))
        if after and year == after[0][:4]:
            clauses.append("(tweets.created_at, tweets.id) < (:_after_at, :_after_id)")
            bound.update(_after_at=after[0], _after_id=after[1])
        found = await db.execute(
            "select tweets.id, tweets.created_at from tweets where "
            + " and ".join(clauses)
            + " order by tweets.created_at desc, tweets.id desc limit :_size",
            bound,
        )
        rows += found.rows
        if len(rows) > size:
            break
    more = len(rows) > size
    rows = rows[:size]
    next_cursor = encode_cursor(rows[-1]["created_at"], rows[-1]["id"]) if more else None
    return [row["id"] for row in rows], next_cursor


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
    when = parse_day(asked) if asked else datetime.now(UTC).date()
    when = date(LEAP_YEAR, when.month, when.day)
    month_day = f"{when.month:02d}-{when.day:02d}"
    kinds = selected_kinds(request)
    # Only the years whose month has tweets (from the monthly summary) are asked.
    years = sorted(
        {row["month"][:4] for row in await month_rows(db) if row["month"][5:] == month_day[:2]},
        reverse=True,
    )
    ids, next_cursor = await day_page_ids(db, years, month_day, kinds, request.args.get("before"))
    groups = []
    this_year = datetime.now(UTC).year
    for item in await cards(db, ids):
        year = item["tweet"]["created_at"][:4]
        if not groups or groups[-1]["year"] != year:
            ago = this_year - int(year)
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

    def day_url(other):
        return with_query(request, date=f"{other.month:02d}-{other.day:02d}", before=None)

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
            "subtitle": "Posted on " + day_name + " in every year of the archive, newest first.",
            "month_day": month_day,
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
            "explore": explorer_links(datasette, "query", "on_this_day", {"day": month_day}),
            "next_label": "Earlier years",
            **pagination(request, next_cursor),
            "body_class": "reader-on-this-day",
        },
    )


# /most-liked


async def most_liked(datasette, request):
    db = archive_or_404(datasette)
    match = _COUNT_CURSOR.match(request.args.get("before") or "")
    clauses = ["tweets.favorite_count > 0", "tweets.kind != 'retweet'", LATEST_ONLY]
    params = {"_size": PAGE_SIZE + 1}
    if match:
        clauses.append("(tweets.favorite_count, tweets.id) < (:_count, :_id)")
        params.update(_count=int(match["count"]), _id=int(match["id"]))
    rows = (
        await db.execute(
            "select tweets.id, tweets.favorite_count from tweets where "
            + " and ".join(clauses)
            + " order by tweets.favorite_count desc, tweets.id desc limit :_size",
            params,
        )
    ).rows
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    next_cursor = f"{rows[-1]['favorite_count']}~{rows[-1]['id']}" if more else None
    items = await cards(db, [row["id"] for row in rows])
    for item in items:
        tweet = item["tweet"]
        notes = [plural(tweet["favorite_count"] or 0, "likes")]
        if tweet.get("retweet_count"):
            notes.append(plural(tweet["retweet_count"], "retweets"))
        item["note"] = " · ".join(notes)
    return await render_reader_page(
        datasette,
        request,
        "reader_list.html",
        {
            "page_title": "Most liked",
            "heading": "Most liked",
            "subtitle": "Tweets by their likes, as counted when the archive was exported.",
            "groups": [{"items": items}],
            "empty": "This archive has no like counts (Markdown archives and old exports don't "
            "record them).",
            "explore": explorer_links(datasette, "query", "most_liked"),
            "next_label": "Fewer likes",
            **pagination(request, next_cursor),
            "body_class": "reader-most-liked",
        },
    )


# /quotes


async def quotes(datasette, request):
    db = archive_or_404(datasette)
    totals = (await archive_features(datasette)).get("totals", {})
    ids, next_cursor = [], None
    if totals.get("quotes"):
        few = few_matches(totals["quotes"], totals["tweets"])
        where = "tweets.kind = 'quote'" if few else "+tweets.kind = 'quote'"
        ids, next_cursor = await keyset_ids(db, where, {}, request.args.get("before"), few=few)
    items = await cards(db, ids)
    quoted = {t["id"]: t for t in await load_tweets(db, [i["tweet"]["quoted_id"] for i in items])}
    for item in items:
        item["quoted"] = quoted.get(item["tweet"]["quoted_id"])
    return await render_reader_page(
        datasette,
        request,
        "reader_list.html",
        {
            "page_title": "Quote tweets",
            "heading": "Quote tweets",
            "subtitle": "Tweets quoting another tweet, newest first, with the quoted tweet "
            "when the archive has it.",
            "groups": [{"items": items}],
            "empty": "No quote tweets in this archive.",
            "explore": explorer_links(datasette, "query", "quotes"),
            "next_label": "Older quotes",
            **pagination(request, next_cursor),
            "body_class": "reader-quotes",
        },
    )


# /threads

# (The build's self_threads holds latest versions only: joining tweets to check would read
# a tweet for every thread of the archive before sorting.)
THREADS_SQL = """select root_id, tweets, first_at, last_at
from self_threads
where {where}
order by first_at desc, root_id desc
limit :_size"""


async def threads(datasette, request):
    db = archive_or_404(datasette)
    rows = []
    after = decode_cursor(request.args.get("before"))
    if await db.table_exists("self_threads"):
        clauses, params = ["1"], {"_size": PAGE_SIZE + 1}
        if after:
            clauses.append("(first_at, root_id) < (:_at, :_id)")
            params.update(_at=after[0], _id=after[1])
        rows = (await db.execute(THREADS_SQL.format(where=" and ".join(clauses)), params)).rows
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    next_cursor = encode_cursor(rows[-1]["first_at"], rows[-1]["root_id"]) if more else None
    by_root = {row["root_id"]: row for row in rows}
    items = await cards(db, [row["root_id"] for row in rows])
    for item in items:
        row = by_root[item["tweet"]["id"]]
        item["link"] = {
            "href": datasette.urls.row(archive_database(datasette), "tweets", str(row["root_id"])),
            "label": f"Read the thread ({row['tweets']:,} tweets)",
        }
        if row["last_at"] and row["last_at"][:10] != row["first_at"][:10]:
            item["note"] = "Continued until " + readable_time(row["last_at"])
    return await render_reader_page(
        datasette,
        request,
        "reader_list.html",
        {
            "page_title": "Threads",
            "heading": "Threads",
            "subtitle": "Threads written by replying to one's own tweets, newest first.",
            "groups": [{"items": items}],
            "empty": "No threads in this archive.",
            "explore": explorer_links(datasette, "query", "threads"),
            "next_label": "Older threads",
            **pagination(request, next_cursor),
            "body_class": "reader-threads",
        },
    )


@hookimpl
def register_routes():
    return [
        (r"^/timeline$", timeline),
        (r"^/timeline/(?P<year>\d{4})$", timeline_period),
        (r"^/timeline/(?P<year>\d{4})/(?P<month>\d{2})$", timeline_period),
        (r"^/hashtag/(?P<tag>[^/?#]{1,600})$", hashtag),
        (r"^/on-this-day$", on_this_day),
        (r"^/most-liked$", most_liked),
        (r"^/quotes$", quotes),
        (r"^/threads$", threads),
    ]
