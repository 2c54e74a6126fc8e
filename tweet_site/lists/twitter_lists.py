"""The owner's Twitter lists on a private archive (/lists): those they created, those they
are a member of and those they subscribed to. The export gives each list's address only
(https://twitter.com/<owner>/lists/<slug>): its name is read from the slug."""

import re
import urllib.parse

from tweet_site.lists import Query

COLUMNS = ("kind", "url", "owner", "name")
KINDS = {
    "created": "Lists you created",
    "member": "Lists you are a member of",
    "subscribed": "Lists you subscribe to",
}
# More than any account keeps (Twitter allowed 1,000 lists made and 1,000 followed).
MAX_LISTS = 3000
SQL = """select
  lists.kind,
  lists.url
from lists
order by lists.kind, lists.url
limit :size"""
COUNT_SQL = """select
  lists.kind,
  count(*) as lists
from lists
group by lists.kind"""
_LIST_URL = re.compile(r"^https?://(?:www\.|mobile\.)?(?:twitter|x)\.com/([^/?#]*)/lists/([^/?#]+)")


def query() -> Query:
    return Query(SQL, {})


def readable(url: str) -> dict:
    """The list's owner ('@owner', or '' when the address names none) and its name read from
    the slug ('birds-of-prey': 'birds of prey'); a list known by its number only is 'list
    <number>'. Untrusted text: the page escapes it."""
    found = _LIST_URL.match(url or "")
    if not found:
        return {"owner": "", "name": url or ""}
    owner, slug = (urllib.parse.unquote(part) for part in found.groups())
    name = " ".join(slug.replace("-", " ").replace("_", " ").split())[:200]
    if owner == "i" and slug.isdigit():
        owner, name = "", f"list {slug}"
    return {"owner": f"@{owner}" if owner else "", "name": name or slug}


def rows_with_names(rows) -> list[dict]:
    return [{**row, **readable(row["url"])} for row in rows]
