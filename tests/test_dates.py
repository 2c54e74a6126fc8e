import pytest

from etl.dates import parse_twitter_date


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Wed Jun 05 20:15:29 +0000 2019", "2019-06-05T20:15:29+00:00"),
        ("Sat Jun 01 02:30:00 +0000 2019", "2019-06-01T02:30:00+00:00"),
        ("Mon Jan 01 00:30:00 +0100 2018", "2017-12-31T23:30:00+00:00"),
        ("Tue Feb 29 12:00:00 +0000 2000", "2000-02-29T12:00:00+00:00"),
        ("Wed Jan 99 10:00:00 +0000 2020", None),
        ("Wed Foo 01 10:00:00 +0000 2020", None),
        ("2019-06-05 20:15:29", None),
        ("", None),
        ("Mon Jan 01 00:00:00 +0100 0001", None),  # before year 1 in UTC
        ("Fri Dec 31 23:59:59 -0100 9999", None),  # after year 9999 in UTC
        ("Mon Jan 01 00:00:00 +0000 0001", "0001-01-01T00:00:00+00:00"),
        ("Mon Jan 01 00:00:00 +2400 2020", None),
    ],
)
def test_parse_twitter_date(text, expected):
    assert parse_twitter_date(text) == expected
