"""A tweet's text as HTML, from what the build stored: the text, and its entities with their
offsets (the `start` and `end` of the mentions, hashtags and urls tables).

Everything is escaped; exactly the entities given are linked (a card links what the database
counts, nothing it finds by itself); line breaks are kept; search matches, given as spans of
the text, are marked, a mark split where it crosses a link's edge so the HTML nests. Pure:
markupsafe, the standard library and tweet_site.chars, no regex over HTML.
"""

from __future__ import annotations

import re
import urllib.parse
from bisect import bisect_right
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

from tweet_site.chars import BIDI_CONTROLS, INVISIBLE

MENTION, HASHTAG, URL = "mention", "hashtag", "url"
SHOWN_URL = 32  # characters of a link's text, "…" included
SCHEME = re.compile(r"https?://(?:www\.)?", re.IGNORECASE)
# A URL written without one ("example.com/a", "example.com:8080") is an http one.
HAS_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:(?!\d)")
EXTERNAL = Markup('<a href="{}" title="{}" rel="nofollow noopener noreferrer">')
LOCAL = Markup('<a class="local-tweet" href="{}" title="In this archive: {}">')
MARK, MARK_END = Markup("<mark>"), Markup("</mark>")

Span = tuple[int, int]
Entity = Sequence  # (start, end, kind, value): a row as stored, value the name, tag or URL


def user_path(screen_name: str) -> str:
    return "/-/user/" + urllib.parse.quote(screen_name)


def hashtag_path(tag: str) -> str:
    return "/hashtag/" + urllib.parse.quote(tag, safe="")


def no_local_page(url: str) -> str | None:
    return None


@dataclass(frozen=True)
class Links:
    """Where a card's links go. The defaults are the site's paths at the root of the host;
    the site passes its own (under its base_url), and for a link to a tweet the archive
    holds, the address of the archive's page for it."""

    user: Callable[[str], str] = user_path
    hashtag: Callable[[str], str] = hashtag_path
    local_tweet: Callable[[str], str | None] = no_local_page


def safe_href(url: str) -> str | None:
    """http(s) URLs only, invisible characters percent-encoded so the link shows what it does."""
    try:
        parts = urllib.parse.urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return "".join(urllib.parse.quote(c) if ord(c) in INVISIBLE or c.isspace() else c for c in url)


def web_href(url: str) -> str | None:
    """A link's address: a URL written without a scheme ("example.com/a") is an http one;
    None for what is no web link."""
    return safe_href(url if HAS_SCHEME.match(url) else "http://" + url)


def render_text(
    text: str | None,
    entities: Iterable[Entity] = (),
    highlights: Iterable[Span] = (),
    links: Links = Links(),
    *,
    begin: int = 0,
) -> Markup:
    """The HTML of a tweet's text (what goes inside a card's text element), from `begin`
    on (a retweet's body, after the "RT @name: " its card shows as the author)."""
    if not text:
        return Markup("")
    n = len(text)
    marks = Marks(merged(highlights, n))
    out: list[Markup] = []
    pos = begin = min(max(begin, 0), n)
    for start, end, kind, value in placed(entities, n):
        if start < begin:
            continue
        out.append(plain(text, pos, start, marks))
        out.append(linked(text, start, end, kind, value, marks, links))
        pos = end
    out.append(plain(text, pos, n, marks))
    return Markup("").join(out)


def placed(entities: Iterable[Entity], n: int) -> list[tuple[int, int, str, str | None]]:
    """The entities that can be linked, in text order: offsets inside the text (NULL ones
    left out), and none overlapping an earlier one."""
    rows = []
    for start, end, kind, value in entities:
        if (
            isinstance(start, int)
            and isinstance(end, int)
            and 0 <= start < end <= n
            and kind in (MENTION, HASHTAG, URL)
        ):
            rows.append((start, end, kind, value if isinstance(value, str) else None))
    rows.sort(key=lambda row: row[:2])
    kept, reach = [], 0
    for row in rows:
        if row[0] >= reach:
            kept.append(row)
            reach = row[1]
    return kept


def merged(spans: Iterable[Span], n: int) -> list[Span]:
    """Spans inside [0, n], sorted, overlapping or touching ones joined."""
    out: list[list[int]] = []
    for start, end in sorted((max(s, 0), min(e, n)) for s, e in spans if s is not None):
        if start >= end:
            continue
        if out and start <= out[-1][1]:
            out[-1][1] = max(out[-1][1], end)
        else:
            out.append([start, end])
    return [(start, end) for start, end in out]


class Marks:
    def __init__(self, spans: list[Span]):
        self.spans = spans
        self.starts = [start for start, _ in spans]

    def covers(self, i: int) -> bool:
        k = bisect_right(self.starts, i) - 1
        return k >= 0 and i < self.spans[k][1]

    def runs(self, a: int, b: int) -> Iterable[tuple[int, int, bool]]:
        """[a, b) cut where a mark starts or ends: (start, end, marked)."""
        pos = a
        for start, end in self.spans[max(bisect_right(self.starts, a) - 1, 0) :]:
            if start >= b:
                break
            if end <= pos:
                continue
            if start > pos:
                yield pos, start, False
            yield max(start, pos), min(end, b), True
            pos = min(end, b)
        if pos < b:
            yield pos, b, False


def plain(text: str, a: int, b: int, marks: Marks) -> Markup:
    """text[a:b] escaped, marked where the marks say, line breaks as <br>."""
    out = []
    for start, end, marked in marks.runs(a, b):
        piece = text[start:end].replace("\r\n", "\n")
        if piece.endswith("\r") and text.startswith("\n", end):
            piece = piece[:-1]  # "\r\n" is one line break, even cut by a mark
        html = Markup(str(escape(piece.translate(BIDI_CONTROLS))).replace("\n", "<br>"))
        if html:
            out.append(MARK + html + MARK_END if marked else html)
    return Markup("").join(out)


def linked(text, start, end, kind, value, marks, links) -> Markup:
    written = text[start:end]
    if kind == URL:
        url = value or written
        href = web_href(url)
        if href is None:  # not a web link (a damaged archive's "javascript:..."): text
            return plain(text, start, end, marks)
        local = links.local_tweet(url)
        opening = LOCAL.format(local, href) if local else EXTERNAL.format(href, href)
        return opening + shown_url(written, start, marks) + Markup("</a>")
    name = value or written[1:]
    if kind == MENTION:
        opening = Markup('<a class="mention" href="{}">').format(links.user(name))
    else:
        opening = Markup('<a class="hashtag" href="{}">').format(links.hashtag(name))
    # "@name" and "#tag" with the ASCII sign, as written otherwise.
    sign = "@" if kind == MENTION else "#"
    shown = [(sign, start), *((c, start + 1 + i) for i, c in enumerate(written[1:]))]
    return opening + marked_chars(shown, marks) + Markup("</a>")


def shown_url(written: str, start: int, marks: Marks) -> Markup:
    """A link's text: without "https://" and "www.", nothing invisible, cut with "…" at
    SHOWN_URL characters (marked when a match falls in what it stands for)."""
    skip = SCHEME.match(written)
    first = skip.end() if skip else 0
    shown = [
        (c, start + i) for i, c in enumerate(written) if i >= first and ord(c) not in INVISIBLE
    ]
    if len(shown) > SHOWN_URL:
        hidden = [i for _, i in shown[SHOWN_URL - 1 :]]
        cut = next((i for i in hidden if marks.covers(i)), hidden[0])
        shown = [*shown[: SHOWN_URL - 1], ("…", cut)]
    return marked_chars(shown, marks)


def marked_chars(shown: list[tuple[str, int]], marks: Marks) -> Markup:
    """Characters (each with the offset in the text it shows), escaped, runs of marked ones
    in <mark>."""
    out, run, run_marked = [], [], False
    for c, i in [*shown, ("", -1)]:
        is_marked = i >= 0 and marks.covers(i)
        if run and (is_marked != run_marked or i < 0):
            html = escape("".join(run))
            out.append(MARK + html + MARK_END if run_marked else html)
            run = []
        run.append(c)
        run_marked = is_marked
    return Markup("").join(out)
