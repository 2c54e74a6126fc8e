"""The owner's time zone: Twitter names it the way Ruby on Rails does ("Eastern Time (US &
Canada)", account-timezone.js), and times are shown in the IANA zone that name stands for.
Days and months are the owner's local ones too: a local day or month is a range of UTC
moments, written as tweets.created_at is ('2021-03-31T15:00:00+00:00') so that the site
finds its tweets by comparing strings over the created_at index.
Standard library only: the build (its summaries) and the site (its dates) both import it.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

# ActiveSupport::TimeZone::MAPPING (Rails 7.1, activesupport/lib/active_support/values/
# time_zone.rb): every name Twitter's settings offered, to its IANA zone.
RAILS_ZONES = {
    "International Date Line West": "Etc/GMT+12",
    "Midway Island": "Pacific/Midway",
    "American Samoa": "Pacific/Pago_Pago",
    "Hawaii": "Pacific/Honolulu",
    "Alaska": "America/Juneau",
    "Pacific Time (US & Canada)": "America/Los_Angeles",
    "Tijuana": "America/Tijuana",
    "Mountain Time (US & Canada)": "America/Denver",
    "Arizona": "America/Phoenix",
    "Chihuahua": "America/Chihuahua",
    "Mazatlan": "America/Mazatlan",
    "Central Time (US & Canada)": "America/Chicago",
    "Saskatchewan": "America/Regina",
    "Guadalajara": "America/Mexico_City",
    "Mexico City": "America/Mexico_City",
    "Monterrey": "America/Monterrey",
    "Central America": "America/Guatemala",
    "Eastern Time (US & Canada)": "America/New_York",
    "Indiana (East)": "America/Indiana/Indianapolis",
    "Bogota": "America/Bogota",
    "Lima": "America/Lima",
    "Quito": "America/Lima",
    "Atlantic Time (Canada)": "America/Halifax",
    "Caracas": "America/Caracas",
    "La Paz": "America/La_Paz",
    "Santiago": "America/Santiago",
    "Newfoundland": "America/St_Johns",
    "Brasilia": "America/Sao_Paulo",
    "Buenos Aires": "America/Argentina/Buenos_Aires",
    "Montevideo": "America/Montevideo",
    "Georgetown": "America/Guyana",
    "Puerto Rico": "America/Puerto_Rico",
    "Greenland": "America/Godthab",
    "Mid-Atlantic": "Atlantic/South_Georgia",
    "Azores": "Atlantic/Azores",
    "Cape Verde Is.": "Atlantic/Cape_Verde",
    "Dublin": "Europe/Dublin",
    "Edinburgh": "Europe/London",
    "Lisbon": "Europe/Lisbon",
    "London": "Europe/London",
    "Casablanca": "Africa/Casablanca",
    "Monrovia": "Africa/Monrovia",
    "UTC": "Etc/UTC",
    "Belgrade": "Europe/Belgrade",
    "Bratislava": "Europe/Bratislava",
    "Budapest": "Europe/Budapest",
    "Ljubljana": "Europe/Ljubljana",
    "Prague": "Europe/Prague",
    "Sarajevo": "Europe/Sarajevo",
    "Skopje": "Europe/Skopje",
    "Warsaw": "Europe/Warsaw",
    "Zagreb": "Europe/Zagreb",
    "Brussels": "Europe/Brussels",
    "Copenhagen": "Europe/Copenhagen",
    "Madrid": "Europe/Madrid",
    "Paris": "Europe/Paris",
    "Amsterdam": "Europe/Amsterdam",
    "Berlin": "Europe/Berlin",
    "Bern": "Europe/Zurich",
    "Zurich": "Europe/Zurich",
    "Rome": "Europe/Rome",
    "Stockholm": "Europe/Stockholm",
    "Vienna": "Europe/Vienna",
    "West Central Africa": "Africa/Algiers",
    "Bucharest": "Europe/Bucharest",
    "Cairo": "Africa/Cairo",
    "Helsinki": "Europe/Helsinki",
    "Kyiv": "Europe/Kiev",
    "Riga": "Europe/Riga",
    "Sofia": "Europe/Sofia",
    "Tallinn": "Europe/Tallinn",
    "Vilnius": "Europe/Vilnius",
    "Athens": "Europe/Athens",
    "Istanbul": "Europe/Istanbul",
    "Minsk": "Europe/Minsk",
    "Jerusalem": "Asia/Jerusalem",
    "Harare": "Africa/Harare",
    "Pretoria": "Africa/Johannesburg",
    "Kaliningrad": "Europe/Kaliningrad",
    "Moscow": "Europe/Moscow",
    "St. Petersburg": "Europe/Moscow",
    "Volgograd": "Europe/Volgograd",
    "Samara": "Europe/Samara",
    "Kuwait": "Asia/Kuwait",
    "Riyadh": "Asia/Riyadh",
    "Nairobi": "Africa/Nairobi",
    "Baghdad": "Asia/Baghdad",
    "Tehran": "Asia/Tehran",
    "Abu Dhabi": "Asia/Muscat",
    "Muscat": "Asia/Muscat",
    "Baku": "Asia/Baku",
    "Tbilisi": "Asia/Tbilisi",
    "Yerevan": "Asia/Yerevan",
    "Kabul": "Asia/Kabul",
    "Ekaterinburg": "Asia/Yekaterinburg",
    "Islamabad": "Asia/Karachi",
    "Karachi": "Asia/Karachi",
    "Tashkent": "Asia/Tashkent",
    "Chennai": "Asia/Kolkata",
    "Kolkata": "Asia/Kolkata",
    "Mumbai": "Asia/Kolkata",
    "New Delhi": "Asia/Kolkata",
    "Kathmandu": "Asia/Kathmandu",
    "Astana": "Asia/Dhaka",
    "Dhaka": "Asia/Dhaka",
    "Sri Jayawardenepura": "Asia/Colombo",
    "Almaty": "Asia/Almaty",
    "Novosibirsk": "Asia/Novosibirsk",
    "Rangoon": "Asia/Rangoon",
    "Bangkok": "Asia/Bangkok",
    "Hanoi": "Asia/Bangkok",
    "Jakarta": "Asia/Jakarta",
    "Krasnoyarsk": "Asia/Krasnoyarsk",
    "Beijing": "Asia/Shanghai",
    "Chongqing": "Asia/Chongqing",
    "Hong Kong": "Asia/Hong_Kong",
    "Urumqi": "Asia/Urumqi",
    "Kuala Lumpur": "Asia/Kuala_Lumpur",
    "Singapore": "Asia/Singapore",
    "Taipei": "Asia/Taipei",
    "Perth": "Australia/Perth",
    "Irkutsk": "Asia/Irkutsk",
    "Ulaanbaatar": "Asia/Ulaanbaatar",
    "Seoul": "Asia/Seoul",
    "Osaka": "Asia/Tokyo",
    "Sapporo": "Asia/Tokyo",
    "Tokyo": "Asia/Tokyo",
    "Yakutsk": "Asia/Yakutsk",
    "Darwin": "Australia/Darwin",
    "Adelaide": "Australia/Adelaide",
    "Canberra": "Australia/Melbourne",
    "Melbourne": "Australia/Melbourne",
    "Sydney": "Australia/Sydney",
    "Brisbane": "Australia/Brisbane",
    "Hobart": "Australia/Hobart",
    "Vladivostok": "Asia/Vladivostok",
    "Guam": "Pacific/Guam",
    "Port Moresby": "Pacific/Port_Moresby",
    "Magadan": "Asia/Magadan",
    "Srednekolymsk": "Asia/Srednekolymsk",
    "Solomon Is.": "Pacific/Guadalcanal",
    "New Caledonia": "Pacific/Noumea",
    "Fiji": "Pacific/Fiji",
    "Kamchatka": "Asia/Kamchatka",
    "Marshall Is.": "Pacific/Majuro",
    "Auckland": "Pacific/Auckland",
    "Wellington": "Pacific/Auckland",
    "Nuku'alofa": "Pacific/Tongatapu",
    "Tokelau Is.": "Pacific/Fakaofo",
    "Chatham Is.": "Pacific/Chatham",
    "Samoa": "Pacific/Apia",
    # Names of older Rails versions, still in accounts that chose them then.
    "Kyev": "Europe/Kiev",
    "Ulaan Bataar": "Asia/Ulaanbaatar",
}
# The longest zone name or IANA key taken from an archive.
MAX_NAME = 64


def iana_zone(name: str | None) -> str | None:
    """The IANA key of a Rails zone name (or of an IANA key itself, as some exports may
    write it); None when it names no zone this machine knows."""
    if not isinstance(name, str) or not name.strip() or len(name) > MAX_NAME:
        return None
    name = name.strip()
    key = RAILS_ZONES.get(name, name)
    return key if zone(key) is not None else None


@lru_cache(maxsize=64)
def zone(key: str | None) -> tzinfo | None:
    """The zone of an IANA key, None for an unknown one (or none given)."""
    if not key or key in ("UTC", "Etc/UTC"):
        return UTC if key else None
    try:
        return ZoneInfo(key)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return None


def place(key: str) -> str:
    """'Asia/Tokyo' -> 'Tokyo', 'America/Argentina/Buenos_Aires' -> 'Buenos Aires'."""
    return key.rsplit("/", 1)[-1].replace("_", " ")


def zone_label(key: str | None) -> str:
    """How a page names the zone its times are in: 'Tokyo time (Asia/Tokyo)', or 'UTC'."""
    found = zone(key)
    if found in (None, UTC):
        return "UTC"
    if key.startswith("Etc/"):
        # (Etc/GMT+12 is twelve hours behind UTC: POSIX signs.)
        return abbreviation(datetime(2000, 1, 1, tzinfo=UTC).astimezone(found))
    return f"{place(key)} time ({key})"


def local(moment: datetime, key: str | None) -> datetime:
    """An aware moment in the zone `key` (UTC when it is unknown)."""
    return moment.astimezone(zone(key) or UTC)


def abbreviation(moment: datetime) -> str:
    """The zone's abbreviation at an aware moment: 'JST', 'EDT', 'UTC', or 'UTC+04' for the
    zones whose abbreviation is only their offset."""
    name = moment.tzname() or "UTC"
    if name[:1] in "+-":
        return "UTC" + name
    return name


def utc_text(moment: datetime) -> str:
    """An aware moment as tweets.created_at writes it: '2021-03-31T15:00:00+00:00'."""
    return moment.astimezone(UTC).replace(microsecond=0).isoformat()


def day_start(day: date, key: str | None) -> datetime:
    """The first moment of the local date `day` in the zone `key` (UTC when unknown). A
    midnight that summer time skips (clocks going from 23:59 to 01:00) is taken at the
    offset before the change, which is the moment the day begins."""
    return datetime(day.year, day.month, day.day, tzinfo=zone(key) or UTC).astimezone(UTC)


def day_bounds(day: date, key: str | None) -> tuple[str, str]:
    """The UTC range [start, end) of a local day, as created_at strings."""
    return utc_text(day_start(day, key)), utc_text(day_start(day + timedelta(days=1), key))


def month_bounds(year: int, month: int | None, key: str | None) -> tuple[str, str]:
    """The UTC range [start, end) of a local month (or of a whole year when `month` is
    None), as created_at strings."""
    if month is None:
        first, following = date(year, 1, 1), date(year + 1, 1, 1)
    else:
        first = date(year, month, 1)
        following = date(year + (month == 12), month % 12 + 1, 1)
    return utc_text(day_start(first, key)), utc_text(day_start(following, key))


def local_date(value: str, key: str | None) -> date | None:
    """The owner's local date of a created_at string, None when it is not a date."""
    try:
        moment = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return None
    return local(moment if moment.tzinfo else moment.replace(tzinfo=UTC), key).date()


def today(key: str | None) -> date:
    """Today's date where the owner lives."""
    return local(datetime.now(UTC), key).date()
