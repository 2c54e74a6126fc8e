"""SQL functions the Atom feeds (the `latest` and `search_feed` canned queries) are built with:
text XML can carry, entry titles cut at a word, and entry content linking the links the
database stores for the tweet (those to tweets the archive holds open its own pages)."""

import html
import re
import sqlite3

from datasette import hookimpl

from tweet_site.config import archive_database, config
from tweet_site.links import status_id
from tweet_site.text import URL, placed, web_href

# Characters XML 1.0 can't carry at all: datasette-atom's feed builder refuses the whole feed
# (a 500) for one tweet holding any of them.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
TITLE_LENGTH = 80
# A tweet's links where its text holds them (the urls table's offsets).
LINKS_SQL = "select start, end, url from urls where tweet_id = ? and start is not null"


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


def feed_html(text, links=(), local_page=lambda url: None):
    """A tweet's text as the HTML of a feed entry: escaped, line breaks kept, and exactly
    `links` linked ((start, end, url) each, text[start:end] the URL as written: the urls
    table's rows). A link to a tweet the archive holds goes to `local_page(url)`, its page
    there (None for any other link)."""
    if not isinstance(text, str):
        return xml_text(text)
    out, pos = [], 0
    for start, end, _, url in placed(((s, e, URL, u) for s, e, u in links), len(text)):
        out.append(escaped(text[pos:start]))
        shown = escaped(text[start:end])
        href = (local_page(url) or web_href(url)) if url else None
        out.append(f'<a href="{html.escape(href)}">{shown}</a>' if href else shown)
        pos = end
    out.append(escaped(text[pos:]))
    return "".join(out).replace("\r\n", "\n").replace("\n", "<br>")


def escaped(text):
    return html.escape(xml_text(text))


def stored_links(conn, tweet_id):
    if not isinstance(tweet_id, int):
        return []
    try:
        return conn.execute(LINKS_SQL, [tweet_id]).fetchall()
    except sqlite3.Error:
        return []


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


def entry_html(conn, page_url):
    """feed_html(text, tweet_id) for SQL: the tweet's stored links, looked up."""
    present = archived(conn)

    def html_of(text, tweet_id):
        links = stored_links(conn, tweet_id)
        ids = {i for _, _, url in links if (i := status_id(url)) is not None}
        local = present(ids) if ids else set()

        def local_page(url):
            linked = status_id(url)
            return page_url(linked) if linked in local else None

        return feed_html(text, links, local_page)

    return html_of


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
    page_url = page_urls(datasette, database)
    conn.create_function("feed_html", 2, entry_html(conn, page_url))
    conn.create_function("feed_link", 1, page_url)
