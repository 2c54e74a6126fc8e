"""The site's lists, each built by one module of this package: the module writes the list's
SQL (lowercase, one clause per line, every value bound) and the reader page, its JSON and its
CSV (tweet_site/formats.py) and the explorers' "SQL" link all run that one statement, so a
page and its data can't disagree.

The canned queries (canned.py) are what explorers get that no reader page gives, and the
Atom feeds; they are built here too, and metadata.yml holds no SQL."""

import re
from typing import NamedTuple


class Query(NamedTuple):
    """A statement and its parameters; `:size` (the rows wanted) is bound by `page`."""

    sql: str
    params: dict


# Dates or their beginnings: 2019, 2019-06, 2019-06-05 (a prefix of created_at).
_PERIOD = re.compile(r"[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?")


def where(*clauses) -> str:
    """`where` and the clauses given (None and '' left out), one a line; '' for none."""
    kept = [clause for clause in clauses if clause]
    return "where " + "\n  and ".join(kept) if kept else ""


def period(column, args) -> tuple[list, dict]:
    """Clauses keeping `column` within ?since= and ?until= (2019, 2019-06 or 2019-06-05,
    both inclusive: until=2019-06 keeps June), with their parameters; anything else is no
    limit."""
    clauses, params = [], {}
    since = (args.get("since") or "").strip()[:10]
    until = (args.get("until") or "").strip()[:10]
    if _PERIOD.fullmatch(since):
        clauses.append(f"{column} >= :since")
        params["since"] = since
    if _PERIOD.fullmatch(until):
        clauses.append(f"{column} < :until || 'z'")
        params["until"] = until
    return clauses, params


async def page(db, query: Query, size: int, cursor) -> tuple[list, str | None]:
    """Up to `size` rows of `query` (as dicts), and `cursor(last row)` when more follow."""
    result = await db.execute(query.sql, {**query.params, "size": size + 1})
    rows = [dict(row) for row in result.rows]
    more = len(rows) > size
    rows = rows[:size]
    return rows, (cursor(rows[-1]) if more else None)
