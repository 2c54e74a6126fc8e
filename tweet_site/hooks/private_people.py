"""The owner's accounts on a private archive (issue 19, item 2): followers, following and
mutuals (/followers, /following, /mutuals), blocks and mutes (/blocks, /mutes), lists
(/lists) and liked tweets (/likes), each as a page, .json and .csv. A public archive has
none of these pages: they answer 404 there and nothing links to them."""

import weakref

from datasette import NotFound, hookimpl

from tweet_site import formats, lists
from tweet_site.config import archive_database, archive_db
from tweet_site.hooks.private_banner import is_private
from tweet_site.listing import NEWEST_FIRST, pagination, plural, position
from tweet_site.lists import likes as likes_list
from tweet_site.lists import people, twitter_lists
from tweet_site.pages import PAGE_SIZE, render_reader_page
from tweet_site.tweets import readable_time

# Each account list: (its tab's label, the page's title, its count's words for one and for
# several, what it holds).
ACCOUNT_PAGES = {
    "followers": ("Followers", "Followers", "follower", "followers", "Accounts that followed you"),
    "following": (
        "Following",
        "Following",
        "account you follow",
        "accounts you follow",
        "Accounts you followed",
    ),
    "mutuals": (
        "Mutuals",
        "Mutuals",
        "mutual",
        "mutuals",
        "Accounts you followed that followed you too",
    ),
    "blocks": (
        "Blocked",
        "Blocked accounts",
        "blocked account",
        "blocked accounts",
        "Accounts you blocked",
    ),
    "mutes": ("Muted", "Muted accounts", "muted account", "muted accounts", "Accounts you muted"),
}
# The badges worth showing on each list (a follower's "follows you" says nothing).
BADGES = {
    "followers": ("you_follow",),
    "following": ("follows_you",),
    "mutuals": (),
    "blocks": ("follows_you", "you_follow"),
    "mutes": ("follows_you", "you_follow"),
}
BADGE_WORDS = {"follows_you": "follows you", "you_follow": "you follow"}
# What the private home and menu link to: (key, path, the menu's label or None).
PRIVATE_LINKS = (
    ("messages", "/messages", "Messages"),
    ("people", "/followers", "People"),
    ("lists", "/lists", "Lists"),
    ("likes", "/likes", "Likes"),
)
# What home counts: {key: (the table it needs, the statement)}. Messages are those people
# wrote (a business's automatic welcome message is no message), as the exports' README counts.
COUNTED = {
    "messages": ("dm_messages", "select count(*) from dm_messages where is_welcome = 0"),
    "conversations": ("dm_conversations", "select count(*) from dm_conversations"),
    **{
        name: (name, f"select count(*) from {name}")
        for name in ("followers", "following", "blocks", "mutes", "lists", "likes")
    },
}
_counts = weakref.WeakKeyDictionary()


async def private_db_or_404(datasette):
    db = archive_db(datasette)
    if db is None or not await is_private(datasette):
        raise NotFound("No such page")
    return db


async def private_counts(datasette) -> dict:
    """Rows of each private table (0 for one a build didn't make), and the mutuals; read
    once per Datasette: the archive is served immutable."""
    if datasette not in _counts:
        db = archive_db(datasette)
        counts = {}
        for key, (table, sql) in COUNTED.items():
            counts[key] = 0
            if await db.table_exists(table):
                counts[key] = (await db.execute(sql)).single_value()
        counts["mutuals"] = 0
        if counts["followers"] and counts["following"]:
            query = people.count("mutuals")
            counts["mutuals"] = (await db.execute(query.sql, query.params)).single_value()
        _counts[datasette] = counts
    return _counts[datasette]


async def private_menu_links(datasette) -> list[dict]:
    """The private pages for the site's menu (hooks/home_page.py), or none on a public
    archive."""
    if not await is_private(datasette):
        return []
    return [{"href": datasette.urls.path(path), "label": label} for _, path, label in PRIVATE_LINKS]


async def private_home(datasette) -> dict | None:
    """The private home's section: the counts and where each leads."""
    if not await is_private(datasette):
        return None
    counts = await private_counts(datasette)
    path = datasette.urls.path
    return {
        "counts": counts,
        "links": {
            "messages": path("/messages"),
            **{name: path(f"/{name}") for name in ACCOUNT_PAGES},
            "lists": path("/lists"),
            "likes": path("/likes"),
        },
    }


async def rows_before(db, query, size: int):
    """The previous page's cursor ('' for the first page) from the rows up to this page's
    cursor, last first (the cursor's own row first): pages start every `size` rows."""
    rows = (await db.execute(query.sql, {**query.params, "size": size + 1})).rows
    return str(rows[size][0]) if len(rows) > size else ""


def account_tabs(datasette, current: str, counts: dict) -> list[dict]:
    return [
        {
            "label": f"{tab} {counts[name]:,}",
            "href": datasette.urls.path(f"/{name}"),
            "current": name == current,
        }
        for name, (tab, *_) in ACCOUNT_PAGES.items()
    ]


async def accounts(datasette, request):
    name = request.url_vars["list"]
    db = await private_db_or_404(datasette)
    after = people.parse_cursor(request.args.get("after"))
    query = people.query(
        name,
        after,
        await db.table_exists("account_names"),
        await db.table_exists("dm_conversations"),
    )
    rows, next_cursor = [], None
    if await db.table_exists(people.LISTS[name][0]):
        size = formats.size(request, PAGE_SIZE)
        rows, next_cursor = await lists.page(db, query, size, people.cursor)
    if formats.fmt(request):
        return formats.rows_response(
            datasette, request, name, people.COLUMNS, rows, next_cursor, cursor_arg="after"
        )
    counts = await private_counts(datasette)
    previous, shown_before = None, 0
    if after is not None and rows:
        previous = await rows_before(db, people.before(name, after, PAGE_SIZE + 1), PAGE_SIZE)
        counted = people.count(name, upto=after)
        shown_before = (await db.execute(counted.sql, counted.params)).single_value()
    _, title, one, many, holds = ACCOUNT_PAGES[name]
    for row in rows:
        row["badges"] = [BADGE_WORDS[key] for key in BADGES[name] if row[key]]
    explore = formats.explore_links(datasette, request, query, PAGE_SIZE)
    table = people.LISTS[name][0]
    explore["table"] = datasette.urls.table(archive_database(datasette), table)
    explore["table_label"] = f"the {table} table"
    return await render_reader_page(
        datasette,
        request,
        "private_people.html",
        {
            "page_title": title,
            "heading": f"1 {one}" if counts[name] == 1 else f"{counts[name]:,} {many}",
            "subtitle": f"{holds} when the archive was exported, in account id order (the "
            "oldest accounts first). Names are shown where the archive gives them.",
            "kind_filters": account_tabs(datasette, name, counts),
            "filters_label": "People",
            "accounts": rows,
            "people_explore": explore,
            "explore_what": "these accounts",
            "empty": f"No {many} in this archive.",
            **pagination(
                request,
                next_cursor,
                name="after",
                previous=previous,
                place=position(shown_before, len(rows), counts[name]),
            ),
            "body_class": f"private-people private-{name}",
        },
    )


async def likes(datasette, request):
    db = await private_db_or_404(datasette)
    before = likes_list.parse_cursor(request.args.get("before"))
    query = likes_list.query(before)
    rows, next_cursor = [], None
    if await db.table_exists("likes"):
        size = formats.size(request, PAGE_SIZE)
        rows, next_cursor = await lists.page(db, query, size, likes_list.cursor)
    if formats.fmt(request):
        return formats.rows_response(
            datasette, request, "likes", likes_list.COLUMNS, rows, next_cursor
        )
    total = (await private_counts(datasette))["likes"]
    previous, shown_before = None, 0
    if before is not None and rows:
        previous = await rows_before(db, likes_list.before(before, PAGE_SIZE + 1), PAGE_SIZE)
        counted = likes_list.count(since=before)
        shown_before = (await db.execute(counted.sql, counted.params)).single_value()
    for row in rows:
        row["when"] = readable_time(row["tweeted_at"]) if row["tweeted_at"] else None
        row["html"] = likes_list.text_html(row["text"])
    explore = formats.explore_links(datasette, request, query, PAGE_SIZE)
    explore["table"] = datasette.urls.table(archive_database(datasette), "likes")
    explore["table_label"] = "the likes table"
    return await render_reader_page(
        datasette,
        request,
        "private_likes.html",
        {
            "page_title": "Likes",
            "heading": plural(total, "liked tweets"),
            "subtitle": "Liked tweets, newest tweet first (the export gives no date for a "
            "like, only the tweet's own).",
            "likes": rows,
            "people_explore": explore,
            "explore_what": "these liked tweets",
            "empty": "No liked tweets in this archive.",
            **pagination(
                request,
                next_cursor,
                previous=previous,
                place=position(shown_before, len(rows), total),
                labels=NEWEST_FIRST,
            ),
            "body_class": "private-people private-likes",
        },
    )


async def owned_lists(datasette, request):
    db = await private_db_or_404(datasette)
    query = twitter_lists.query()
    rows = []
    if await db.table_exists("lists"):
        rows, _ = await lists.page(db, query, twitter_lists.MAX_LISTS, lambda row: None)
    rows = twitter_lists.rows_with_names(rows)
    if formats.fmt(request):
        return formats.rows_response(datasette, request, "lists", twitter_lists.COLUMNS, rows, None)
    groups = [
        {"kind": kind, "heading": heading, "lists": [row for row in rows if row["kind"] == kind]}
        for kind, heading in twitter_lists.KINDS.items()
    ]
    explore = formats.explore_links(datasette, request, query, twitter_lists.MAX_LISTS)
    explore["table"] = datasette.urls.table(archive_database(datasette), "lists")
    explore["table_label"] = "the lists table"
    return await render_reader_page(
        datasette,
        request,
        "private_lists.html",
        {
            "page_title": "Lists",
            "heading": plural(len(rows), "lists"),
            "subtitle": "The Twitter lists you created, are a member of and subscribe to. "
            "The export gives each list's address only: its name is read from it.",
            "groups": groups,
            "people_explore": explore,
            "explore_what": "these lists",
            "empty": "No lists in this archive.",
            "body_class": "private-people private-lists",
        },
    )


@hookimpl
def register_routes():
    names = "|".join(ACCOUNT_PAGES)
    return [
        (rf"^/(?P<list>{names}){formats.SUFFIX}$", accounts),
        (rf"^/likes{formats.SUFFIX}$", likes),
        (rf"^/lists{formats.SUFFIX}$", owned_lists),
    ]
