"""Dates as the archives write them, parsed without locale dependence (strptime's %a/%b
follow LC_TIME), all returned as ISO 8601 UTC."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone

MONTHS = {m: i for i, m in enumerate("Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split(), 1)}

# "Wed Jun 05 20:15:29 +0000 2019"
TWITTER_DATE = re.compile(
    r"^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) (?P<mon>[A-Z][a-z]{2}) (?P<day>\d{1,2}) "
    r"(?P<h>\d\d):(?P<m>\d\d):(?P<s>\d\d) (?P<tz>[+-]\d{4}) (?P<year>\d{4})$"
)


def parse_twitter_date(value: str) -> str | None:
    """'Wed Jun 05 20:15:29 +0000 2019' -> '2019-06-05T20:15:29+00:00'; None if malformed."""
    match = TWITTER_DATE.match(value.strip())
    if not match:
        return None
    month, day, hour, minute, second, tz, year = match.groups()
    month = MONTHS.get(month)
    if month is None:
        return None
    try:
        moment = datetime(int(year), month, int(day), int(hour), int(minute), int(second))
        if tz != "+0000":  # exports write UTC; other offsets are rare enough to convert slowly
            offset = timedelta(hours=int(tz[1:3]), minutes=int(tz[3:5]))
            zone = timezone(offset if tz[0] == "+" else -offset)
            moment = moment.replace(tzinfo=zone).astimezone(UTC).replace(tzinfo=None)
    except (ValueError, OverflowError):  # OverflowError: the UTC moment is outside years 1-9999
        return None
    return moment.isoformat() + "+00:00"


# Grailbird's later form: "2013-11-26 08:12:34 +0000"
ISO_SPACE_DATE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d [+-]\d{4}$")


def parse_created_at(value: str) -> str | None:
    """A tweet's created_at in either form exports used (Twitter's, or Grailbird's later
    '2013-11-26 08:12:34 +0000') -> ISO 8601 UTC; None if malformed."""
    if not isinstance(value, str):
        return None
    try:
        if ISO_SPACE_DATE.match(value.strip()):
            moment = datetime.strptime(value.strip(), "%Y-%m-%d %H:%M:%S %z")
            return moment.astimezone(UTC).isoformat()
        return parse_twitter_date(value)
    except (ValueError, OverflowError):  # year 1 or 9999 pushed out of range by its offset
        return None


def normalise_iso(value) -> str | None:
    """'2023-10-13T14:58:50.000Z' → '2023-10-13T14:58:50+00:00'."""
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        if moment.tzinfo is None:
            return None
        return moment.replace(microsecond=0).astimezone(UTC).isoformat()
    except (ValueError, OverflowError):  # year 1 or 9999 pushed out of range by its offset
        return None


def any_date(value) -> str | None:
    """deleted_at comes as ISO 8601 or in Twitter's created_at form, depending on the export."""
    return normalise_iso(value) or parse_created_at(value)


def epoch(iso: str) -> int:
    """An ISO 8601 moment as a Unix time."""
    return int(datetime.fromisoformat(iso).timestamp())


SNOWFLAKE_EPOCH_MS = 1288834974657
FIRST_SNOWFLAKE = 29700859247  # ids below this predate snowflakes (Nov 2010)


def snowflake_time(tweet_id: int) -> str | None:
    """When a tweet was posted, from its id (ids before November 2010 carry no time)."""
    if tweet_id < FIRST_SNOWFLAKE:
        return None
    ms = (tweet_id >> 22) + SNOWFLAKE_EPOCH_MS
    return datetime.fromtimestamp(ms // 1000, tz=UTC).isoformat()
