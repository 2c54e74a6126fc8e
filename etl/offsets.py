"""Where a tweet's entities are written in its text.

Every mention, hashtag and URL row carries `start` and `end`: `text[start:end]` is the
entity as written, so the site links exactly what the database counts. Text-only formats
get them from the extraction itself (etl/entities.py). An export's entities come with its
own offsets, into a text the reader then changes (t.co links expanded, media links cut,
HTML entities decoded; a retweet's or a long post's text rebuilt): the reader maps them
into its text, and `locate` keeps each offset that holds its entity and looks for the
others, nearest where they were said to be. One that can't be found keeps no offsets.
"""

from __future__ import annotations

import re
from bisect import bisect_left, insort
from collections.abc import Sequence

from .entities import (
    _END_MENTION,
    _MENTION,
    _TLD_HIT,
    Span,
    _kind,
    _Spans,
    _url_spans,
    extract_entities,
)
from .records import Hashtag, Link, Mention, Tweet

MENTION, HASHTAG, URL = "mention", "hashtag", "url"
SIGNS = {MENTION: "@＠", HASHTAG: "#＃"}
SIGN = re.compile("[@＠#＃]")
# A tweet has a few entities; a damaged list of thousands is not searched for past these
# (each search reads the whole text), nor each search past this many places.
MAX_SEARCHES = 100
MAX_CANDIDATES = 1000
# What continues a URL or a name: a URL or "@name" written just before it is part of a
# longer one (a full stop or colon followed by a space ends a sentence, not a URL). No
# entity's own offsets end before a letter, digit or '_' of ASCII: offsets that do were made
# for another text (a retweet's, cut short: "#bildun…" is not the "#bildungsstreik" there).
URL_GOES_ON = re.compile(r"[.:?!,;]?[A-Za-z0-9_/%=&#~+@-]")
RUNS_ON = re.compile(r"[A-Za-z0-9_]")

Wanted = tuple[str, str, int | None, int | None]  # kind, value, said start, said end


def written(text: str, kind: str, value: str, start: int | None, end: int | None) -> bool:
    """Is text[start:end] the entity: the URL, or "@name" / "#tag" (signs full-width or
    not, letters of any case)?"""
    if start is None or end is None or not 0 <= start < end <= len(text):
        return False
    if kind == URL:
        return end - start == len(value) and text.startswith(value, start)
    if end - start != len(value) + 1 or text[start] not in SIGNS[kind]:
        return False
    return text[start + 1 : end].casefold() == value.casefold()


def locate(text: str, wanted: Sequence[Wanted]) -> list[Span | None]:
    """Where each wanted entity (kind, value, said start, said end) is written in `text`:
    where it was said to be when it is there, else the nearest place it is written that no
    other entity holds; None when there is none. No two entities share a character."""
    found: list[Span | None] = [None] * len(wanted)
    held = sorted(
        (start, end, i)
        for i, (kind, value, start, end) in enumerate(wanted)
        if written(text, kind, value, start, end) and not RUNS_ON.match(text, end)
    )
    taken: list[Span] = []
    for start, end, i in held:
        if not taken or start >= taken[-1][1]:
            found[i] = (start, end)
            taken.append((start, end))
    missing = [i for i, span in enumerate(found) if span is None and wanted[i][1]]
    if not missing:
        return found
    missing.sort(key=lambda i: wanted[i][0] != URL)  # URLs first: nothing else is inside one
    search = Search(text, taken)
    for i in missing[:MAX_SEARCHES]:
        kind, value, start, _ = wanted[i]
        found[i] = search.nearest(kind, value, start or 0)
    return found


class Search:
    def __init__(self, text: str, taken: list[Span]):
        self.text = text
        self.taken = taken  # sorted, none overlapping
        self._links: _Spans | None = None

    def links(self) -> _Spans:
        """Where twitter-text finds URLs: a mention or hashtag there is part of a link."""
        if self._links is None:
            self._links = _Spans(_url_spans(self.text) if "." in self.text else [])
        return self._links

    def free(self, start: int, end: int) -> bool:
        i = bisect_left(self.taken, (start, end))
        if i < len(self.taken) and self.taken[i][0] < end:
            return False
        return i == 0 or self.taken[i - 1][1] <= start

    def nearest(self, kind: str, value: str, hint: int) -> Span | None:
        best, best_key = None, None
        for count, (start, end) in enumerate(self.candidates(kind, value)):
            if count >= MAX_CANDIDATES:
                break
            if not self.free(start, end):
                continue
            doubt = self.doubt(kind, start, end)
            if doubt is None:
                continue
            key = (doubt, abs(start - hint), start)
            if best_key is None or key < best_key:
                best, best_key = (start, end), key
        if best is not None:
            insort(self.taken, best)
        return best

    def candidates(self, kind: str, value: str):
        text = self.text
        if kind == URL:
            start = text.find(value)
            while start >= 0:
                yield start, start + len(value)
                start = text.find(value, start + 1)
            return
        pattern = f"[{SIGNS[kind]}]{re.escape(value)}"
        for match in re.finditer(pattern, text, re.IGNORECASE):
            if written(text, kind, value, *match.span()):
                yield match.span()

    def doubt(self, kind: str, start: int, end: int) -> int | None:
        """None where the entity can't be written (it runs on into the text after it, or a
        mention or hashtag is part of a link); else 0 where twitter-text would find it
        itself, 1 where what comes before makes that doubtful ("rt@name", "x#tag")."""
        text = self.text
        if kind == URL:
            if URL_GOES_ON.match(text, end):
                return None
            return int(bool(start) and (text[start - 1].isalnum() or text[start - 1] in "/@."))
        if start in self.links():
            return None
        if kind == MENTION:
            if RUNS_ON.match(text, end) or _END_MENTION.match(text, end):
                return None
            match = _MENTION.match(text, start)
            return int(match is None or match.end() != end)
        after = text[end] if end < len(text) else ""
        if after and (_kind(after) or after in "#＃"):
            return None
        before = text[start - 1] if start else ""
        return int(
            bool(before) and before not in "\ufe0e\ufe0f" and (before == "&" or _kind(before))
        )


def relocate(tweet: Tweet, text: str | None = None) -> None:
    """Set every entity's offsets to where it is written in `text` (the tweet's by default),
    taking their offsets as where to look first; None where it is not found."""
    text = tweet.text if text is None else text
    entities = [*tweet.urls, *tweet.mentions, *tweet.hashtags]
    if not entities:
        return
    wanted = [
        *((URL, link.url, link.start, link.end) for link in tweet.urls),
        *((MENTION, m.screen_name, m.start, m.end) for m in tweet.mentions),
        *((HASHTAG, h.tag, h.start, h.end) for h in tweet.hashtags),
    ]
    for entity, span in zip(entities, locate(text, wanted), strict=True):
        entity.start, entity.end = span if span else (None, None)


def fill_in(tweet: Tweet) -> None:
    """Add the entities twitter-text finds in the tweet's text that its export's lists
    leave out (old exports list no links for 2009's tweets, nor mentions of accounts since
    suspended): each where it is written, none on a character an entity already holds. A
    name or tag the tweet already has is not added again; one listed without a place in
    the text gets this one. Mentions found so name no account id (as the Markdown reader's)."""
    text = tweet.text
    if not text:
        return
    taken = sorted(
        (e.start, e.end)
        for e in (*tweet.urls, *tweet.mentions, *tweet.hashtags)
        if e.start is not None and e.end is not None
    )
    if not may_hold_more(text, taken):
        return
    found = extract_entities(text)
    search = Search(text, taken)
    for url, (start, end) in zip(found.urls, found.url_spans, strict=True):
        if search.free(start, end):
            tweet.urls.append(Link(url, start, end))
            insort(search.taken, (start, end))
    named = [
        (tweet.mentions, found.mentions, found.mention_spans, lambda m: m.screen_name),
        (tweet.hashtags, found.hashtags, found.hashtag_spans, lambda h: h.tag),
    ]
    for listed, values, spans, value_of in named:
        for value, (start, end) in zip(values, spans, strict=True):
            same = [e for e in listed if value_of(e).casefold() == value.casefold()]
            if any(e.start is not None for e in same) or not search.free(start, end):
                continue
            if same:
                same[0].start, same[0].end = start, end
            elif listed is tweet.mentions:
                listed.append(Mention(value, None, None, start, end))
            else:
                listed.append(Hashtag(value, start, end))
            insort(search.taken, (start, end))


def may_hold_more(text: str, taken: list[Span]) -> bool:
    """Could twitter-text find an entity outside the spans taken? Not without a sign or a
    TLD's dot left outside them: the extraction (most of a converted tweet's time again)
    is run only for the tweets that might."""
    ends = [0, *(end for _, end in taken)]
    starts = [*(start for start, _ in taken), len(text)]
    rest = " ".join(text[a:b] for a, b in zip(ends, starts, strict=True) if a < b)
    return bool(SIGN.search(rest) or _TLD_HIT.search(rest))
