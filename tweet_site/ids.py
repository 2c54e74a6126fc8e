"""Ids from addresses (a tweet's or an account's page, a media file, a page's cursor), read
one way: SQLite holds signed 64-bit integers, and binding anything larger raises
OverflowError, a server error. A request's id outside that range names nothing the archive
can hold, so it reads as no id at all."""

import re

from tweet_site.core import MAX_ID, MIN_ID

# ASCII digits only: int() also reads "١٢", " 12 " and "1_2", and 4,300 digits make it raise.
_ID = re.compile(r"-?[0-9]{1,20}")


def in_id_range(value: int) -> bool:
    return MIN_ID <= value <= MAX_ID


def parse_id(text) -> int | None:
    """The id `text` spells, or None when it is anything else or outside SQLite's range."""
    if not isinstance(text, str) or not _ID.fullmatch(text):
        return None
    value = int(text)
    return value if in_id_range(value) else None
