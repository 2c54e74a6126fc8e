"""Reader pages listing tweets: a hashtag's (/hashtag/<tag>), the most liked, quote tweets and
threads. Tweet cards with human dates, keyset pagination (page 50 costs what page 1 does),
latest versions of edited tweets only, and for explorers a link to the same rows as JSON,
CSV or SQL. (The timeline and on this day have files of their own.)"""

import urllib.parse

from datasette import NotFound, hookimpl
from datasette.utils import tilde_decode

from tweet_site.config import archive_database
from tweet_site.listing import (
    archive_or_404,
    cards,
    explorer_links,
    kind_clause,
    kind_filters,
    kinds_label,
    pagination,
    plural,
    selected_kinds,
)
from tweet_site.pages import (
    LATEST_ONLY,
    PAGE_SIZE,
    archive_features,
    decode_count_cursor,
    decode_cursor,
    encode_count_cursor,
    encode_cursor,
    few_matches,
    keyset_ids,
    render_reader_page,
)
from tweet_site.tweets import load_tweets, readable_time

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
    ids, next_cursor = await keyset_ids(db, where, params, request.args.get("before"), few=few)
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
            "next_label": "Older tweets",
            **pagination(request, next_cursor),
            "body_class": "reader-hashtag",
        },
    )


# /most-liked


async def most_liked(datasette, request):
    db = archive_or_404(datasette)
    after = decode_count_cursor(request.args.get("before"))
    clauses = ["tweets.favorite_count > 0", "tweets.kind != 'retweet'", LATEST_ONLY]
    params = {"_size": PAGE_SIZE + 1}
    if after:
        clauses.append("(tweets.favorite_count, tweets.id) < (:_count, :_id)")
        params.update(_count=after[0], _id=after[1])
    rows = (
        await db.execute(
            "select tweets.id, tweets.favorite_count from tweets where "
            + " and ".join(clauses)
            + " order by tweets.favorite_count desc, tweets.id desc limit :_size",
            params,
        )
    ).rows
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    next_cursor = encode_count_cursor(rows[-1]["favorite_count"], rows[-1]["id"]) if more else None
    items = await cards(db, [row["id"] for row in rows])
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
            "explore": explorer_links(datasette, "query", "most_liked"),
            "next_label": "Fewer likes",
            **pagination(request, next_cursor),
            "body_class": "reader-most-liked",
        },
    )


# /quotes


async def quotes(datasette, request):
    db = archive_or_404(datasette)
    totals = (await archive_features(datasette)).get("totals", {})
    ids, next_cursor = [], None
    if totals.get("quotes"):
        few = few_matches(totals["quotes"], totals["tweets"])
        where = "tweets.kind = 'quote'" if few else "+tweets.kind = 'quote'"
        ids, next_cursor = await keyset_ids(db, where, {}, request.args.get("before"), few=few)
    items = await cards(db, ids)
    quoted = {t["id"]: t for t in await load_tweets(db, [i["tweet"]["quoted_id"] for i in items])}
    for item in items:
        item["quoted"] = quoted.get(item["tweet"]["quoted_id"])
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
            "explore": explorer_links(datasette, "query", "quotes"),
            "next_label": "Older quotes",
            **pagination(request, next_cursor),
            "body_class": "reader-quotes",
        },
    )


# /threads

# (The build's self_threads holds latest versions only: joining tweets to check would read
# a tweet for every thread of the archive before sorting.)
THREADS_SQL = """select root_id, tweets, first_at, last_at
from self_threads
where {where}
order by first_at desc, root_id desc
limit :_size"""


async def threads(datasette, request):
    db = archive_or_404(datasette)
    rows = []
    after = decode_cursor(request.args.get("before"))
    if await db.table_exists("self_threads"):
        clauses, params = ["1"], {"_size": PAGE_SIZE + 1}
        if after:
            clauses.append("(first_at, root_id) < (:_at, :_id)")
            params.update(_at=after[0], _id=after[1])
        rows = (await db.execute(THREADS_SQL.format(where=" and ".join(clauses)), params)).rows
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    next_cursor = encode_cursor(rows[-1]["first_at"], rows[-1]["root_id"]) if more else None
    by_root = {row["root_id"]: row for row in rows}
    items = await cards(db, [row["root_id"] for row in rows])
    for item in items:
        row = by_root[item["tweet"]["id"]]
        item["link"] = {
            "href": datasette.urls.row(archive_database(datasette), "tweets", str(row["root_id"])),
            "label": f"Read the thread ({row['tweets']:,} tweets)",
        }
        if row["last_at"] and row["last_at"][:10] != row["first_at"][:10]:
            item["note"] = "Continued until " + readable_time(row["last_at"])
    return await render_reader_page(
        datasette,
        request,
        "reader_list.html",
        {
            "page_title": "Threads",
            "heading": "Threads",
            "subtitle": "Threads written by replying to one's own tweets, newest first.",
            "groups": [{"items": items}],
            "empty": "No threads in this archive.",
            "explore": explorer_links(datasette, "query", "threads"),
            "next_label": "Older threads",
            **pagination(request, next_cursor),
            "body_class": "reader-threads",
        },
    )


@hookimpl
def register_routes():
    return [
        (r"^/hashtag/(?P<tag>[^/?#]{1,600})$", hashtag),
        (r"^/most-liked$", most_liked),
        (r"^/quotes$", quotes),
        (r"^/threads$", threads),
    ]
