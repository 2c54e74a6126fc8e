"""The Atom feeds, as canned queries datasette-atom renders from their atom_* columns: the
newest tweets (/archive/latest.atom, ?kind=) and a search's newest matches (search.py's
search_feed). An entry's columns are written here once for both."""

import textwrap

# A tweet (`tweets`, its author `users`) as a feed entry: feed_text.py's SQL functions make
# the text XML can carry, a title cut at a word and links to the archive's own pages.
ENTRY = """xml_text(coalesce(tweets.url, 'https://twitter.com/i/status/' || tweets.id)) as atom_id,
feed_title(users.screen_name, tweets.text) as atom_title,
tweets.created_at as atom_updated,
feed_html(tweets.text) as atom_content_html,
feed_link(tweets.id) as atom_link,
xml_text(users.screen_name) as atom_author_name"""
# The day Twitter began: the `updated` of an entry saying there is none.
FIRST_DAY = "'2006-03-21T00:00:00+00:00'"


def entry(indent: int) -> str:
    """The entry columns, indented to sit under a `select` indented `indent - 2`."""
    return textwrap.indent(ENTRY, " " * indent).lstrip()


def placeholder(urn: str, title: str, updated: str, content: str, unless: str) -> str:
    """One entry saying why the feed has no other (a feed reader shows an empty feed as
    broken), when `unless` (a condition) is false."""
    return f"""select
  'urn:tweet-archive:{urn}',
  '{title}',
  {updated},
  '{content}',
  'https://twitter.com/',
  null
where not exists (
  {unless}
)"""


LATEST_SQL = f"""select * from (
  select
    {entry(4)}
  from tweets
  left join users on users.id = tweets.user_id
  where (:kind = '' or tweets.kind = :kind)
    and tweets.is_latest_version = 1
  order by tweets.created_at desc
  limit 50
)
union all
""" + placeholder(
    "empty",
    "No tweets",
    FIRST_DAY,
    "The archive has no tweets of that kind.",
    "select 1 from tweets where :kind = '' or tweets.kind = :kind",
)
LATEST = {
    "title": "Latest tweets",
    "description": "The 50 newest tweets, as an Atom feed (add .atom to this page's address). "
    "kind can be tweet, reply, retweet or quote.",
    "params": ["kind"],
    "sql": LATEST_SQL,
}
