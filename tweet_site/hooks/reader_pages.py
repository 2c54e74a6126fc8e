"""Reader pages listing tweets: a hashtag's (/hashtag/<tag>), the most liked, quote tweets and
threads. Tweet cards with human dates, keyset pagination (page 50 costs what page 1 does),
latest versions of edited tweets only, and for explorers a link to the same rows as JSON,
CSV or SQL. (The timeline and on this day have files of their own.)"""

import urllib.parse

from datasette import NotFound, hookimpl
from datasette.utils import tilde_decode

from tweet_site import formats, lists
from tweet_site.listing import (
    BY_PAGE,
    NEWEST_FIRST,
    archive_or_404,
    cards,
    explorer_links,
    kind_clause,
    kind_filters,
    kinds_label,
    pagination,
    plural,
    position,
    selected_kinds,
)
from tweet_site.lists import most_liked as most_liked_list
from tweet_site.lists import quotes as quotes_list
from tweet_site.lists import threads as threads_list
from tweet_site.pages import (
    PAGE_SIZE,
    archive_features,
    few_matches,
    keyset_before,
    keyset_ids,
    render_reader_page,
    with_query,
)
from tweet_site.tweets import readable_time

MAX_TAG = 140


# /hashtag/<tag>

HASHTAG_SQL = """select
  tweets.id,
  tweets.created_at,
  tweets.kind,
  tweets.text
from tweets
where tweets.id in (select tweet_id from hashtags where tag = :tag collate nocase)
  and tweets.is_latest_version = 1
order by tweets.created_at desc
limit 100"""


def tag_spellings(tag: str) -> list:
    """Case variants of a tag SQLite's ASCII-only `nocase` would miss (Ä and ä)."""
    return sorted({tag, tag.lower(), tag.upper(), tag.capitalize(), tag.casefold()})


async def hashtag(datasette, request):
    db = archive_or_404(datasette)
    # (Percent-encoded, or tilde-encoded as Datasette redirects a missing page's address.)
    tag = urllib.parse.unquote(tilde_decode(request.url_vars["tag"])).lstrip("#＃").strip()
    if not tag or len(tag) > MAX_TAG or any(c.isspace() for c in tag):
        raise NotFound("No such hashtag")
    spellings = tag_spellings(tag)
    marks = ", ".join(f":s{i}" for i in range(len(spellings)))
    found = await db.execute(
        "select tag, tweets from hashtag_counts "
        f"where tag = :tag collate nocase or tag in ({marks}) order by tweets desc, tag limit 50",
        {"tag": tag, **{f"s{i}": s for i, s in enumerate(spellings)}},
    )
    variants = [row["tag"] for row in found.rows]
    if not variants:
        raise NotFound("The archive has no tweet with that hashtag")
    kinds = selected_kinds(request)
    where, params = kind_clause(kinds)
    total = sum(row["tweets"] for row in found.rows)
    tweets = (await archive_features(datasette)).get("totals", {}).get("tweets") or 0
    few = few_matches(total, tweets)
    marks = ", ".join(f":v{i}" for i in range(len(variants)))
    plus = "" if few else "+"  # (+: don't look the hashtag's tweets up one by one)
    where = f"{plus}tweets.id in (select tweet_id from hashtags where tag in ({marks})) and {where}"
    params.update({f"v{i}": v for i, v in enumerate(variants)})
    cursor = request.args.get("before")
    ids, next_cursor = await keyset_ids(db, where, params, cursor, few=few)
    previous, before = await keyset_before(db, where, params, cursor, few=few)
    shown = variants[0]
    return await render_reader_page(
        datasette,
        request,
        "reader_list.html",
        {
            "page_title": f"#{shown}",
            "heading": f"#{shown}",
            "subtitle": plural(total, "tweets") + " with this hashtag, newest first",
            "groups": [{"items": await cards(db, ids)}],
            "kind_filters": await kind_filters(datasette, request, kinds),
            "empty": f"No {kinds_label(kinds)} with this hashtag.",
            "explore": explorer_links(datasette, "sql", params={"tag": shown}, sql=HASHTAG_SQL),
            **pagination(
                request,
                next_cursor,
                previous=previous,
                place=position(before, len(ids), None if kinds else total),
                labels=NEWEST_FIRST,
            ),
            "body_class": "reader-hashtag",
        },
    )


# /most-liked, /quotes, /threads (and each as .json and .csv): the rows of tweet_site/lists'
# modules, the same for the page and its data.


async def most_liked(datasette, request):
    db = archive_or_404(datasette)
    query = most_liked_list.query(request.args, request.args.get("before"))
    page_size = formats.size(request, PAGE_SIZE)
    rows, next_cursor = await lists.page(db, query, page_size, most_liked_list.cursor)
    if formats.fmt(request):
        return formats.rows_response(
            datasette, request, "most-liked", most_liked_list.COLUMNS, rows, next_cursor
        )
    items = await cards(db, [row["tweet_id"] for row in rows])
    for item in items:
        tweet = item["tweet"]
        notes = [plural(tweet["favorite_count"] or 0, "likes")]
        if tweet.get("retweet_count"):
            notes.append(plural(tweet["retweet_count"], "retweets"))
        item["note"] = " · ".join(notes)
    return await render_reader_page(
        datasette,
        request,
        "reader_list.html",
        {
            "page_title": "Most liked",
            "heading": "Most liked",
            "subtitle": "Tweets by their likes, as counted when the archive was exported.",
            "groups": [{"items": items}],
            "empty": "This archive has no like counts (Markdown archives and old exports don't "
            "record them).",
            "explore": formats.explore_links(datasette, request, query, PAGE_SIZE),
            **pagination(request, next_cursor),
            "body_class": "reader-most-liked",
        },
    )


async def quotes(datasette, request):
    db = archive_or_404(datasette)
    totals = (await archive_features(datasette)).get("totals", {})
    query = quotes_list.query(
        request.args,
        request.args.get("before"),
        totals.get("quotes") or 0,
        totals.get("tweets") or 0,
    )
    rows, next_cursor = [], None
    if totals.get("quotes"):
        page_size = formats.size(request, PAGE_SIZE)
        rows, next_cursor = await lists.page(db, query, page_size, quotes_list.cursor)
    if formats.fmt(request):
        return formats.rows_response(
            datasette, request, "quotes", quotes_list.COLUMNS, rows, next_cursor
        )
    # Each card shows its quoted tweet inside it (tweets.load_tweets loads them).
    items = await cards(db, [row["tweet_id"] for row in rows])
    return await render_reader_page(
        datasette,
        request,
        "reader_list.html",
        {
            "page_title": "Quote tweets",
            "heading": "Quote tweets",
            "subtitle": "Tweets quoting another tweet, newest first, with the quoted tweet "
            "when the archive has it.",
            "groups": [{"items": items}],
            "empty": "No quote tweets in this archive.",
            "explore": formats.explore_links(datasette, request, query, PAGE_SIZE),
            **pagination(request, next_cursor, labels=NEWEST_FIRST),
            "body_class": "reader-quotes",
        },
    )


async def threads(datasette, request):
    db = archive_or_404(datasette)
    query = threads_list.query(request.args, request.args.get("before"))
    rows, next_cursor = [], None
    if await db.table_exists("self_threads"):
        page_size = formats.size(request, PAGE_SIZE)
        cursor = threads_list.cursor_for(request.args)
        rows, next_cursor = await lists.page(db, query, page_size, cursor)
    if formats.fmt(request):
        return formats.rows_response(
            datasette, request, "threads", threads_list.COLUMNS, rows, next_cursor
        )
    by_root = {row["tweet_id"]: row for row in rows}
    items = await cards(db, list(by_root))
    for item in items:
        row = by_root[item["tweet"]["id"]]
        item["link"] = {
            "href": datasette.urls.path(f"/conversation/{row['tweet_id']}"),
            "label": f"Read the thread ({plural(row['tweets'], 'tweets')})",
        }
        if row["last_at"] and row["last_at"][:10] != row["first_at"][:10]:
            item["note"] = "Continued until " + readable_time(row["last_at"])
    sort = threads_list.sort_of(request.args)
    longest = sort == "longest"
    return await render_reader_page(
        datasette,
        request,
        "reader_list.html",
        {
            "page_title": "Threads",
            "heading": "Threads",
            "subtitle": "Threads written by replying to one's own tweets, "
            + ("longest first." if longest else "newest first."),
            "groups": [{"items": items}],
            "kind_filters": [
                {
                    "label": label,
                    "href": with_query(request, sort=None if key == "newest" else key, before=None),
                    "current": key == sort,
                }
                for key, label in threads_list.SORTS.items()
            ]
            if items or request.args.get("before")
            else [],
            "filters_label": "Order",
            "empty": "No threads in this archive.",
            "explore": formats.explore_links(datasette, request, query, PAGE_SIZE),
            **pagination(request, next_cursor, labels=BY_PAGE if longest else NEWEST_FIRST),
            "body_class": "reader-threads",
        },
    )


@hookimpl
def register_routes():
    return [
        (r"^/hashtag/(?P<tag>[^/?#]{1,600})$", hashtag),
        (rf"^/most-liked{formats.SUFFIX}$", most_liked),
        (rf"^/quotes{formats.SUFFIX}$", quotes),
        (rf"^/threads{formats.SUFFIX}$", threads),
    ]
