"""Days and months in the owner's time zone (issue 18, item 10): the build counts
tweets_per_month and tweets_per_day by the owner's local month and day and stores each day's
UTC range; a month or year page holds the tweets of the local period, on this day lists
those of the local date (today being the owner's), the stats page's busiest days are local
days, and a static copy's days follow. Archives are the profile fixture (account-timezone.js)
with tweets put either side of local midnights, in Tokyo and in New York across summer time.
"""

import json
import re
import shutil
import sqlite3
from collections import Counter
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlite_utils
from click.testing import CliRunner

from etl import schema
from etl.cli import cli
from etl.summaries import create_summaries
from tests.helpers.build import run_build
from tests.helpers.paths import FIXTURES
from tests.helpers.site import make_datasette
from tweet_site import zones
from tweet_site.hooks import reader_on_this_day

PROFILE = FIXTURES / "profile" / "official"
SNOWFLAKE_EPOCH_MS = 1288834974657

# Tokyo is UTC+9 all year.
TOKYO = {
    "mar_31_late": "2021-03-31T14:30:00+00:00",  # Wed 31 Mar, 23:30 JST
    "apr_1_early": "2021-03-31T20:00:00+00:00",  # Thu 1 Apr, 05:00 JST (31 Mar in UTC)
    "apr_1_noon": "2021-04-01T03:00:00+00:00",  # Thu 1 Apr, 12:00 JST
    "may_1": "2021-04-30T16:00:00+00:00",  # Sat 1 May, 01:00 JST (30 Apr in UTC)
    "apr_1_2020": "2020-03-31T23:00:00+00:00",  # Wed 1 Apr 2020, 08:00 JST
}
# New York: EST (UTC-5) in winter, EDT (UTC-4) from 14 March to 7 November 2021.
NEW_YORK = {
    "dec_31_2020": "2021-01-01T04:30:00+00:00",  # Thu 31 Dec 2020, 23:30 EST
    "mar_31": "2021-04-01T03:30:00+00:00",  # Wed 31 Mar, 23:30 EDT (1 Apr in UTC)
    "apr_1": "2021-04-01T04:30:00+00:00",  # Thu 1 Apr, 00:30 EDT (23:30 if it were EST)
    "mar_14": "2021-03-15T03:30:00+00:00",  # Sun 14 Mar, 23:30 EDT: the 23-hour day
    "nov_7": "2021-11-08T04:30:00+00:00",  # Sun 7 Nov, 23:30 EST: the 25-hour day
}


def tweet_id(created_at: str, n: int) -> str:
    """A snowflake id of the moment, as Twitter would have given it."""
    ms = int(datetime.fromisoformat(created_at).timestamp() * 1000)
    return str(((ms - SNOWFLAKE_EPOCH_MS) << 22) + n)


def twitter_date(created_at: str) -> str:
    return datetime.fromisoformat(created_at).strftime("%a %b %d %H:%M:%S +0000 %Y")


def ids_of(tweets: dict) -> dict[str, int]:
    return {name: int(tweet_id(at, n)) for n, (name, at) in enumerate(tweets.items())}


def export(folder, tweets: dict, rails_zone: str):
    """The profile fixture with `tweets` ({name: created_at}) and the owner's zone."""
    shutil.copytree(PROFILE, folder)
    data = folder / "data"
    statuses = [
        {
            "tweet": {
                "id_str": tweet_id(at, n),
                "created_at": twitter_date(at),
                "full_text": f"tweet {name}",
            }
        }
        for n, (name, at) in enumerate(tweets.items())
    ]
    (data / "tweets.js").write_text("window.YTD.tweets.part0 = " + json.dumps(statuses))
    zone_file = [{"accountTimezone": {"timeZone": rails_zone}}]
    (data / "account-timezone.js").write_text(
        "window.YTD.account_timezone.part0 = " + json.dumps(zone_file)
    )
    return folder


def build(tmp_path_factory, name, tweets, rails_zone):
    folder = tmp_path_factory.mktemp(name)
    db_path = folder / "archive.db"
    result = run_build(db_path, export(folder / "export", tweets, rails_zone))
    assert result.exit_code == 0, result.output
    return db_path


@pytest.fixture(scope="module")
def tokyo_db(tmp_path_factory):
    return build(tmp_path_factory, "tokyo", TOKYO, "Tokyo")


@pytest.fixture(scope="module")
def new_york_db(tmp_path_factory):
    return build(tmp_path_factory, "new-york", NEW_YORK, "Eastern Time (US & Canada)")


@pytest.fixture
def tokyo(tokyo_db, metadata, monkeypatch):
    monkeypatch.delenv("TWEET_ARCHIVE_MEDIA_ROOT", raising=False)
    return make_datasette(tokyo_db, metadata)


@pytest.fixture
def new_york(new_york_db, metadata, monkeypatch):
    monkeypatch.delenv("TWEET_ARCHIVE_MEDIA_ROOT", raising=False)
    return make_datasette(new_york_db, metadata)


def rows(db_path, sql):
    db = sqlite3.connect(db_path)
    db.row_factory = sqlite3.Row
    try:
        return [dict(row) for row in db.execute(sql)]
    finally:
        db.close()


def tweet_ids(page):
    return [int(i) for i in re.findall(r'<article class="tweet[^"]*" data-tweet-id="(\d+)"', page)]


async def get(ds, path):
    response = await ds.client.get(path)
    assert response.status_code == 200, (path, response.text[:300])
    return response.text


def test_the_build_counts_local_months_and_days(tokyo_db):
    assert rows(tokyo_db, "select month, tweets from tweets_per_month order by month") == [
        {"month": "2020-04", "tweets": 1},
        {"month": "2021-03", "tweets": 1},
        {"month": "2021-04", "tweets": 2},
        {"month": "2021-05", "tweets": 1},
    ]
    # Each local day with its UTC range, written as created_at is.
    assert rows(tokyo_db, "select day, tweets, starts_at, ends_at from tweets_per_day") == [
        {
            "day": "2020-04-01",
            "tweets": 1,
            "starts_at": "2020-03-31T15:00:00+00:00",
            "ends_at": "2020-04-01T15:00:00+00:00",
        },
        {
            "day": "2021-03-31",
            "tweets": 1,
            "starts_at": "2021-03-30T15:00:00+00:00",
            "ends_at": "2021-03-31T15:00:00+00:00",
        },
        {
            "day": "2021-04-01",
            "tweets": 2,
            "starts_at": "2021-03-31T15:00:00+00:00",
            "ends_at": "2021-04-01T15:00:00+00:00",
        },
        {
            "day": "2021-05-01",
            "tweets": 1,
            "starts_at": "2021-04-30T15:00:00+00:00",
            "ends_at": "2021-05-01T15:00:00+00:00",
        },
    ]


def test_local_days_across_summer_time(new_york_db):
    assert rows(new_york_db, "select month, tweets from tweets_per_month order by month") == [
        {"month": "2020-12", "tweets": 1},
        {"month": "2021-03", "tweets": 2},
        {"month": "2021-04", "tweets": 1},
        {"month": "2021-11", "tweets": 1},
    ]
    assert rows(new_york_db, "select day, starts_at, ends_at from tweets_per_day") == [
        {
            "day": "2020-12-31",
            "starts_at": "2020-12-31T05:00:00+00:00",
            "ends_at": "2021-01-01T05:00:00+00:00",
        },
        # Clocks go forward at 2am: a day of 23 hours.
        {
            "day": "2021-03-14",
            "starts_at": "2021-03-14T05:00:00+00:00",
            "ends_at": "2021-03-15T04:00:00+00:00",
        },
        {
            "day": "2021-03-31",
            "starts_at": "2021-03-31T04:00:00+00:00",
            "ends_at": "2021-04-01T04:00:00+00:00",
        },
        {
            "day": "2021-04-01",
            "starts_at": "2021-04-01T04:00:00+00:00",
            "ends_at": "2021-04-02T04:00:00+00:00",
        },
        # Clocks go back: a day of 25 hours.
        {
            "day": "2021-11-07",
            "starts_at": "2021-11-07T04:00:00+00:00",
            "ends_at": "2021-11-08T05:00:00+00:00",
        },
    ]


@pytest.mark.asyncio
async def test_a_month_page_holds_the_local_months_tweets(tokyo):
    ids = ids_of(TOKYO)
    march = await get(tokyo, "/timeline/2021/03")
    assert tweet_ids(march) == [ids["mar_31_late"]]
    assert "1 tweet, oldest first. Days and times in Tokyo time (Asia/Tokyo)." in march
    april = await get(tokyo, "/timeline/2021/04")
    assert tweet_ids(april) == [ids["apr_1_early"], ids["apr_1_noon"]]
    # The card's date is the same local day the page is about.
    assert "Thu 1 Apr 2021, 05:00 JST" in april
    assert tweet_ids(await get(tokyo, "/timeline/2021/05")) == [ids["may_1"]]
    # The timeline's counts are the pages' (tweets_per_month, counted in Tokyo).
    timeline = (await tokyo.client.get("/timeline.json")).json()
    assert [(row["month"], row["tweets"]) for row in timeline["rows"]] == [
        ("2020-04", 1),
        ("2021-03", 1),
        ("2021-04", 2),
        ("2021-05", 1),
    ]


@pytest.mark.asyncio
async def test_a_year_page_groups_by_local_month(tokyo):
    ids = ids_of(TOKYO)
    page = await get(tokyo, "/timeline/2021")
    headings = re.findall(r"<h2>(\w+ 2021)</h2>", page)
    assert headings == ["March 2021", "April 2021", "May 2021"]
    assert tweet_ids(page) == [
        ids[n] for n in ("mar_31_late", "apr_1_early", "apr_1_noon", "may_1")
    ]


@pytest.mark.asyncio
async def test_months_follow_summer_time(new_york):
    ids = ids_of(NEW_YORK)
    assert tweet_ids(await get(new_york, "/timeline/2020/12")) == [ids["dec_31_2020"]]
    assert tweet_ids(await get(new_york, "/timeline/2021/03")) == [ids["mar_14"], ids["mar_31"]]
    april = await get(new_york, "/timeline/2021/04")
    assert tweet_ids(april) == [ids["apr_1"]]
    assert "Days and times in New York time (America/New_York)." in april


@pytest.mark.asyncio
async def test_on_this_day_lists_the_local_dates_tweets(tokyo, new_york):
    ids = ids_of(TOKYO)
    data = (await tokyo.client.get("/on-this-day.json?date=04-01")).json()
    assert [row["tweet_id"] for row in data["rows"]] == [
        ids["apr_1_noon"],
        ids["apr_1_early"],
        ids["apr_1_2020"],
    ]
    page = await get(tokyo, "/on-this-day?date=03-31")
    assert tweet_ids(page) == [ids["mar_31_late"]]
    assert "Days and times in Tokyo time (Asia/Tokyo)." in page
    page = await get(tokyo, "/on-this-day?date=04-30")
    assert tweet_ids(page) == []
    # The 25-hour day keeps its last hour.
    page = await get(new_york, "/on-this-day?date=11-07")
    assert tweet_ids(page) == [ids_of(NEW_YORK)["nov_7"]]
    assert "Sunday 7 November 2021" in page


class Frozen(datetime):
    """31 March 2026, 20:00 UTC: already 1 April in Tokyo."""

    @classmethod
    def now(cls, tz=None):
        moment = datetime(2026, 3, 31, 20, 0, tzinfo=UTC)
        return moment.astimezone(tz) if tz else moment.replace(tzinfo=None)


@pytest.mark.asyncio
async def test_on_this_day_opens_the_owners_today(tokyo, monkeypatch):
    monkeypatch.setattr(zones, "datetime", Frozen)
    monkeypatch.setattr(reader_on_this_day, "datetime", Frozen, raising=False)
    page = await get(tokyo, "/on-this-day")
    assert "On this day: 1 April" in page
    assert "5 years ago" in page and "6 years ago" in page


@pytest.mark.asyncio
async def test_the_busiest_day_is_a_local_day(tokyo):
    page = await get(tokyo, "/stats")
    days = re.search(r'<section class="stats-section stats-days".*?</section>', page, re.S)
    first = re.search(r'<li>\s*<span class="stats-name">(.*?)</span>', days.group(0), re.S)
    assert first.group(1) == (
        '<a href="/timeline/2021/04"><time datetime="2021-04-01">Thu 1 Apr 2021</time></a>'
    )
    assert "Years, days and times in Tokyo time (Asia/Tokyo)." in page


def test_a_static_copy_has_the_local_days(tokyo_db, tmp_path):
    out = tmp_path / "site"
    result = CliRunner().invoke(
        cli,
        ["publish", str(tokyo_db), "--target", "static"]
        + [
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    written = sorted(p.name for p in (out / "on-this-day").iterdir() if p.is_dir())
    assert written == ["date-03-31", "date-04-01", "date-05-01"]
    ids = ids_of(TOKYO)
    page = (out / "on-this-day/date-04-01/index.html").read_text()
    assert tweet_ids(page) == [ids["apr_1_noon"], ids["apr_1_early"], ids["apr_1_2020"]]
    # The undated page opens today in Tokyo (static/on-this-day.js), among those days.
    undated = (out / "on-this-day/index.html").read_text()
    assert 'data-days="03-31 04-01 05-01" data-zone="Asia/Tokyo"' in undated
    month = (out / "timeline/2021/04/index.html").read_text()
    assert tweet_ids(month) == [ids["apr_1_early"], ids["apr_1_noon"]]


@pytest.mark.parametrize(
    "key",
    ["America/New_York", "Asia/Kathmandu", "Australia/Lord_Howe", "Europe/London", "Asia/Tokyo"],
)
def test_the_summaries_agree_with_each_tweets_own_local_time(key):
    # Tweets every 97 minutes over two years (both changes of clocks, each hour and quarter):
    # the build's quarter-hour arithmetic against zoneinfo converting each tweet. Lord Howe
    # moves its clocks by half an hour, Kathmandu is 5:45 ahead of UTC.
    db = sqlite_utils.Database(memory=True)
    schema.create_tables(db)
    db["users"].insert({"id": 1, "screen_name": "owner", "is_owner": 1})
    db["profile"].insert({"screen_name": "owner", "time_zone_iana": key})
    start = datetime(2020, 12, 25, tzinfo=UTC)
    moments = [start + timedelta(minutes=97 * n) for n in range(11_000)]
    db["tweets"].insert_all(
        {
            "id": n,
            "created_at": moment.isoformat(),
            "kind": ("tweet", "reply", "retweet", "quote")[n % 4],
            "text": "x",
            "user_id": 1,
            "is_retweet": n % 4 == 2,
            "is_latest_version": 1,
            "media_count": n % 3 == 0,
        }
        for n, moment in enumerate(moments)
    )
    create_summaries(db)
    tz = ZoneInfo(key)
    days, months, hours = Counter(), Counter(), Counter()
    for moment in moments:
        here = moment.astimezone(tz)
        days[here.date().isoformat()] += 1
        months[f"{here:%Y-%m}"] += 1
        hours[here.isoweekday(), here.hour] += 1
    assert {r["day"]: r["tweets"] for r in db.query("select * from tweets_per_day")} == days
    assert {r["month"]: r["tweets"] for r in db.query("select * from tweets_per_month")} == months
    assert {
        (r["weekday"], r["hour"]): r["tweets"] for r in db.query("select * from tweets_per_hour")
    } == hours
    # Every tweet lies in its own local day's UTC range, and in no other.
    by_range = {
        r["created_at"]: r["day"]
        for r in db.query(
            "select tweets.created_at, group_concat(tweets_per_day.day) as day from tweets "
            "join tweets_per_day on tweets.created_at >= tweets_per_day.starts_at "
            "and tweets.created_at < tweets_per_day.ends_at group by tweets.id"
        )
    }
    assert by_range == {m.isoformat(): m.astimezone(tz).date().isoformat() for m in moments}
    kinds = db.execute("select sum(quotes), sum(with_media) from tweets_per_month").fetchone()
    assert kinds == (len(moments) // 4, len(range(0, len(moments), 3)))
