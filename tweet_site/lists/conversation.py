"""A conversation as readers get it (/conversation/<id>, .json and .csv): a tweet, the
tweets it replies to as far up as the archive has them, and the replies to it (and to
those) the archive holds, in one flat list, oldest first. The explorers' canned query
`conversation` (explore.py) gives the whole reply tree instead."""

from tweet_site.lists import Query

# The most tweets a page shows (then it says it is cut); the walks up and down stop at
# LIMIT rows each, so a hostile chain (a tweet replying to itself) ends too.
LIMIT = 500
COLUMNS = ("tweet_id", "in_reply_to_id", "created_at", "screen_name", "text", "media_count")
# up: the opened tweet, its parent, the parent's parent... (the last may be missing from the
# archive: the join leaves it out). down: the replies, latest versions only.
SQL = """with recursive
up(id) as (
  select :id
  union all
  select tweets.in_reply_to_id
  from up
  join tweets on tweets.id = up.id
  where tweets.in_reply_to_id is not null
  limit :limit
),
down(id) as (
  select :id
  union all
  select tweets.id
  from down
  join tweets on tweets.in_reply_to_id = down.id
  where tweets.is_latest_version = 1
  limit :limit
),
thread(id) as (
  select id from up
  union
  select id from down
)
select
  tweets.id as tweet_id,
  tweets.in_reply_to_id,
  tweets.in_reply_to_screen_name,
  tweets.created_at,
  users.screen_name,
  tweets.text,
  tweets.media_count
from thread
join tweets on tweets.id = thread.id
left join users on users.id = tweets.user_id
order by tweets.created_at, tweets.id
limit :size"""


def query(tweet_id: int) -> Query:
    return Query(SQL, {"id": tweet_id, "limit": LIMIT})
