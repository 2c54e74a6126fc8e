"""SQL functions the Atom feeds (the `latest` and `search_feed` canned queries) are built with:
text XML can carry, entry titles cut at a word, and entry content whose links to tweets the
archive holds open the archive's own pages."""

import html
import re
import sqlite3

from datasette import hookimpl

from tweet_site.config import archive_database, config
from tweet_site.core import STATUS_URL
from tweet_site.ids import in_id_range

# Characters XML 1.0 can't carry at all: datasette-atom's feed builder refuses the whole feed
# (a 500) for one tweet holding any of them.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
TITLE_LENGTH = 80
URL = re.compile(r"https?://[^\s<>\"]+", re.IGNORECASE)
TRAILING = ".,;:!?'\"…»)]}>"


def xml_text(value):
    if not isinstance(value, str):
        return value
    return NOT_XML.sub("", value)


def cut_at_word(text, limit=TITLE_LENGTH):
    """`text` on one line, at most `limit` characters, cut between words with an ellipsis."""
    text = " ".join(xml_text(text or "").split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ", 0, limit)  # a single word longer than the title: cut it
    if text[limit - 1] != " " and space > 0:
        cut = cut[:space]
    return cut.rstrip(" ,;:.-–—") + "…"


def feed_title(screen_name, text):
    """An entry title: '@name: the text, cut at a word…'."""
    prefix = f"@{xml_text(screen_name)}: " if screen_name else ""
    return prefix + cut_at_word(text, TITLE_LENGTH - len(prefix))


def feed_html(text, present, page_url):
    """A tweet's text as the HTML of a feed entry: escaped, line breaks kept, links linked;
    a link to a tweet in `present(ids)` goes to `page_url(id)`, the archive's own page."""
    text = xml_text(text)
    if not isinstance(text, str):
        return text
    ids = {int(m["id"]) for m in STATUS_URL.finditer(text) if in_id_range(int(m["id"]))}
    local = present(ids) if ids else set()
    out, last = [], 0
    for match in URL.finditer(text):
        url = match[0]
        while url and url[-1] in TRAILING:
            url = url[:-1]
        out.append(html.escape(text[last : match.start()]))
        last = match.start() + len(url)
        status = STATUS_URL.match(url)
        href = url
        if status and status.end() == len(url) and int(status["id"]) in local:
            href = page_url(int(status["id"]))
        out.append(f'<a href="{html.escape(href)}">{html.escape(url)}</a>')
    out.append(html.escape(text[last:]))
    return "".join(out).replace("\r\n", "\n").replace("\n", "<br>")


def archived(conn):
    def present(ids):
        ids = sorted(ids)[:200]
        marks = ", ".join("?" for _ in ids)
        try:
            rows = conn.execute(f"select id from tweets where id in ({marks})", ids).fetchall()
        except sqlite3.Error:
            return set()
        return {row[0] for row in rows}

    return present


def page_urls(datasette, database):
    """The address of a tweet's page: absolute when `site_url` is configured, else from the
    site's root (feed readers resolve it against the feed's own address)."""
    site = (config(datasette).get("site_url") or "").rstrip("/")

    def page_url(tweet_id):
        if not isinstance(tweet_id, int):
            return None
        return site + datasette.urls.row(database, "tweets", str(tweet_id))

    return page_url


@hookimpl
def prepare_connection(conn, database, datasette):
    conn.create_function("xml_text", 1, xml_text, deterministic=True)
    conn.create_function("feed_title", 2, feed_title, deterministic=True)
    if database != archive_database(datasette):
        return
    present, page_url = archived(conn), page_urls(datasette, database)
    conn.create_function("feed_html", 1, lambda text: feed_html(text, present, page_url))
    conn.create_function("feed_link", 1, page_url)
