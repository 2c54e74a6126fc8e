"""A private archive (`tweets-etl build --private`: DMs, followers, blocks) says so on every
page: `private_archive` is true in every template when the served archive carries the mark
etl/private_wall.py writes (its table `private_archive`), and base.html shows a banner."""

import weakref

from datasette import hookimpl

from tweet_site.config import archive_db

MARKER_TABLE = "private_archive"  # etl/private_wall.py's MARKER_TABLE (the site imports no etl)
# Read once per Datasette: the archive is served immutable.
_private = weakref.WeakKeyDictionary()


async def is_private(datasette) -> bool:
    if datasette not in _private:
        db = archive_db(datasette)
        found = False
        if db is not None:
            found = bool(
                (
                    await db.execute(
                        "select exists (select 1 from sqlite_master where type = 'table' "
                        "and name = ?)",
                        [MARKER_TABLE],
                    )
                ).single_value()
            )
        _private[datasette] = found
    return _private[datasette]


@hookimpl
def extra_template_vars(datasette):
    async def private_vars():
        return {"private_archive": await is_private(datasette)}

    return private_vars
