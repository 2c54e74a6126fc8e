"""The explorers' search, as canned queries: `search` (the 100 best matches among the newest
1,000 of each index, with the matches marked, as JSON and CSV) and `search_feed` (the newest
50 matches, as Atom). Both find the matches with the same CTEs, written once here; the SQL
functions they call (search_mode(), search_candidates()...) are hooks/search_sql.py's, over
the parser the reader's /search page uses too (tweet_site/search_query.py)."""

import textwrap

from tweet_site.lists.feeds import FIRST_DAY, entry, placeholder
from tweet_site.search_query import MAX_GROUPS


def holds_a_group_term(text: str) -> str:
    """SQL true when `text` (a column) holds a term of some OR-group of :q, found in C: then
    only the tweets holding one are checked by search_contains(), in Python, which holds the
    GIL."""
    found = [f"instr({text}, search_group_term(:q, {i})) > 0" for i in range(MAX_GROUPS)]
    return "(\n  " + "\n  or ".join(found) + "\n)"


def matches(limit: int, ranked: bool) -> str:
    """The CTEs `words`, `grams` and `substrings` (the newest `limit` matches of the word
    index, of the substring index and of a scan, whichever the query's plan uses) and
    `hits`, their union, each a (rowid, rank, snippet) row: ranked as FTS5's bm25 ranks them
    and marked, or (`ranked` false) rank 0 and no snippet, for a list newest first. A ranked
    search also needs the `ranking` CTE (RANKING) before these."""
    words = "rank, highlight(tweets_fts, 0, char(2), char(3)) as snippet" if ranked else "rank"
    rank = "search_rank(:q, {text}, (select stats from ranking))" if ranked else "0"
    snippet = ",\n    null as snippet" if ranked else ""
    return f"""words as (
  select rowid, {words}
  from tweets_fts
  where search_mode(:q) = 'words'
    and tweets_fts match search_match(:q)
  order by rowid desc
  limit {limit}
),
grams as (
  select
    tweets.id as rowid,
    {rank.format(text="tweets.text")} as rank{snippet}
  from tweets_trigram
  join tweets on tweets.id = tweets_trigram.rowid
  where search_plan(:q) = 'index'
    and tweets_trigram match search_candidates(:q)
    and tweets.text like search_prefilter(:q) escape '\\'
    and search_contains(:q, tweets.text)
  order by tweets_trigram.rowid desc
  limit {limit}
),
substrings as (
  select
    id as rowid,
    {rank.format(text="text")} as rank{snippet}
  from tweets
  where search_plan(:q) = 'scan'
    and {textwrap.indent(holds_a_group_term("text"), "    ").lstrip()}
    and search_contains(:q, text)
  order by id desc
  limit {limit}
),
hits as (
  select * from words
  union all
  select * from grams
  union all
  select * from substrings
)"""


# What search_rank() needs to give the bm25 FTS5 would over a trigram index of every whole
# text (the index this site had before): the number of tweets and trigrams, and how many
# tweets hold each phrase.
RANKING = """phrases as materialized (
  select
    json_extract(value, '$[0]') as phrase,
    json_extract(value, '$[1]') as indexed,
    json_extract(value, '$[2]') as candidates,
    json_extract(value, '$[3]') as pattern,
    json_extract(value, '$[4]') as exact_pattern,
    json_extract(value, '$[5]') as ascii,
    json_extract(value, '$[6]') as wanted
  from json_each(search_phrases(:q))
  where search_mode(:q) = 'trigram'
),
ranking as (
  select json_array(tweets, trigrams, (
    select json_group_array(
      case
        -- bm25 orders the rows of one wanted phrase alike whatever its weight, and
        -- an excluded phrase is in no row: no need to count them.
        when not wanted or (select count(*) from phrases where wanted) < 2 then 0
        when indexed then (
          select count(*)
          from tweets_trigram
          where tweets_trigram match search_quote(phrase)
        )
        when candidates is not null then (
          select count(*)
          from tweets_trigram
          join tweets on tweets.id = tweets_trigram.rowid
          where tweets_trigram match candidates
            and tweets.text like pattern escape '\\'
            and case
              when exact_pattern is null then search_has(tweets.text, phrase)
              else tweets.text glob exact_pattern
            end
        )
        else (
          select count(*)
          from tweets
          where text like pattern escape '\\'
            and (
              ascii
              or case
                when exact_pattern is null then search_has(text, phrase)
                else text glob exact_pattern
              end
            )
        )
      end
    )
    from phrases
  )) as stats
  from tweets_trigram_stats
  where search_mode(:q) = 'trigram'
)"""

SEARCH_SQL = f"""with {RANKING},
{matches(1000, ranked=True)},
top as (
  select * from hits
  order by rank, rowid desc
  limit 100
)
select
  tweets.id as tweet_id,
  tweets.created_at,
  users.screen_name,
  tweets.kind,
  coalesce(top.snippet, search_highlight(:q, tweets.text)) as snippet,
  tweets.favorite_count as likes
from top
join tweets on tweets.id = top.rowid
left join users on users.id = tweets.user_id
order by top.rank, tweets.id desc"""

FEED_SQL = (
    f"""with {matches(50, ranked=False)}
select
  {entry(2)}
from hits
join tweets on tweets.id = hits.rowid
left join users on users.id = tweets.user_id
where tweets.is_latest_version = 1
union all
"""
    + placeholder(
        "no-match",
        "No tweet matches this search",
        f"coalesce((select max(created_at) from tweets), {FIRST_DAY})",
        "No tweet in the archive matches this search.",
        "select 1 from hits",
    )
    + "\norder by atom_updated desc\nlimit 50"
)

SEARCH = {
    "title": "Search tweets",
    "description": 'Words in any language (English words match their other forms: "run" finds '
    '"running"); "a phrase", prefix*, -exclude, this OR that. Japanese and Chinese match any '
    "part of the text. The newest 1,000 matches are ranked by relevance.",
    "hide_sql": True,
    "params": ["q"],
    "sql": SEARCH_SQL,
}
SEARCH_FEED = {
    "title": "Tweets matching a search",
    "description": "The search query as an Atom feed (add .atom to this page's address).",
    "hide_sql": True,
    "params": ["q"],
    "sql": FEED_SQL,
}
