"""Search of the owner's direct messages, on a private site only (/messages/search, .json and
.csv; 404 on any other site): the tweets' search engine (the same query syntax, limits,
time budget and slots for costly searches) over the DMs' own indexes, best matches or the
newest first, each result a snippet of the message with the matches marked, its
conversation, sender and date, linking to the message in its conversation."""

import json
import urllib.parse

from datasette import NotFound, Response, hookimpl
from datasette.database import QueryInterrupted

from tweet_site import formats, search_query
from tweet_site.config import archive_database, archive_or_404
from tweet_site.core import MAX_ID, MIN_ID
from tweet_site.hooks import reader_search
from tweet_site.hooks.private_banner import is_private
from tweet_site.hooks.private_messages import conversation_path, owner_ids
from tweet_site.hooks.reader_search import (
    BUSY,
    CONTROLS,
    ID_CURSOR,
    MARKED,
    MAX_QUERY,
    OPERATORS_HELP,
    RANK_CURSOR,
    ROW_CHECKS,
    clamp,
    match_spans,
    ranked_window,
    term_pattern,
    window_edge,
)
from tweet_site.listing import BY_PAGE, position
from tweet_site.lists import dm_chat, dm_search
from tweet_site.lists import dm_messages as messages_list
from tweet_site.pages import render_reader_page, with_query
from tweet_site.search_budget import (
    RETRY_AFTER_SECONDS,
    Budget,
    Busy,
    OutOfTime,
    costly_slot,
    started_at,
)
from tweet_site.text import render_text
from tweet_site.tweets import readable_time

PAGE_SIZE = 25
SORTS = {"relevance": "Best match", "newest": "Newest first"}
NEWEST = {"next_label": "Older messages", "previous_label": "Newer messages"}
COUNT_CAP = 10_000
# A snippet: the whole message up to this many characters, else this much around its first
# match (a DM may be 10,000 characters long).
SNIPPET = 300
BEFORE_MATCH = 100
TEMPLATE = "private_search.html"
# Longer than any conversation id the chat pages address (private_messages.CONVERSATION_ID).
MAX_CONVERSATION_ID = 2100
IN_CONVERSATION = " and t.conversation_id = :conversation"
TOO_LONG = (
    "This search takes longer than the site allows ({seconds:g} seconds). Narrow it: fewer "
    "alternatives joined by OR, longer beginnings of words before a *, whole words rather "
    "than single characters."
)


class Search:
    def __init__(self, args):
        self.q = CONTROLS.sub(" ", args.get("q") or "")[:MAX_QUERY]
        self.sort = args.get("sort") if args.get("sort") in SORTS else "relevance"
        self.cursor = (args.get("before") or "")[:60]
        # One conversation's messages only (?conversation=<id>, a chat page's search box).
        self.conversation = (args.get("conversation") or "")[:MAX_CONVERSATION_ID] or None


async def private_search_db(datasette):
    """The archive, when it is a private one with its messages indexed; else 404."""
    db = archive_or_404(datasette)
    if not await is_private(datasette) or not await db.table_exists("dm_messages_fts"):
        raise NotFound("No such page")
    return db


def row_check(plan, search) -> str:
    """What a candidate message must pass besides the index: the plan's check, and being in
    the conversation searched (if one is)."""
    return ROW_CHECKS[plan] + (IN_CONVERSATION if search.conversation else "")


async def page_ids(db, search, plan, params, size):
    """One page of matching message ids, in the requested order, and the next page's
    cursor: newest first by id, or best first in windows of the RANKED newest matches (as
    the tweets' search pages them: page 50 costs what page 1 does)."""
    base, id_column = dm_search.base(plan, row_check(plan, search))
    if search.sort == "newest":
        if ID_CURSOR.match(search.cursor):
            params = dict(params, high=min(params["high"], clamp(int(search.cursor)) - 1))
        sql = dm_search.newest_sql(base, id_column)
        rows = (await db.execute(sql, dict(params, size=size + 1))).rows
        ids = [row["id"] for row in rows[:size]]
        return ids, (str(ids[-1]) if len(rows) > size else None)
    cursor = RANK_CURSOR.match(search.cursor)
    top = clamp(int(cursor[1])) if cursor else MAX_ID
    after = (float(cursor[2]), clamp(int(cursor[3]))) if cursor and cursor[2] else None
    ids, following = [], None
    # Each turn adds a match or ends: a page runs through as many windows as it needs.
    for _ in range(size + 1):
        want = size - len(ids)
        rows = await ranked_window(db, plan, id_column, base, params, top, after, want + 1)
        ids += [row["id"] for row in rows[:want]]
        if len(rows) > want:
            last = rows[want - 1]
            following = f"{top}~{float(last['rank'])!r}~{last['id']}"
            break
        if after is None and len(rows) < reader_search.RANKED:
            break  # a whole window, and not a full one: the last
        bottom, full = await window_edge(db, base, id_column, params, top)
        if not full:
            break
        top, after = bottom - 1, None
        if len(ids) == size:
            following = f"{top}~"
            break
    return ids, following


async def count(db, plan, params, check):
    """(matches, "exact" or "more" beyond COUNT_CAP); `check`: row_check's."""
    base, _ = dm_search.base(plan, check)
    found = (
        await db.execute(dm_search.count_sql(base), dict(params, cap=COUNT_CAP + 1))
    ).single_value()
    return (COUNT_CAP, "more") if found > COUNT_CAP else (found, "exact")


async def marked_words(db, plan, ids, q):
    """{id: the words the word index matched in it} (see reader_search.highlighted)."""
    expression = search_query.highlight_expression(q)
    if plan != "words" or not ids or expression is None:
        return {}
    rows = await db.execute(dm_search.HIGHLIGHT_SQL, {"expr": expression, "ids": json.dumps(ids)})
    return {row["rowid"]: set(MARKED.findall(row["marked"] or "")) for row in rows.rows}


def snippet(text, spans):
    """(the part of `text` a result shows, the spans in it): the whole of a short message,
    else SNIPPET characters from a little before its first match, "…" where it is cut."""
    if len(text) <= SNIPPET:
        return text, spans
    start = max(min((s for s, _ in spans), default=0) - BEFORE_MATCH, 0)
    # Cut at a space near the start, not inside a word.
    space = text.rfind(" ", max(start - 20, 0), start + 1) if start else -1
    start = space + 1 if space >= 0 else start
    end = min(start + SNIPPET, len(text))
    lead = "…" if start else ""
    shown = lead + text[start:end] + ("…" if end < len(text) else "")
    shift = len(lead) - start
    return shown, [(s + shift, e + shift) for s, e in spans if s >= start and e <= end]


async def load_results(datasette, db, ids, plan, q):
    """The messages of `ids`, in that order, as results: text, marks, names and link."""
    if not ids:
        return []
    handle = "sender_screen_name" in await db.table_columns("dm_messages")
    sql = dm_search.MESSAGES_SQL.format(
        sender_screen_name="t.sender_screen_name" if handle else "null"
    )
    rows = [dict(row) for row in (await db.execute(sql, {"ids": json.dumps(ids)})).rows]
    by_id = {row["message_id"]: row for row in rows}
    owners = await owner_ids(datasette, db)
    wanted = {row["sender_id"] for row in rows}
    for row in rows:
        wanted.update(dm_chat.others(row["participant_ids"], owners)[: dm_chat.TITLE_NAMES])
    known = await messages_list.names(db, wanted)
    words = await marked_words(db, plan, ids, q)
    substrings = search_query.wanted_terms(q) if plan != "words" else set()
    prefixes = search_query.prefixes(q) if plan == "words" else set()
    results = []
    for message_id in ids:
        row = by_id.get(message_id)
        if row is None:
            continue
        text = row["text"] or ""
        pattern = term_pattern(words.get(message_id, ()), substrings, prefixes)
        shown, spans = snippet(text, match_spans(text, pattern))
        at = f"?at={message_id}#m{message_id}"
        href = conversation_path(datasette, row["conversation_id"], at)
        conversation = dm_chat.title(row, known, owners)["text"]
        sender = dm_chat.person(row["sender_id"], known, owners, row["sender_screen_name"])
        group = row["kind"] == "group"
        results.append(
            {
                "message_id": message_id,
                "conversation_id": row["conversation_id"],
                "conversation": conversation,
                "group": group,
                "sender": sender,
                # (A 1:1's title names the other side: "@a · @a" says nothing more.)
                "show_sender": group or sender["label"] != conversation,
                "created_at": row["created_at"],
                "date": readable_time(row["created_at"]) if row["created_at"] else "",
                "text": text,
                "html": render_text(shown, (), spans),
                "href": href,
            }
        )
    return results


async def results(datasette, request, db, search, plan, size):
    params = {
        "q": search.q,
        "expr": search_query.fts_expression(search.q),
        "low": MIN_ID + 1,
        "high": MAX_ID - 1,
        "conversation": search.conversation,
    }
    if plan != "words":
        phrases = sum(len(group) for group in search_query.parse(search.q))
        stats = (await db.execute(dm_search.STATS_SQL)).rows
        messages, grams = stats[0] if stats else (1, 1)
        params["stats"] = json.dumps([max(messages, 1), max(grams, 1), [0] * phrases])
    check = row_check(plan, search)
    found, how = (None, "exact") if formats.fmt(request) else await count(db, plan, params, check)
    ids, following = await page_ids(db, search, plan, params, size)
    shown = await load_results(datasette, db, ids, plan, search.q)
    return {
        "results": shown,
        "count": found,
        "how": how,
        "next_cursor": following,
        "next_url": with_query(request, before=following) if following else None,
        "first_url": with_query(request, before=None) if search.cursor else None,
        "position": position(0, len(shown), found if how == "exact" else None)
        if following and not search.cursor
        else None,
        "ranked": search.sort == "relevance" and (found or 0) > reader_search.RANKED,
        **(NEWEST if search.sort == "newest" else BY_PAGE),
    }


def explore_links(request, search):
    """The page's rows as JSON and CSV (the query as searched: cut to MAX_QUERY)."""
    args = {"q": search.q, "sort": search.sort}
    if search.conversation:
        args["conversation"] = search.conversation
    query = urllib.parse.urlencode(args)
    return {
        "json": f"{request.path}.json?{query}&_shape=array",
        "csv": f"{request.path}.csv?{query}&_size=max",
    }


def rows_response(datasette, request, context, status):
    """The page's results as JSON or CSV rows (dm_search.COLUMNS); an error as JSON."""
    if status != 200:
        return Response.json({"ok": False, "error": context["message"]}, status=status)
    rows = [
        dict(
            result,
            sender_id=result["sender"]["id"],
            sender=result["sender"]["label"],
            url=datasette.absolute_url(request, result["href"]),
        )
        for result in context["results"]
    ]
    return formats.rows_response(
        datasette, request, "messages-search", dm_search.COLUMNS, rows, context["next_cursor"]
    )


async def scope(datasette, request, db, search) -> dict | None:
    """The conversation a search keeps to: its title and page, and this search in all the
    messages; None when it searches them all (a conversation the archive lacks included:
    then it does)."""
    if not search.conversation:
        return None
    found = await db.execute(
        messages_list.CONVERSATION_SQL, {"conversation_id": search.conversation}
    )
    if not found.rows:
        search.conversation = None
        return None
    conversation = dict(found.rows[0])
    owners = await owner_ids(datasette, db)
    wanted = dm_chat.others(conversation["participant_ids"], owners)[: dm_chat.TITLE_NAMES]
    known = await messages_list.names(db, wanted)
    return {
        "title": dm_chat.title(conversation, known, owners)["text"],
        "href": conversation_path(datasette, search.conversation),
        "everywhere": with_query(request, conversation=None, before=None),
    }


async def messages_search(datasette, request):
    db = await private_search_db(datasette)
    started = started_at(request.scope)
    search = Search(request.args)
    size = formats.size(request, PAGE_SIZE)
    context = {
        "search": search,
        "sorts": SORTS,
        "results": [],
        "count": None,
        "how": "exact",
        "message": None,
        "notes": search_query.notes(search.q),
        "next_cursor": None,
        "links": None,
        "ranked_cap": reader_search.RANKED,
        "page_title": f"{search.q} — Search messages" if search.q.strip() else "Search messages",
        "heading": "Search messages",
        "body_class": "private-search",
    }
    context["scope"] = await scope(datasette, request, db, search)
    plan = search_query.plan(search.q) if search.q.strip() else "none"
    status, headers = 200, {}
    if plan == "none":
        if search.q.strip():
            context["message"] = OPERATORS_HELP
    else:
        context["links"] = explore_links(request, search)
        budget = Budget(datasette, started)
        searching = results(datasette, request, budget.database(db), search, plan, size)
        try:
            if search_query.costly(search.q):
                async with costly_slot(datasette, started):
                    context.update(await searching)
            else:
                context.update(await searching)
        except Busy:
            searching.close()  # never started
            context["message"] = BUSY
            status, headers = 503, {"Retry-After": str(RETRY_AFTER_SECONDS)}
        except (QueryInterrupted, OutOfTime):
            context["message"] = TOO_LONG.format(seconds=budget.seconds)
            status = 400
    if formats.fmt(request):
        response = rows_response(datasette, request, context, status)
    else:
        response = await render_reader_page(datasette, request, TEMPLATE, context, status=status)
    response.headers.update(headers)
    return response


@hookimpl
def register_routes():
    return [(r"^/messages/search" + formats.SUFFIX + "$", messages_search)]


def table_search_redirect(datasette, scope):
    """Where a search from the dm_messages table's box alone should go: this page, which
    ranks, marks and finds Japanese, as the tweets table's box goes to /search (filters,
    sorts and formats stay on the table page). None for any other request."""
    if scope.get("type") != "http" or scope.get("method") != "GET":
        return None
    database = archive_database(datasette)
    if database not in datasette.databases:
        return None
    if scope.get("path") != datasette.urls.table(database, "dm_messages"):
        return None
    pairs = urllib.parse.parse_qsl(scope.get("query_string", b"").decode("latin-1"))
    if len(pairs) != 1 or pairs[0][0] != "_search" or not pairs[0][1].strip():
        return None
    return datasette.urls.path("/messages/search?" + urllib.parse.urlencode({"q": pairs[0][1]}))


@hookimpl
def asgi_wrapper(datasette):
    def wrap(app):
        async def redirect_table_search(scope, receive, send):
            location = table_search_redirect(datasette, scope)
            if location is None:
                await app(scope, receive, send)
            else:
                await Response.redirect(location).asgi_send(send)

        return redirect_table_search

    return wrap
