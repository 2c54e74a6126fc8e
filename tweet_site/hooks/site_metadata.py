import weakref
from datetime import datetime

from datasette import hookimpl
from markupsafe import Markup, escape

from tweet_site.chars import DIRECTION_MARKS
from tweet_site.config import archive_database
from tweet_site.hooks.private_banner import is_private

SITES = weakref.WeakKeyDictionary()


def month_year(value):
    try:
        return datetime.fromisoformat(value).strftime("%B %Y")
    except (TypeError, ValueError):
        return None


def site_metadata(totals, private=False):
    """Title and description for the whole site, from the archive_totals row; a private
    archive without tweets (an export shared without its tweets file) says what it holds."""
    names = (totals.get("owner_screen_names") or "").translate(DIRECTION_MARKS)
    # (One owner under two account ids, as a private export with tweets may list them: once.)
    owners = {}
    for name in names.split(","):
        if name.strip():
            owners.setdefault(name.strip().lower(), name.strip())
    handles = ", ".join("@" + name for name in owners.values())
    title = f"{handles} — tweet archive" if handles else "Tweet archive"
    owner = Markup("{}").format(handles)
    owner_name = (totals.get("owner_name") or "").translate(DIRECTION_MARKS).strip()
    if handles and owner_name:
        owner += Markup(" ({})").format(owner_name)
    if private and not totals.get("tweets"):
        # (Every page's title ends in the site's: "Likes — @x — private archive".)
        title = f"{handles} — private archive" if handles else "Private archive"
        description = Markup(
            "The private archive{}: direct messages, followers, following, blocks, mutes, "
            "lists and likes, to read, search and query with SQL."
        ).format(Markup(" of {}").format(owner) if handles else "")
        return {"title": title, "description_html": str(escape(description))}
    who = Markup(" by {}").format(owner) if handles else ""
    first, last = month_year(totals.get("first_tweet_at")), month_year(totals.get("last_tweet_at"))
    span = Markup(", {} to {}").format(first, last) if first and last else ""
    description = Markup(
        "{:,} tweets, replies and retweets{}{}. Search them, read them as threads, browse "
        "them by month, account or hashtag, or query them with SQL."
    ).format(totals.get("tweets") or 0, who, span)
    return {"title": title, "description_html": str(escape(description))}


@hookimpl
def startup(datasette):
    async def load_owner():
        database = archive_database(datasette)
        try:
            db = datasette.get_database(database)
        except KeyError:
            return
        if await db.table_exists("archive_totals"):
            rows = (await db.execute("select * from archive_totals")).rows
            if rows:
                SITES[datasette] = site_metadata(dict(rows[0]), await is_private(datasette))

    return load_owner


@hookimpl
def get_metadata(datasette):
    # metadata.yml wins over this (Datasette merges local metadata last).
    return SITES.get(datasette)
