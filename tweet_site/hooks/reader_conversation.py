"""A tweet's conversation for readers (/conversation/<id>, its rows as .json and .csv): the
tweets it replies to and the replies to it, flat and oldest first, the opened one marked;
where the chain leaves the archive, a link to the tweet on twitter.com."""

import urllib.parse
from datetime import datetime

from datasette import NotFound, hookimpl

from tweet_site import formats, lists
from tweet_site.config import archive_database
from tweet_site.ids import parse_id
from tweet_site.listing import archive_or_404, cards, plural
from tweet_site.lists import conversation as conversation_list
from tweet_site.pages import render_reader_page
from tweet_site.tweets import twitter_url


def day_of(created_at: str) -> str:
    """'2021-05-03T10:00:00+00:00' -> '3 May 2021'."""
    try:
        moment = datetime.fromisoformat(created_at)
    except (TypeError, ValueError):
        return str(created_at)[:10]
    return f"{moment.day} {moment:%B %Y}"


async def conversation(datasette, request):
    db = archive_or_404(datasette)
    tweet_id = parse_id(request.url_vars["id"])
    if tweet_id is None:
        raise NotFound("The archive has no tweet with that id")
    query = conversation_list.query(tweet_id)
    limit = conversation_list.LIMIT
    # (The cursor is only whether more rows follow: the page is never continued.)
    rows, cut = await lists.page(db, query, limit, lambda row: True)
    if not any(row["tweet_id"] == tweet_id for row in rows) and not cut:
        raise NotFound("The archive has no tweet with that id")
    if formats.fmt(request):
        return formats.rows_response(
            datasette, request, f"conversation-{tweet_id}", conversation_list.COLUMNS, rows, None
        )
    ids = {row["tweet_id"] for row in rows}
    # The tweet the chain starts from replies to one the archive hasn't: say so, and link it.
    outside = next(
        (row for row in rows if row["in_reply_to_id"] and row["in_reply_to_id"] not in ids),
        None,
    )
    items = await cards(db, [row["tweet_id"] for row in rows])
    opened = None
    for item in items:
        if item["tweet"]["id"] == tweet_id:
            opened = item["tweet"]
            item["classes"] = "conversation-opened"
            item["note"] = "The tweet you opened"
            item["current"] = True
    if opened is None:  # (cut before it: an ancestor chain of more than LIMIT tweets)
        opened = (await cards(db, [tweet_id]))[0]["tweet"]
    intro = None
    if outside:
        parent = {
            "id": outside["in_reply_to_id"],
            "screen_name": outside["in_reply_to_screen_name"],
        }
        intro = {
            "text": "Replying to a tweet not in this archive:",
            "href": twitter_url(parent),
            "label": "see it on twitter.com"
            + (f" (@{parent['screen_name']})" if parent["screen_name"] else ""),
        }
    author = f"@{opened['screen_name']}'s" if opened.get("screen_name") else "A"
    name = f"{author} tweet of {day_of(opened['created_at'])}"
    database = archive_database(datasette)
    path = datasette.urls.path(f"/conversation/{tweet_id}")
    count = len(items)
    subtitle = (
        f"The first {plural(count, 'tweets')} of this conversation, oldest first: there are more."
        if cut
        else f"{plural(count, 'tweets')}, oldest first: the tweets it replies to and the "
        "replies to it, as far as the archive has them."
    )
    return await render_reader_page(
        datasette,
        request,
        "reader_list.html",
        {
            "page_title": f"Conversation: {name}",
            "heading": "Conversation",
            "subtitle": f"{name}. {subtitle}",
            "groups": [{"intro": intro, "items": items}],
            "empty": "No tweets.",
            "explore": {
                "json": f"{path}.json?_shape=array",
                "csv": f"{path}.csv",
                "html": datasette.urls.query(database, "conversation")
                + "?"
                + urllib.parse.urlencode({"id": tweet_id}),
            },
            "body_class": "reader-conversation",
        },
    )


@hookimpl
def register_routes():
    return [(rf"^/conversation/(?P<id>[0-9]{{1,19}}){formats.SUFFIX}$", conversation)]
