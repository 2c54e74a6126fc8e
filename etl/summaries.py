"""Summary tables built once at the end of a build, so the site never scans every tweet to
draw a chart or count the archive."""

from __future__ import annotations

import sqlite_utils


def create_summaries(db: sqlite_utils.Database) -> None:
    db.execute(
        """
        create table tweets_per_month as
        select
          substr(created_at, 1, 7) as month,
          count(*) as tweets,
          sum(kind = 'reply') as replies,
          sum(kind = 'retweet') as retweets,
          sum(kind = 'quote') as quotes,
          sum(media_count > 0) as with_media
        from tweets
        group by month
        order by month
        """
    )
