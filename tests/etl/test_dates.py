import pytest

from etl.dates import any_date, normalise_iso, parse_created_at, parse_twitter_date, snowflake_time


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


@pytest.mark.parametrize(
    "value, expected",
    [
        ("Sat Apr 13 16:42:51 +0000 2013", "2013-04-13T16:42:51+00:00"),
        ("2013-11-26 08:12:34 +0000", "2013-11-26T08:12:34+00:00"),
        ("2013-11-26 09:12:34 +0100", "2013-11-26T08:12:34+00:00"),
        ("yesterday", None),
        (None, None),
    ],
)
def test_both_grailbird_date_forms(value, expected):
    assert parse_created_at(value) == expected


@pytest.mark.parametrize(
    "value, expected",
    [
        ("2023-10-13T14:58:50.000Z", "2023-10-13T14:58:50+00:00"),
        ("2023-10-13T16:58:50+02:00", "2023-10-13T14:58:50+00:00"),
        ("2023-10-13T14:58:50", None),  # no time zone: no moment
        ("0001-01-01T00:30:00+01:00", None),  # before year 1 in UTC
        (5, None),
    ],
)
def test_normalise_iso(value, expected):
    assert normalise_iso(value) == expected


@pytest.mark.parametrize(
    "value, expected",
    [
        ("2023-10-13T14:58:50.000Z", "2023-10-13T14:58:50+00:00"),
        ("Sat Apr 13 16:42:51 +0000 2013", "2013-04-13T16:42:51+00:00"),
        ("soon", None),
    ],
)
def test_any_date_takes_either_form_of_deleted_at(value, expected):
    assert any_date(value) == expected


@pytest.mark.parametrize(
    "tweet_id, expected",
    [
        (1136365946841513984, "2019-06-05T20:15:29+00:00"),
        (29700859247, "2010-11-04T01:43:01+00:00"),
        (29700859246, None),  # before snowflakes: the id carries no time
    ],
)
def test_snowflake_time(tweet_id, expected):
    assert snowflake_time(tweet_id) == expected
