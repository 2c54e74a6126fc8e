"""What the reader list pages share (hooks/reader_*.py): the kind filter, counts from the
monthly summary, pagination links, tweet cards and the explorers' links to Datasette's
pages."""

import urllib.parse

from tweet_site.config import archive_database, archive_or_404, static_site  # noqa: F401 (listing's users import it here)
from tweet_site.lists import months
from tweet_site.pages import archive_features, with_query
from tweet_site.tweets import load_tweets

KINDS = ("tweet", "reply", "retweet", "quote")
# The kind filters offered on list pages: (value of ?kind=, label).
KIND_CHOICES = (
    ("", "Everything"),
    ("tweet,quote", "No replies or retweets"),
    ("tweet", "Tweets"),
    ("reply", "Replies"),
    ("retweet", "Retweets"),
    ("quote", "Quotes"),
)
KIND_WORDS = {"tweet": "tweets", "reply": "replies", "retweet": "retweets", "quote": "quotes"}
MONTH_COLUMNS = {"reply": "replies", "retweet": "retweets", "quote": "quotes"}


def selected_kinds(request) -> tuple:
    """The kinds ?kind= asks for (comma-separated), in a fixed order; () means every kind.
    Anything else in it is ignored."""
    asked = set((request.args.get("kind") or "")[:100].split(","))
    kinds = tuple(kind for kind in KINDS if kind in asked)
    return () if len(kinds) == len(KINDS) else kinds


def kind_clause(kinds, column="tweets.kind"):
    """SQL over `column` for `kinds` ('1' for all), with its bound parameters."""
    if not kinds:
        return "1", {}
    params = {f"kind{i}": kind for i, kind in enumerate(kinds)}
    # (+: never through the kind index, which holds a kind's tweets of every year, unsorted.)
    return f"+{column} in (" + ", ".join(":" + name for name in params) + ")", params


def kinds_label(kinds) -> str:
    return " and ".join(KIND_WORDS[kind] for kind in kinds) if kinds else "tweets"


async def kind_filters(datasette, request, kinds):
    """The kind filters worth offering: none for a kind the archive has nothing of (a
    Markdown archive has no quotes), none at all when it has one kind only, nor in a static
    copy (one file an address: a query can't choose)."""
    if static_site(datasette):
        return []
    totals = (await archive_features(datasette)).get("totals", {})
    counts = {
        "tweet": totals.get("original_tweets"),
        "reply": totals.get("replies"),
        "retweet": totals.get("retweets"),
        "quote": totals.get("quotes"),
    }
    present = {kind for kind, count in counts.items() if count}
    if len(present) < 2 and not kinds:
        return []
    value = ",".join(kinds)
    filters = []
    for choice, label in KIND_CHOICES:
        asked = set(choice.split(",")) - {""}
        if choice and not asked & present:
            continue
        if asked == {"tweet", "quote"} and not present & {"reply", "retweet"}:
            continue  # (the same as everything)
        href = with_query(request, kind=choice or None, before=None, after=None)
        filters.append({"label": label, "href": href, "current": choice == value})
    return filters


def count_in_month(row, kinds) -> int:
    """Tweets of `kinds` in a tweets_per_month row."""
    if not kinds:
        return row["tweets"]
    originals = row["tweets"] - row["replies"] - row["retweets"] - row["quotes"]
    return sum(originals if kind == "tweet" else row[MONTH_COLUMNS[kind]] for kind in kinds)


def plural(count: int, word: str) -> str:
    if count == 1:
        return f"1 {word[:-3] + 'y' if word.endswith('ies') else word[:-1]}"
    return f"{count:,} {word}"


def explorer_links(datasette, kind, name=None, params=None, sql=None):
    """The page's rows for explorers in Datasette's own pages: JSON, CSV and the table or SQL
    they come from (the lists of tweet_site/lists answer .json and .csv themselves:
    formats.py)."""
    database = archive_database(datasette)
    args = dict(params or {})
    if kind == "table":
        url = lambda fmt: datasette.urls.table(database, name, format=fmt)  # noqa: E731
    else:
        url = lambda fmt: datasette.urls.database(database, format=fmt)  # noqa: E731
        args = {"sql": sql, **args}

    def link(fmt, extra=()):
        query = urllib.parse.urlencode({**args, **dict(extra)})
        return url(fmt) + ("?" + query if query else "")

    return {
        "json": link("json", {"_shape": "array"}),
        # (_dl: a download, named after the table or the database, not text in the tab.)
        "csv": link("csv", {"_size": "max", "_dl": "1"}),
        "html": link(None),
    }


async def month_rows(db, args=None):
    """The rows of tweets_per_month, oldest first (lists/months.py)."""
    query = months.query(args or {})
    return [dict(row) for row in (await db.execute(query.sql, query.params)).rows]


# The pager's words: a list in date order steps to older or newer tweets, any other list
# to the next or previous page.
NEWEST_FIRST = {"next_label": "Older tweets", "previous_label": "Newer tweets"}
OLDEST_FIRST = {"next_label": "Newer tweets", "previous_label": "Older tweets"}
BY_PAGE = {"next_label": "Next page", "previous_label": "Previous page"}


def position(before, shown: int, total=None) -> str | None:
    """ "51–100 of 1,218": where a page's `shown` tweets sit in its list, after `before`
    others (None: not counted, and nothing is said)."""
    if before is None or not shown:
        return None
    span = f"{before + 1:,}–{before + shown:,}"
    return f"{span} of {total:,}" if total else span


def pagination(request, next_cursor, name="before", previous=None, place=None, labels=BY_PAGE):
    """The pager: Next, Previous (`previous`: the previous page's cursor, '' for the first
    page, None on the first page), a First page link from the third page on, and the
    page's place in its list (`place`, from position())."""
    later = bool(request.args.get(name))
    previous_url = with_query(request, **{name: previous or None}) if later else None
    # Without a previous page's cursor (lists that don't work it out), First page only.
    first = previous if previous is not None else later
    if previous is None:
        previous_url = None
    return {
        "next_url": with_query(request, **{name: next_cursor}) if next_cursor else None,
        "previous_url": previous_url,
        "first_url": with_query(request, **{name: None}) if first else None,
        "position": place if (next_cursor or previous_url) else None,
        **labels,
    }


async def cards(db, ids):
    return [{"tweet": tweet} for tweet in await load_tweets(db, ids)]
