"""Tweets per month, from the build's tweets_per_month: the timeline's years and months
(/timeline, .json and .csv), and the years on this day looks in."""

from tweet_site.lists import Query, period, where

COLUMNS = ("month", "tweets", "replies", "retweets", "quotes", "with_media")
SQL = """select
  tweets_per_month.month,
  tweets_per_month.tweets,
  tweets_per_month.replies,
  tweets_per_month.retweets,
  tweets_per_month.quotes,
  tweets_per_month.with_media
from tweets_per_month
{where}
order by tweets_per_month.month"""


def query(args) -> Query:
    """Every month, or those of ?since= and ?until= (years or months, both inclusive)."""
    months, params = period("tweets_per_month.month", args)
    return Query(SQL.format(where=where(*months)), params)
