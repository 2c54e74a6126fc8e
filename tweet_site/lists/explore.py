"""Canned queries for what explorers need that no reader page gives: a whole conversation as
rows, everything with one account (also where an account has no page), the located tweets on
a map, and the top accounts, hashtags and sites of a period (the stats page counts the whole
archive)."""

# A period of tweets: since and until are dates or their beginnings (2019, 2019-06), both
# inclusive; empty is no limit (Datasette passes a missing parameter as '').
PERIOD = """{column} >= coalesce(nullif(:since, ''), '0000')
  and {column} < coalesce(nullif(:until, ''), '9999') || 'z'"""
PERIOD_HELP = "since and until are dates or prefixes (2019, 2019-06), both inclusive."


def period(column: str) -> str:
    """The PERIOD clauses over `column`, for a `where` at the start of a line."""
    return PERIOD.format(column=column)


def exchanges(accounts: str, names: str) -> str:
    """The ids of the tweets by, replying to, mentioning or retweeting the accounts whose ids
    `accounts` lists and whose @names `names` lists (SQL lists, like `(:id)`): the account
    page's tweets (hooks/user_page.py) and with_user's."""
    return f"""select id from tweets where user_id in {accounts}
union
select id from tweets where in_reply_to_user_id in {accounts}
union
select tweet_id from mentions where user_id in {accounts}
union
select id from tweets where retweeted_screen_name in {names}"""


CONVERSATION = {
    "title": "Conversation",
    "description": "The whole reply tree a tweet belongs to, as far as the archive has it: "
    "from the first tweet of the conversation down to every reply (depth 0 is the first "
    "tweet). id is any tweet's id.",
    "hide_sql": True,
    "params": ["id"],
    "sql": """with recursive
up(id, parent, depth) as (
  select id, in_reply_to_id, 0 from tweets where id = cast(:id as integer)
  union all
  select tweets.id, tweets.in_reply_to_id, up.depth + 1
  from up
  join tweets on tweets.id = up.parent
  where up.depth < 100
),
root as (
  select id from up order by depth desc limit 1
),
down(id, depth, path) as (
  select id, 0, printf('%020d', id) from root
  union all
  select tweets.id, down.depth + 1, down.path || '/' || printf('%020d', tweets.id)
  from down
  join tweets on tweets.in_reply_to_id = down.id
  where down.depth < 100
)
select
  tweets.id as tweet_id,
  down.depth,
  tweets.created_at,
  users.screen_name,
  tweets.text,
  tweets.media_count
from down
join tweets on tweets.id = down.id
left join users on users.id = tweets.user_id
order by down.path
limit 1000""",
}

WITH_USER = {
    "title": "Everything with one account",
    "description": "Every tweet by, to, about or retweeting one account (screen_name, with or "
    "without @).",
    "hide_sql": True,
    "params": ["screen_name"],
    "sql": """with target as (
  select id, screen_name
  from users
  where screen_name = ltrim(trim(:screen_name), '@') collate nocase
),
ids as (
  """
    + exchanges("(select id from target)", "(select screen_name from target)").replace("\n", "\n  ")
    + """
)
select
  tweets.id as tweet_id,
  tweets.created_at,
  case
    when tweets.user_id in (select id from target) then 'by them'
    when tweets.retweeted_screen_name in (select screen_name from target)
      then 'retweet of them'
    when tweets.in_reply_to_user_id in (select id from target) then 'reply to them'
    else 'mentions them'
  end as relation,
  tweets.text,
  tweets.media_count
from tweets
where tweets.id in (select id from ids)
  and tweets.is_latest_version
order by tweets.created_at desc
limit 1000""",
}

GEOTAGGED = {
    "title": "Tweets on a map",
    "description": "Geotagged tweets on a map; each marker links to its tweet. " + PERIOD_HELP,
    "hide_sql": True,
    "params": ["since", "until"],
    "sql": f"""select
  located_tweets.id as tweet_id,
  located_tweets.created_at,
  located_tweets.latitude,
  located_tweets.longitude,
  located_tweets.text,
  located_tweets.popup
from (select 1 from archive_totals where geotagged > 0) as any_located
cross join located_tweets
where {period("located_tweets.created_at")}
order by located_tweets.created_at desc
limit 1000""",
}


def top(title, description, summary, key, label, count, joins, conditions=()):
    """The top 100 of a period: the build's summary table `summary` when no period is asked
    (at once), else counted from the tweets of the period. `key` is the column the summary
    and the count are grouped by, `label` what is shown for it, `count` the count's name."""
    shown = ",\n  ".join(label)
    counted = ",\n  ".join(f"{joins[-1][0]}.{column}" for column in label)
    joined = "\n".join(f"join {table} on {on}" for table, on in joins)
    kept = "\n  and ".join([*conditions, "tweets.is_latest_version = 1"])
    return {
        "title": title,
        "description": f"{description} {PERIOD_HELP}",
        "hide_sql": True,
        "params": ["since", "until"],
        "sql": f"""select
  {shown},
  {count},
  first,
  last
from {summary}
where :since = '' and :until = ''
union all
select
  {counted},
  count(*),
  min(tweets.created_at),
  max(tweets.created_at)
from tweets
{joined}
where not (:since = '' and :until = '')
  and {kept}
  and {period("tweets.created_at")}
group by {key}
order by {count} desc, {label[0]}
limit 100""",
    }


TOP_MENTIONS = top(
    "Most mentioned accounts",
    "The accounts the owner mentioned, replied to or retweeted most.",
    "mention_counts",
    "mentions.user_id",
    ["screen_name", "name"],
    "tweets",
    [("mentions", "mentions.tweet_id = tweets.id"), ("users", "users.id = mentions.user_id")],
    ["users.is_owner = 0"],
)
TOP_HASHTAGS = top(
    "Most used hashtags",
    "Hashtags by the number of tweets using them.",
    "hashtag_counts",
    "hashtags.tag",
    ["tag"],
    "tweets",
    [("hashtags", "hashtags.tweet_id = tweets.id")],
)
TOP_DOMAINS = top(
    "Most linked sites",
    "Web sites by the number of links to them.",
    "domain_counts",
    "urls.domain",
    ["domain"],
    "links",
    [("urls", "urls.tweet_id = tweets.id")],
)
