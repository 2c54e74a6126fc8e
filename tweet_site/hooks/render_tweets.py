import json
import re
import urllib.parse
import weakref

from datasette import hookimpl
from markupsafe import Markup, escape

from tweet_site.chars import (
    BIDI_CONTROLS,
    DIRECTION_MARKS,
    HIGHLIGHT_END,
    HIGHLIGHT_START,
)
from tweet_site.config import archive_database
from tweet_site.links import media_url, present_ids, status_id, user_url
from tweet_site.text import Links, render_text, safe_href
from tweet_site.tweets import ENTITY_SQL, linked_ids

HIGHLIGHTED = re.compile("\x02([^\x02\x03]*)\x03")
MEDIA_LABELS = {"photo": "Photo", "video": "Video", "animated_gif": "GIF"}


def clean(text):
    return text.translate(BIDI_CONTROLS)


def hashtag_url(datasette, database, tag):
    """The hashtag's reader page (hooks/reader_pages.py)."""
    return datasette.urls.path("/hashtag/" + urllib.parse.quote(tag, safe=""))


# A language tag as Twitter writes one ("ja", "en", "zh-cn"); its own codes "und", "zxx" and
# the private-use q* ones ("qme": media only) name no language.
LANGUAGE = re.compile(r"^(?!q)[a-z]{2,3}(?:-[a-z0-9]{2,8})*$", re.I)
NO_LANGUAGE = {"und", "zxx"}


def lang_attribute(lang):
    """` lang="ja"` for a tweet's language, so that browsers pick the right glyphs (Japanese
    kanji drawn in Chinese forms otherwise); nothing when the archive names none."""
    if isinstance(lang, str) and LANGUAGE.match(lang) and lang.lower() not in NO_LANGUAGE:
        return Markup(' lang="{}"').format(lang)
    return Markup("")


def tweet_page_url(datasette, database, tweet_id):
    return datasette.urls.row(database, "tweets", str(int(tweet_id))) + f"#t{int(tweet_id)}"


def site_links(datasette, database, local_ids=frozenset()):
    """Where a card's links go on this site (under its base_url): accounts' and hashtags'
    pages, and the archive's page of a linked tweet in `local_ids` (ids the archive holds)."""

    def local_tweet(url):
        tweet_id = status_id(url) if local_ids else None
        if tweet_id is None or tweet_id not in local_ids:
            return None
        return tweet_page_url(datasette, database, tweet_id)

    return Links(
        user=lambda name: user_url(datasette, name),
        hashtag=lambda tag: hashtag_url(datasette, database, tag),
        local_tweet=local_tweet,
    )


def tweet_html(
    text,
    datasette,
    database,
    lang=None,
    local_ids=frozenset(),
    entities=(),
    highlights=(),
    begin=0,
):
    """Tweet text as HTML (tweet_site.text's render_text in the card's text element): escaped,
    with exactly the stored `entities` linked and the `highlights` marked, from `begin` on."""
    if text is None:
        return Markup("")
    links = site_links(datasette, database, local_ids)
    html = render_text(text, entities, highlights, links, begin=begin)
    return Markup('<div class="tweet-text" dir="auto"{}>{}</div>').format(
        lang_attribute(lang), html
    )


def media_html(media, datasette):
    """One media item: a thumbnail opening the file, a player, or a placeholder."""
    kind = media.get("type") or "photo"
    label = MEDIA_LABELS.get(kind, "Media")
    if not media.get("path"):
        name = media.get("filename") or ""
        remote = safe_href(media.get("url") or "")
        link = (
            Markup(' <a href="{}" rel="nofollow noopener noreferrer">original link</a>').format(
                remote
            )
            if remote
            else ""
        )
        return Markup(
            '<span class="media-missing" title="{}">{} not in the archive{}{}</span>'
        ).format(name, label, Markup(": ") + name if name else "", link)
    src = media_url(datasette, media["tweet_id"], media["position"])
    alt = media.get("alt_text")
    alt = clean(alt).strip() if isinstance(alt, str) else ""
    described = Markup(' aria-label="{}"').format(alt) if alt else Markup("")
    if kind == "video":
        return Markup(
            '<video class="media-video" controls preload="metadata" src="{}"{}></video>'
        ).format(src, described)
    if kind == "animated_gif":
        return Markup(
            '<video class="media-gif" autoplay loop muted playsinline src="{}"{}></video>'
        ).format(src, described)
    size, shape = "", ""
    if media.get("width") and media.get("height"):
        width, height = int(media["width"]), int(media["height"])
        size = Markup(' width="{}" height="{}"').format(width, height)
        # A tall picture (a screenshot of text, mostly) is cropped from its top, not its middle.
        shape = " photo-tall" if height > width * 1.4 else ""
    alt = alt or f"{label} {int(media['position']) + 1}"
    # static/lightbox.js opens data-src large over the page; without it the link opens the file.
    return Markup(
        '<a class="media-photo media-open{}" href="{}" data-src="{}" data-kind="photo"'
        ' data-alt="{}"><img src="{}" alt="{}" loading="lazy"{}></a>'
    ).format(shape, src, src, alt, src, alt, size)


def media_list_html(media_rows, datasette):
    """A tweet's media, laid out as Twitter does by their number (static/tweet.css): one
    alone, two side by side, three as one tall and two, four as two by two."""
    if not media_rows:
        return Markup("")
    items = Markup("").join(media_html(m, datasette) for m in media_rows)
    count = len(media_rows)
    return Markup('<div class="tweet-media media-{}">{}</div>').format(
        count if count <= 4 else "many", items
    )


def highlighted_html(value):
    escaped = str(escape(clean(value)))
    marked = HIGHLIGHTED.sub(r"<mark>\1</mark>", escaped)
    marked = marked.replace(HIGHLIGHT_START, "").replace(HIGHLIGHT_END, "")
    return Markup('<div class="tweet-text snippet" dir="auto">{}</div>').format(Markup(marked))


# Cells render one at a time, and a page of 50 tweets with photos was 50 queries, each queued
# behind other requests' SQL. So a lookup also fetches the media of the tweets just below
# (the next rows of a page in the usual newest-first order) and keeps them, for databases
# that can't change, in a bounded cache.
MEDIA_AHEAD = 200
MEDIA_CACHE_TWEETS = 20_000
MEDIA_CACHE = weakref.WeakKeyDictionary()
MEDIA_SQL = (
    "select * from media where tweet_id <= :id order by tweet_id desc, position limit :ahead"
)


async def fetch_media(datasette, database, tweet_id):
    db = datasette.get_database(database)
    cache = MEDIA_CACHE.setdefault(datasette, {}).setdefault(database, {})
    if tweet_id in cache:
        return cache[tweet_id]
    rows = (await db.execute(MEDIA_SQL, {"id": tweet_id, "ahead": MEDIA_AHEAD})).rows
    found = {}
    for row in rows:
        found.setdefault(row["tweet_id"], []).append(dict(row))
    if len(rows) == MEDIA_AHEAD and len(found) > 1:
        found.pop(rows[-1]["tweet_id"])  # perhaps cut short by the limit
    if db.is_mutable:
        return found.get(tweet_id, [])
    if len(cache) > MEDIA_CACHE_TWEETS:
        cache.clear()
    cache.update(found)
    return found.get(tweet_id, [])


# Table cells render one at a time too: which linked tweets the archive holds is remembered
# (for databases that can't change), so a page asks once per tweet id at most.
LOCAL_CACHE_IDS = 50_000
LOCAL_CACHE = weakref.WeakKeyDictionary()


async def local_ids(datasette, database, ids):
    db = datasette.get_database(database)
    cache = LOCAL_CACHE.setdefault(datasette, {}).setdefault(database, {})
    unknown = {i for i in ids if i not in cache}
    if unknown:
        present = await present_ids(db, unknown)
        if db.is_mutable:
            return frozenset(i for i in ids if i in present)
        if len(cache) > LOCAL_CACHE_IDS:
            cache.clear()
        cache.update((i, i in present) for i in unknown)
    return frozenset(i for i in ids if cache.get(i))


# A cell's text is rendered with its tweet's stored entities, fetched as its media are: with
# those of the tweets just below, kept for databases that can't change. The window's tweets
# are listed first (kind NULL), so a tweet without entities is known to have none.
ENTITIES_AHEAD = 100
ENTITY_CACHE_TWEETS = 20_000
ENTITY_CACHE = weakref.WeakKeyDictionary()
ENTITY_WINDOW_SQL = (
    "with window as (select id from tweets where id <= :id order by id desc limit :ahead)\n"
    "select id as tweet_id, null as start, null as end, null as kind, null as value from window\n"
    "union all" + ENTITY_SQL.format(ids="select id from window")
)


async def fetch_entities(datasette, database, tweet_id):
    """The stored entities of a tweet, (start, end, kind, value) each."""
    db = datasette.get_database(database)
    cache = ENTITY_CACHE.setdefault(datasette, {}).setdefault(database, {})
    if tweet_id in cache:
        return cache[tweet_id]
    rows = await db.execute(ENTITY_WINDOW_SQL, {"id": tweet_id, "ahead": ENTITIES_AHEAD})
    found = {}
    for row in rows.rows:
        entities = found.setdefault(row["tweet_id"], [])
        if row["kind"] is not None:
            entities.append((row["start"], row["end"], row["kind"], row["value"]))
    if db.is_mutable:
        return found.get(tweet_id, [])
    if len(cache) > ENTITY_CACHE_TWEETS:
        cache.clear()
    cache.update(found)
    return found.get(tweet_id, [])


def written_in(text, entities):
    """The entities a cell's text holds where they say: a query's `text` column may be
    another text than its row's tweet's (cut, or changed)."""
    kept = []
    for entity in entities:
        start, end, kind, value = entity
        if not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text)):
            continue
        if kind == "url":
            fits = isinstance(value, str) and end - start == len(value)
            fits = fits and text.startswith(value, start)
        else:
            fits = text[start] in ("@＠" if kind == "mention" else "#＃")
        if fits:
            kept.append(entity)
    return kept


def row_get(row, key):
    try:
        return row[key] if key in row.keys() else None
    except (AttributeError, IndexError, KeyError, TypeError):
        return None


def plain(value):
    return value["value"] if isinstance(value, dict) else value


RENDERED_COLUMNS = {"text", "quoted_text", "snippet", "tweet_id", "screen_name", "path", "popup"}
POPUP_LINK = re.compile(r"tweets/(\d{1,20})")


# Before other plugins' (datasette-render-markdown's), in whatever order Datasette loaded them.
@hookimpl(tryfirst=True)
def render_cell(row, value, column, table, database, datasette):
    # Called for every cell of every page: the cheap checks first.
    if column not in RENDERED_COLUMNS or database != archive_database(datasette):
        return None
    if column == "snippet" and table is None and isinstance(value, str):
        return highlighted_html(value)
    if column in ("text", "quoted_text") and table in ("tweets", None) and isinstance(value, str):
        row_id = plain(row_get(row, "id" if table else "tweet_id") or row_get(row, "id"))
        tweet_id = plain(row_get(row, "quoted_id")) if column == "quoted_text" else row_id
        media_count = plain(row_get(row, "media_count")) or 0
        lang = plain(row_get(row, "lang"))
        with_media = column == "text" and row_id is not None and media_count
        if not isinstance(tweet_id, int) and not with_media:
            return tweet_html(value, datasette, database, lang)

        async def rendered():
            entities = []
            if isinstance(tweet_id, int):
                entities = written_in(value, await fetch_entities(datasette, database, tweet_id))
            linked = linked_ids(entities)
            local = await local_ids(datasette, database, linked) if linked else frozenset()
            html = tweet_html(value, datasette, database, lang, local, entities)
            if with_media:
                media = await fetch_media(datasette, database, row_id)
                html += media_list_html(media, datasette)
            return html

        return rendered()
    if column == "tweet_id" and table is None and isinstance(value, int):
        url = datasette.urls.row(database, "tweets", str(value))
        return Markup('<a href="{}">{}</a>').format(url, value)
    if column == "screen_name" and table is None and isinstance(value, str):
        return Markup('<a class="mention" href="{}">@{}</a>').format(
            user_url(datasette, value), value
        )
    if column == "popup" and table is None and isinstance(value, str):
        # The map's popup data (JSON for datasette-cluster-map) reads better as its link.
        try:
            popup = json.loads(value)
        except ValueError:
            return None
        match = (
            POPUP_LINK.fullmatch(str(popup.get("link") or "")) if isinstance(popup, dict) else None
        )
        if match is None:
            return None
        return Markup('<a href="{}">{}</a>').format(
            datasette.urls.row(database, "tweets", match[1]), popup.get("title") or "tweet"
        )
    if column == "path" and table in ("media", None):
        tweet_id, position = plain(row_get(row, "tweet_id")), row_get(row, "position")
        if tweet_id is None or position is None or row_get(row, "type") is None:
            return None
        keys = ("type", "path", "filename", "url", "width", "alt_text")
        media = {k: row_get(row, k) for k in keys}
        media.update(tweet_id=tweet_id, position=position, height=row_get(row, "height"))
        return media_list_html([media], datasette)
    return None


RETWEET_PREFIX = re.compile(r"^RT @[A-Za-z0-9_]{1,15}:?\s*")


def retweet_body(text):
    """A retweet's text without the "RT @name: " its author is shown by instead."""
    return text[retweet_begin(text) :] if isinstance(text, str) else text


def retweet_begin(text):
    """Where a retweet's body begins, after the "RT @name: " (0 when there is none)."""
    match = RETWEET_PREFIX.match(text) if isinstance(text, str) else None
    return match.end() if match else 0


@hookimpl
def extra_css_urls(datasette):
    # The tweet card's own rules (threads, labels, retweets): wherever a card may appear.
    return [datasette.urls.path("/static/tweet.css")]


@hookimpl
def extra_js_urls(datasette):
    # Wherever a card or a photo may appear: cards open their tweet (cards.js), photos open
    # large over the page (lightbox.js). Both wait for the page, and run once however often
    # a page names them.
    return [datasette.urls.path(f"/static/{name}") for name in ("cards.js", "lightbox.js")]


@hookimpl
def prepare_jinja2_environment(env, datasette):
    def tweet_html_filter(text, lang=None, local_ids=(), entities=(), highlights=(), begin=0):
        database = archive_database(datasette)
        local = frozenset(local_ids or ())
        return tweet_html(
            text, datasette, database, lang, local, entities or (), highlights or (), begin
        )

    env.filters["tweet_html"] = tweet_html_filter
    env.filters["retweet_body"] = retweet_body
    env.filters["retweet_begin"] = retweet_begin
    env.filters["tweet_media"] = lambda media: media_list_html(media, datasette)
    env.filters["safe_href"] = lambda url: safe_href(url or "")
    env.filters["no_bidi"] = lambda text: text.translate(DIRECTION_MARKS) if text else text
    # Datasette 0.65 renders error pages without extra_template_vars (nor the site's CSS):
    # the not-found page (templates/404.html) finds them through these instead.
    env.globals["site_css_urls"] = lambda: [
        url if isinstance(url, str) else url.get("url")
        for url in datasette.metadata("extra_css_urls") or []
    ]
    env.globals["served_archive"] = lambda: (
        archive_database(datasette) if archive_database(datasette) in datasette.databases else None
    )
