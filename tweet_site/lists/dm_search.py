"""The SQL of the private site's search of direct messages (/messages/search): the matches in
dm_messages found through its two indexes (etl/search_index.py's DM_MESSAGES: words, and
runs of scripts written without spaces), by the tweets' search parser and SQL functions
(search_query.py, hooks/search_sql.py).

The messages are aliased `t`, as the tweets are in hooks/reader_search.py: its row checks
and relevance ranking (ROW_CHECKS, ranked_window, window_edge) run on them unchanged."""

COLUMNS = (
    "message_id",
    "conversation_id",
    "conversation",
    "sender_id",
    "sender",
    "created_at",
    "text",
    "url",
)


def stream(plan: str) -> tuple[str, str, str]:
    """(from, index condition, id column) of a plan's candidates: the word index's matches,
    the substring index's candidates, or (scan) every message. Message ids are Twitter's
    time-ordered ids: the indexes walk them newest first without sorting."""
    if plan == "scan":
        return "dm_messages t", "1", "t.id"
    index, expression = (
        ("dm_messages_fts", ":expr")
        if plan == "words"
        else ("dm_messages_trigram", "search_candidates(:q)")
    )
    return (
        f"{index} join dm_messages t on t.id = {index}.rowid",
        f"{index} match {expression}",
        f"{index}.rowid",
    )


def base(plan: str, row_check: str) -> tuple[str, str]:
    """The FROM and WHERE of a plan's matches between :low and :high, and the id column."""
    source, match, id_column = stream(plan)
    return (
        f"from {source}\nwhere {match}\n  and {id_column} between :low and :high"
        f"\n  and {row_check}",
        id_column,
    )


def newest_sql(base_sql: str, id_column: str) -> str:
    return f"select {id_column} as id {base_sql}\norder by {id_column} desc\nlimit :size"


def count_sql(base_sql: str) -> str:
    """Matches up to :cap (one more says there are more)."""
    return f"select count(*) from (select 1 {base_sql}\n  limit :cap)"


STATS_SQL = """select
  messages,
  trigrams
from dm_messages_trigram_stats"""

# The words the word index matched in each message (stems: "running" for run), to mark.
HIGHLIGHT_SQL = """select
  rowid,
  highlight(dm_messages_fts, 0, char(2), char(3)) as marked
from dm_messages_fts
where dm_messages_fts match :expr
  and rowid in (select value from json_each(:ids))"""

# ({sender_screen_name}: the column, or null in a build made before it existed.)
MESSAGES_SQL = """select
  t.id as message_id,
  t.conversation_id,
  c.kind,
  c.name,
  c.participant_ids,
  t.sender_id,
  {sender_screen_name} as sender_screen_name,
  t.created_at,
  t.text
from dm_messages t
join dm_conversations c on c.id = t.conversation_id
where t.id in (select value from json_each(:ids))"""
