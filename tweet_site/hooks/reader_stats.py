"""/stats: the archive in numbers, in the spirit of tweetback's stats page: tweets per year,
the accounts most replied to, retweeted and mentioned, top hashtags, web sites and emoji, the
busiest days, the first and the latest tweet. Everything is read from the summary tables the
build makes (etl/summaries.py): a few small queries, however large the archive."""

import re
import urllib.parse
from datetime import date

from datasette import hookimpl

from tweet_site.config import archive_database, archive_or_404
from tweet_site.links import user_url
from tweet_site.pages import LATEST_ONLY, archive_features, render_reader_page
from tweet_site.tweets import TIME_ZONE, load_tweets, readable_time
from tweet_site.zones import zone_label

TOP = 10
# What /-/user/<screen_name> accepts (hooks/user_page.py).
SCREEN_NAME = re.compile(r"^[A-Za-z0-9_]{1,50}$")
YEARS_SQL = """
select
  substr(month, 1, 4) as year,
  sum(tweets) as tweets,
  sum(replies) as replies,
  sum(retweets) as retweets,
  sum(quotes) as quotes
from tweets_per_month
group by year
order by year
"""
# (section, summary table, SQL of its top rows): each read through an index on the count.
TOP_LISTS = {
    "replied": (
        "reply_counts",
        "select screen_name, replies as count from reply_counts "
        "order by replies desc, screen_name limit :top",
    ),
    "retweeted": (
        "retweet_counts",
        "select screen_name, retweets as count from retweet_counts "
        "order by retweets desc, screen_name limit :top",
    ),
    "mentioned": (
        "mention_counts",
        "select screen_name, tweets as count from mention_counts "
        "order by tweets desc, screen_name limit :top",
    ),
    "hashtags": (
        "hashtag_counts",
        "select tag, tweets as count from hashtag_counts order by tweets desc, tag limit :top",
    ),
    "domains": (
        "domain_counts",
        "select domain, links as count from domain_counts order by links desc, domain limit :top",
    ),
    "emoji": (
        "emoji_counts",
        "select emoji, tweets as count, uses from emoji_counts "
        "order by tweets desc, uses desc, emoji limit :top",
    ),
    "days": (
        "tweets_per_day",
        "select day, tweets as count, replies, retweets from tweets_per_day "
        "order by tweets desc, day desc limit :top",
    ),
}
FIRST_SQL = f"select id from tweets where {LATEST_ONLY} order by created_at {{}}, id {{}} limit 1"


def with_bars(rows, *keys):
    """Each row's share of the largest count, as a percentage, for a bar."""
    largest = max((row["count"] for row in rows), default=0) or 1
    return [{**row, "bar": round(100 * row["count"] / largest, 1)} for row in rows]


def readable_day(day):
    """'2021-04-01' -> 'Thu 1 Apr 2021': a day of tweets_per_day, already the owner's local
    day in a zoned archive, so it is named as it is, never converted."""
    try:
        when = date.fromisoformat(day)
    except (TypeError, ValueError):
        return day
    return f"{when:%a} {when.day} {when:%b} {when.year}"


async def stats_page(datasette, request):
    database = archive_database(datasette)
    db = archive_or_404(datasette)
    tables = set(await db.table_names())
    totals = (await archive_features(datasette)).get("totals", {})
    years = []
    if "tweets_per_month" in tables:
        years = [dict(row) for row in (await db.execute(YEARS_SQL)).rows]
        largest = max((y["tweets"] for y in years), default=0) or 1
        for year in years:
            year["url"] = datasette.urls.path(f"/timeline/{int(year['year']):04d}")
            year["others"] = year["tweets"] - year["replies"] - year["retweets"]
            for part in ("others", "replies", "retweets"):
                year[f"{part}_bar"] = round(100 * year[part] / largest, 1)
    lists = {}
    for name, (table, sql) in TOP_LISTS.items():
        rows = []
        if table in tables:
            rows = [dict(row) for row in (await db.execute(sql, {"top": TOP})).rows]
        lists[name] = with_bars(rows)
    for name in ("replied", "retweeted", "mentioned"):
        for row in lists[name]:
            name = row["screen_name"]
            row["url"] = user_url(datasette, name) if SCREEN_NAME.match(name or "") else None
    for row in lists["hashtags"]:
        row["url"] = datasette.urls.path("/hashtag/" + urllib.parse.quote(row["tag"], safe=""))
    for row in lists["domains"]:
        row["url"] = (
            datasette.urls.table(database, "urls")
            + "?"
            + urllib.parse.urlencode({"domain": row["domain"]})
        )
    for row in lists["days"]:
        row["label"] = readable_day(row["day"])
        row["url"] = datasette.urls.path(f"/timeline/{row['day'][:4]}/{row['day'][5:7]}")
    ends = []
    for direction, label in (("asc", "First tweet"), ("desc", "Latest tweet")):
        rows = (await db.execute(FIRST_SQL.format(direction, direction))).rows
        if rows:
            tweets = await load_tweets(db, [rows[0]["id"]])
            if tweets:
                ends.append({"label": label, "tweet": tweets[0]})
    if len(ends) == 2 and ends[0]["tweet"]["id"] == ends[1]["tweet"]["id"]:
        ends = ends[:1]
    return await render_reader_page(
        datasette,
        request,
        "reader_stats.html",
        {
            "totals": totals,
            "first": readable_time(totals.get("first_tweet_at")),
            "last": readable_time(totals.get("last_tweet_at")),
            "years": years,
            "lists": lists,
            "ends": ends,
            "zone_label": zone_label(TIME_ZONE.get()),
            "explore": {
                name: datasette.urls.table(database, table)
                for name, (table, _) in TOP_LISTS.items()
            }
            | {"years": datasette.urls.table(database, "tweets_per_month")},
        },
    )


@hookimpl
def register_routes():
    return [(r"^/stats$", stats_page)]
