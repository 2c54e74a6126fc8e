"""Twitter's date formats, parsed without locale dependence (strptime's %a/%b follow LC_TIME)."""

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
    if not match or match["mon"] not in MONTHS:
        return None
    tz = match["tz"]
    offset = timedelta(hours=int(tz[1:3]), minutes=int(tz[3:5])) * (1 if tz[0] == "+" else -1)
    try:
        moment = datetime(
            int(match["year"]),
            MONTHS[match["mon"]],
            int(match["day"]),
            int(match["h"]),
            int(match["m"]),
            int(match["s"]),
            tzinfo=timezone(offset),
        ).astimezone(UTC)
    except (ValueError, OverflowError):  # OverflowError: the UTC moment is outside years 1-9999
        return None
    return moment.isoformat()
