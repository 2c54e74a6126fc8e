"""The owner's direct messages, on a private site only (`tweets-etl build --private`, served
by `publish --target local`): the conversations (/messages), a conversation as a chat
(/messages/<id>), each page's rows as .json and .csv, and the media of a message
(/-/dm-media/<message id>/<position>). A public site has none of these pages: every route
answers 404 there.

A media file is served only when the build stored its path for that message, inside one of
the export's DM media folders, an image or a video; nothing of the request is a path."""

import json
import urllib.parse
import weakref

from datasette import NotFound, hookimpl
from datasette.utils import tilde_decode, tilde_encode
from datasette.utils.asgi import Request

from tweet_site import formats, lists
from tweet_site.config import archive_database, archive_or_404
from tweet_site.hooks.media_files import serve_stored
from tweet_site.hooks.private_banner import is_private
from tweet_site.ids import parse_id
from tweet_site.listing import pagination, plural, position
from tweet_site.lists import dm_chat
from tweet_site.lists import dm_conversations as conversations_list
from tweet_site.lists import dm_messages as messages_list
from tweet_site.pages import PAGE_SIZE, render_reader_page
from tweet_site.tweets import TIME_ZONE
from tweet_site.zones import zone_label

# An export's conversation (digits, one hyphen in a 1:1's) or twitter-archive-parser's
# ("md:..." and "md-group:...", tilde-encoded): never "search", DM search's page.
CONVERSATION_ID = r"(?P<id>[0-9]{1,20}(?:-[0-9]{1,20})?|md(?:-group)?~3A[A-Za-z0-9_~+-]{1,2000})"
NEWEST_FIRST = {"next_label": "Older conversations", "previous_label": "Newer conversations"}
EARLIER = {"next_label": "Earlier messages", "previous_label": "Later messages"}
# Events and reactions a page shows at most (a hostile archive could hold millions).
MAX_EVENTS = 500
MAX_REACTIONS = 2000
# The members a chat's page lists by name.
MAX_MEMBERS = 100
_owners = weakref.WeakKeyDictionary()
_columns = weakref.WeakKeyDictionary()


async def private_or_404(datasette):
    db = archive_or_404(datasette)
    if not await is_private(datasette) or not await db.table_exists("dm_conversations"):
        raise NotFound("No such page")
    return db


async def owner_ids(datasette, db) -> dm_chat.Owners:
    """The archive owner's account ids and handles (users.is_owner, the profile): read
    once, as the columns of dm_messages."""
    if datasette not in _owners:
        rows = []
        if await db.table_exists("users") and await db.table_exists("profile"):
            rows = (await db.execute(messages_list.OWNER_SQL)).rows
        ids = {row[0] for row in rows if row[0] is not None}
        columns = await db.table_columns("dm_messages")
        # Both at once, after the last await: a request arriving meanwhile finds both or
        # neither (it reads the columns as soon as the owners are there).
        _columns[datasette] = columns
        _owners[datasette] = dm_chat.Owners(ids, {row[1] for row in rows if row[1]})
    return _owners[datasette]


def conversation_path(datasette, conversation_id: str, suffix: str = "") -> str:
    # (Tilde-encoded as Datasette encodes a table's name: twitter-archive-parser's
    # conversations are named "md:<a>-<b>" or "md-group:<any name>".)
    return datasette.urls.path("/messages/" + tilde_encode(conversation_id) + suffix)


async def messages(datasette, request):
    db = await private_or_404(datasette)
    owners = await owner_ids(datasette, db)
    sender_name = messages_list.sender_name(_columns[datasette])
    query = conversations_list.query(request.args.get("before"), sender_name)
    size = formats.size(request, PAGE_SIZE)
    rows, next_cursor = await lists.page(db, query, size, conversations_list.cursor)
    if formats.fmt(request):
        return formats.rows_response(
            datasette, request, "messages", conversations_list.COLUMNS, rows, next_cursor
        )
    wanted = {row["last_sender_id"] for row in rows}
    for row in rows:
        wanted.update(dm_chat.others(row["participant_ids"], owners)[: dm_chat.TITLE_NAMES])
    known = await messages_list.names(db, wanted)
    key = TIME_ZONE.get()
    items = [
        {
            "href": conversation_path(datasette, row["conversation_id"]),
            "title": dm_chat.title(row, known, owners),
            "group": row["kind"] == "group",
            "preview": dm_chat.preview(row, known, owners),
            "date": dm_chat.short_date(row["last_at"], key),
            "when": dm_chat.clock(row["last_at"], key),
            "count": plural(row["message_count"] or 0, "messages"),
        }
        for row in rows
    ]
    total = (await db.execute("select count(*) from dm_conversations")).single_value()
    return await render_reader_page(
        datasette,
        request,
        "private_messages.html",
        {
            "page_title": "Messages",
            "heading": "Messages",
            "subtitle": f"{plural(total, 'conversations')}, the latest first.",
            "conversations": items,
            "dm_search": await search_box(datasette, db),
            "dm_explore": explore(
                datasette, request, query, "dm_conversations", {"_sort_desc": "last_at"}
            ),
            **pagination(request, next_cursor, labels=NEWEST_FIRST),
            "body_class": "private-messages",
        },
    )


async def search_box(datasette, db, conversation_id=None) -> dict | None:
    """The messages' search box (/messages/search, where the build indexed them), or on a
    chat's page its conversation's alone; None without the index."""
    if not await db.table_exists("dm_messages_fts"):
        return None
    what = "this conversation" if conversation_id else "your messages"
    return {
        "action": datasette.urls.path("/messages/search"),
        "label": f"Search {what}",
        "placeholder": f"Search {what}",
        "conversation": conversation_id,
    }


def explore(datasette, request, query, table, filters) -> dict:
    """The page's rows as JSON and CSV, the table they come from (filtered as the page is)
    and the page's SQL."""
    links = formats.explore_links(datasette, request, query, PAGE_SIZE)
    database = archive_database(datasette)
    table_url = datasette.urls.table(database, table)
    links["table"] = table_url + ("?" + urllib.parse.urlencode(filters) if filters else "")
    return links


async def chat(datasette, request):
    db = await private_or_404(datasette)
    owners = await owner_ids(datasette, db)
    conversation_id = tilde_decode(request.url_vars["id"])
    found = await db.execute(messages_list.CONVERSATION_SQL, {"conversation_id": conversation_id})
    if not found.rows:
        raise NotFound("The archive has no conversation with that id")
    conversation = dict(found.rows[0])
    size = formats.size(request, PAGE_SIZE)
    # ?at=<message id> (message search's links): the page holding that message, as if the
    # pager had led there, the message marked; a message of no other conversation, the newest.
    at = parse_id(request.args.get("at") or "")
    missing = False
    if at is not None and not request.args.get("before"):
        start = await messages_list.page_of(db, conversation_id, at, size)
        missing = start is None
        request = page_request(request, start)
    before = request.args.get("before")
    query = messages_list.query(conversation_id, before, _columns[datasette])
    rows, earlier = await lists.page(db, query, size, messages_list.cursor)
    if formats.fmt(request):
        return formats.rows_response(
            datasette,
            request,
            "messages-" + request.url_vars["id"],
            messages_list.COLUMNS,
            rows,
            earlier,
        )
    later, newer = await messages_list.newer(db, conversation_id, before, size)
    cut = messages_list.decode_cursor(before)
    bounds = {
        "conversation_id": conversation_id,
        "since": (rows[-1]["created_at"] or "") if earlier and rows else "",
        "until": cut[0] if cut else "",
        "limit": MAX_EVENTS,
    }
    events = [dict(r) for r in (await db.execute(messages_list.EVENTS_SQL, bounds)).rows]
    ids = json.dumps([row["message_id"] for row in rows])
    reactions = (
        await db.execute(messages_list.REACTIONS_SQL, {"ids": ids, "limit": MAX_REACTIONS})
    ).rows
    members = messages_list.id_list(conversation["participant_ids"])
    wanted = set(members[:MAX_MEMBERS])
    wanted.update(row["sender_id"] for row in rows)
    wanted.update(row["sender_id"] for row in reactions)
    for event in events:
        wanted.add(event["initiating_user_id"])
        wanted.update(messages_list.id_list(event["user_ids"])[: dm_chat.EVENT_NAMES])
    known = await messages_list.names(db, wanted)
    group = conversation["kind"] == "group"
    title = dm_chat.title(conversation, known, owners)

    def src(message_id, media_position):
        return datasette.urls.path(f"/-/dm-media/{message_id}/{media_position}")

    key = TIME_ZONE.get()
    items = dm_chat.timeline(
        list(reversed(rows)), events, reactions, known, owners, key, group, src, at
    )
    total = conversation["message_count"] or 0
    place = None
    if rows and (earlier or later is not None):
        first = total - newer - len(rows)
        place = "Messages " + position(first, len(rows), total)
    page_title = f"Messages with {title['with']}"
    if group and conversation["name"]:
        page_title = f"Group “{conversation['name']}”: messages with {title['with']}"
    pager = pagination(request, earlier, previous=later, place=place, labels=EARLIER)
    return await render_reader_page(
        datasette,
        request,
        "private_chat.html",
        {
            "page_title": page_title,
            "heading": title["text"],
            "subtitle": " · ".join(
                [
                    "Group" if group else "Direct messages",
                    plural(total, "messages"),
                    "times in " + zone_label(key),
                ]
            ),
            "conversation": conversation,
            "chat_title": title,
            "people": [dm_chat.person(i, known, owners) for i in members[:MAX_MEMBERS]],
            "more_people": max(len(members) - MAX_MEMBERS, 0),
            "group": group,
            "items": items,
            "dm_explore": explore(
                datasette,
                request,
                query,
                "dm_messages",
                {"conversation_id": conversation_id, "_sort": "created_at"},
            ),
            # (Not reader_base.html's pager: earlier messages are above, later ones below.)
            "chat_pager": pager,
            "at_missing": missing,
            "dm_search": await search_box(datasette, db, conversation_id),
            "body_class": "private-chat",
        },
    )


def page_request(request, before: str | None):
    """The request as if it asked for the page `before` ('' or None: the newest) without
    `at`: the pager's links lead on from that page."""
    args = urllib.parse.parse_qsl(request.query_string)
    args = [(k, v) for k, v in args if k not in ("at", "before")]
    if before:
        args.append(("before", before))
    query = urllib.parse.urlencode(args).encode("latin-1")
    return Request(dict(request.scope, query_string=query), request.receive)


async def media(datasette, request):
    db = await private_or_404(datasette)
    message_id = parse_id(request.url_vars["message_id"])
    index = int(request.url_vars["position"])
    rows = (
        (await db.execute("select media from dm_messages where id = ?", [message_id])).rows
        if message_id is not None
        else []
    )
    items = dm_chat.loads(rows[0]["media"], dm_chat.MAX_MEDIA) if rows else []
    path = items[index].get("path") if index < len(items) else None
    parts = dm_chat.stored_parts(path, message_id)
    if parts is None:
        raise NotFound("No such media file")
    return await serve_stored(
        datasette, request, parts, "select location from sources order by id", []
    )


@hookimpl
def register_routes():
    return [
        (rf"^/messages{formats.SUFFIX}$", messages),
        (rf"^/messages/{CONVERSATION_ID}{formats.SUFFIX}$", chat),
        (r"^/-/dm-media/(?P<message_id>[0-9]{1,20})/(?P<position>[0-9]{1,2})$", media),
    ]
