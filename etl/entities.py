"""Mentions, hashtags, URLs, reply/retweet targets and quoted ids from tweet text (twitter-text).

URLs: twitter-text-parser's regexes and TLD lists, driven by our loop (its extract_urls lacks the
"name.ccTLD needs a path" rule and takes 90-260 us a tweet). Mentions, hashtags: no PyPI library is
right (twitter-text 3.0: `rt@x`, `#_`, Hindi tags; ttp: e-mails, `f!@x`), so ours port twitter-text.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

from twitter_text.extract_urls import is_valid_url
from twitter_text.regexp.extract_url import extract_url as _TT_EXTRACT_URL
from twitter_text.regexp.invalid_url_without_protocol_preceding_chars import (
    invalid_url_without_protocol_preceding_chars as _TT_NO_PROTOCOL_BAD_BEFORE,
)
from twitter_text.regexp.valid_ascii_domain import valid_ascii_domain as _TT_ASCII_DOMAIN
from twitter_text.regexp.valid_cctld import valid_cctld as _TT_CCTLD
from twitter_text.regexp.valid_domain_chars import valid_domain_chars as _TT_DOMAIN_CHAR
from twitter_text.regexp.valid_domain_name import valid_domain_name as _TT_DOMAIN_NAME
from twitter_text.regexp.valid_gtld import valid_gtld as _TT_GTLD
from twitter_text.regexp.valid_subdomain import valid_subdomain as _TT_SUBDOMAIN
from twitter_text.regexp.valid_tco_url import valid_tco_url as _TT_TCO_URL

from tweet_site.core import status_link

from .records import valid_id

__all__ = ["Entities", "extract_entities", "url_domain"]


Span = tuple[int, int]  # text[start:end]: Python string offsets (code points)


@dataclass(frozen=True)
class Entities:
    mentions: tuple[str, ...]
    hashtags: tuple[str, ...]
    urls: tuple[str, ...]
    reply_to: tuple[str, ...]
    retweet_of: str | None
    quoted_status_ids: tuple[int, ...]
    # Where each of mentions, hashtags and urls is written (a repeated name or tag: its first).
    mention_spans: tuple[Span, ...] = ()
    hashtag_spans: tuple[Span, ...] = ()
    url_spans: tuple[Span, ...] = ()


_EMPTY = Entities((), (), (), (), None, ())

# twitter-text's whitespace set; no URL, mention or hashtag contains one of these.
_SPACES = "\t-\r \x85\xa0\u1680\u180e\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
_DIRECTIONAL = "\u200e\u200f\u202a-\u202e\u061c\u2066-\u2069"
_LATIN_ACCENTS = (
    "\xc0-\xd6\xd8-\xf6\xf8-\xff\u0100-\u024f\u0253\u0254\u0256\u0257\u0259\u025b\u0263"
    "\u0268\u026f\u0272\u0289\u028b\u02bb\u0300-\u036f\u1e00-\u1eff"
)
_ELLIPSIS = "\u2026"  # a retweet's text is cut with "…"

# ---------------------------------------------------------------------------------------- URLs
_TLD_LOOKAHEAD = ")(?=[^0-9a-zA-Z@+-]|$))"


def _tld_names(pattern: re.Pattern) -> list[str]:
    """The TLDs of twitter-text-parser's `(?:(?:tld|tld|...)(?=...))` alternation."""
    src = pattern.pattern
    if not (src.startswith("(?:(?:") and src.endswith(_TLD_LOOKAHEAD)):
        raise ImportError("unexpected TLD regex layout in twitter-text-parser")
    return src[len("(?:(?:") : -len(_TLD_LOOKAHEAD)].split("|")


def _trie_pattern(words: list[str]) -> str:
    """A regex matching the same words as `a|b|c`, as a trie (Python's re scans alternations
    one by one: the 1,500-TLD alternation made the URL regex 3-4x slower). Longer words are
    tried first, as in twitter-text's longest-first lists."""
    trie: dict = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict) -> str:
        branches = [re.escape(ch) + build(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return build(trie)


_GTLDS = _tld_names(_TT_GTLD)
_CCTLDS = _tld_names(_TT_CCTLD)
_FAST_TLDS = {
    _TT_GTLD.pattern: "(?:(?:" + _trie_pattern(_GTLDS) + _TLD_LOOKAHEAD,
    _TT_CCTLD.pattern: "(?:(?:" + _trie_pattern(_CCTLDS) + _TLD_LOOKAHEAD,
}


def _with_fast_tlds(pattern: re.Pattern) -> re.Pattern:
    """The library's regex with its TLD alternations swapped for equivalent tries."""
    src = pattern.pattern
    for slow, fast in _FAST_TLDS.items():
        if slow not in src:
            raise ImportError("unexpected URL regex layout in twitter-text-parser")
        src = src.replace(slow, fast)
    return re.compile(src, pattern.flags)


# A domain has at most 127 labels of at most 63 characters (DNS); longer ones make no valid URL.
_MAX_LABELS, _MAX_LABEL = 127, 63
_MAX_IDN_LABELS = 8


def _with_bounded_labels(pattern: re.Pattern) -> re.Pattern:
    """The library's URL regex with labels that can't backtrack and can't exceed DNS's limits.

    Its `(?:X(?:[_-]|X)*)?X\\.` labels backtrack over every split of a long run, from every
    start: "a-a-a-…" of 20,000 characters took 20 s. `X(?:[_-]*+X)*+` matches the same labels
    (X is neither '_', '-' nor '.', so a label ends only where the run does), in one pass."""
    x = _TT_DOMAIN_CHAR.pattern

    def label(dashes: str) -> str:
        run = f"(?:{x}|{dashes})"
        return rf"(?:(?={run}{{1,{_MAX_LABEL}}}\.){x}(?:{dashes}*+{x})*+\.)"

    src = pattern.pattern
    subdomains, domain_name = _TT_SUBDOMAIN.pattern + "*", _TT_DOMAIN_NAME.pattern
    if src.count(subdomains + domain_name) != 1:
        raise ImportError("unexpected domain regex layout in twitter-text-parser")
    bounded = label("[_-]") + "*" + label("-")
    return re.compile(src.replace(subdomains + domain_name, bounded), pattern.flags)


_EXTRACT_URL = _with_bounded_labels(_with_fast_tlds(_TT_EXTRACT_URL))
_ASCII_DOMAIN = _with_fast_tlds(_TT_ASCII_DOMAIN)
# The labels of an ASCII domain, and their dots (as in _TT_ASCII_DOMAIN).
_ASCII_RUN = re.compile(rf"[-a-z0-9.{_LATIN_ACCENTS}]*", re.I)
# twitter-text: a protocol-less "name.ccTLD" needs a path, except for .co and .tv.
_INVALID_SHORT_DOMAIN = re.compile(_TT_DOMAIN_NAME.pattern + _FAST_TLDS[_TT_CCTLD.pattern], re.I)
_SPECIAL_SHORT_DOMAIN = re.compile(_TT_DOMAIN_NAME.pattern + r"(?:co|tv)(?=[^0-9a-zA-Z@]|$)", re.I)
_MAX_TCO_SLUG = 40
# A whole token that is a t.co link: the regex would find exactly this URL.
_TCO_TOKEN = re.compile(rf"https?://t\.co/[a-z0-9]{{1,{_MAX_TCO_SLUG}}}", re.I)
_MAX_URL_LENGTH = 4096

# Every URL's domain ends in ".tld" (or ".xn--" punycode): a token without one holds no URL, so
# the URL regex, which backtracks over every label of a long dotted run from every start, never
# sees it ("a.b.c.d..." of 4,000 characters took 3 s).
_TLD_HIT = re.compile(
    r"\.(?:" + _FAST_TLDS[_TT_GTLD.pattern] + "|" + _FAST_TLDS[_TT_CCTLD.pattern] + "|xn--)", re.I
)
_NON_SPACES = re.compile(f"[^{_SPACES}]*")
# Past its domain's TLD a URL holds only port, path and query characters (ASCII, Cyrillic, Latin
# accents, en dash); this bounds the regex's window in long CJK runs, where it is quadratic.
_MAX_TLD = max(map(len, _GTLDS + _CCTLDS))
_URL_TAIL = re.compile(rf"[^{_SPACES}]{{0,{_MAX_TLD}}}[!-~\u0400-\u04ff\u2013{_LATIN_ACCENTS}]*")

# Links to attached photos/videos, not links the author wrote.
_MEDIA_URL = re.compile(
    r"(?:https?://)?(?:(?:pic\.(?:twitter|x)\.com/)"
    r"|(?:(?:www|mobile|m)\.)?(?:twitter|x)\.com/\w+/status/\d+/(?:photo|video)/\d)",
    re.I,
)


def _valid_url(url: str, protocol: str, domain: str) -> bool:
    """twitter-text-parser's is_valid_url, without the idna codec's overhead for ASCII domains.

    The codec takes up to 100 us a non-ASCII label, so domains beyond DNS's 127 labels, or with
    more internationalised labels than any real one, are refused before it (a megabyte of
    CJK text and dots took 35 s)."""
    labels = domain.split(".")
    if len(labels) > _MAX_LABELS:
        return False
    if not domain.isascii():
        if sum(not label.isascii() for label in labels) > _MAX_IDN_LABELS:
            return False
        return is_valid_url(url, protocol, domain)
    return (
        all(0 < len(label) < 64 for label in labels[:-1])
        and len(labels[-1]) < 64
        and len(protocol) + len(url) <= _MAX_URL_LENGTH
    )


# Where a URL can start before the dot of its TLD: the preceding character, "https://" and a
# domain of at most 253 characters (DNS's limit).
_URL_REACH = 1 + len("https://") + 253 + 1


def _near_tlds(
    pattern: re.Pattern, text: str, pos: int, end: int, run: re.Pattern | None = None
) -> Iterator[re.Match]:
    """What pattern.finditer(text, pos, end) finds of a URL or domain, trying only the starts
    close enough before a TLD to begin one of a real domain's length (and, given `run`, the
    characters a match is made of, only starts in the run of them that reaches the TLD).

    finditer tries every start, and from each the regex runs along every label that follows:
    a long run of labels cut short of its TLD ("a.a.a…a-.a.com") was quadratic."""
    hit = _TLD_HIT.search(text, pos, end)
    reversed_text = text[::-1] if hit and run else ""
    while hit:
        dot = hit.start()
        p = max(pos, dot - _URL_REACH)
        if run:
            p = max(p, len(text) - run.match(reversed_text, len(text) - dot).end())
        while p <= dot:
            m = pattern.match(text, p, end)
            if m is None:
                p += 1
                continue
            yield m
            p = max(m.end(), p + 1)
        pos = p
        hit = _TLD_HIT.search(text, max(pos, dot + 1), end)


def _url_spans(text: str) -> list[tuple[int, int, str]]:
    """(start, end, url) for every URL twitter-text finds, in order (a port of extractUrls)."""
    spans: list[tuple[int, int, str]] = []
    hit = _TLD_HIT.search(text)
    reversed_text = text[::-1] if hit else ""
    n = len(text)
    while hit:
        # No URL contains whitespace, so running the regex on the whitespace-delimited token
        # around the hit (and the character before it) finds what a run on the whole text finds.
        dot = hit.start()
        start = n - _NON_SPACES.match(reversed_text, n - dot).end()
        token_end = _NON_SPACES.match(text, dot).end()
        end = _URL_TAIL.match(text, text.rindex(".", dot, token_end) + 1).end()
        hit = _TLD_HIT.search(text, token_end)
        if _TCO_TOKEN.fullmatch(text, start, token_end):  # the common case, 3x faster
            spans.append((start, token_end, text[start:token_end]))
            continue
        for m in _near_tlds(_EXTRACT_URL, text, start - 1 if start else 0, end):
            before, url, protocol, domain, path = m.group(2, 3, 4, 5, 7)
            if not _valid_url(url, protocol or "https://", domain):
                continue
            if protocol:
                url_start, url_end = m.start(3), m.end(3)
                tco = _TT_TCO_URL.match(url)
                if tco:
                    slug = tco.group(1)
                    if slug and len(slug) > _MAX_TCO_SLUG:
                        continue
                    url_end = url_start + tco.end()
                spans.append((url_start, url_end, text[url_start:url_end]))
                continue
            # No protocol: keep only the ASCII domains inside the matched domain.
            if _TT_NO_PROTOCOL_BAD_BEFORE.search(before):
                continue
            domain_start = m.start(5)
            last = None
            for a in _near_tlds(_ASCII_DOMAIN, domain, 0, len(domain), _ASCII_RUN):
                ascii_domain = a.group()
                last = (domain_start + a.start(), domain_start + a.end(), ascii_domain)
                if (
                    path
                    or _SPECIAL_SHORT_DOMAIN.fullmatch(ascii_domain)
                    or not _INVALID_SHORT_DOMAIN.fullmatch(ascii_domain)
                ):
                    spans.append(last)
            if last is not None and path:
                # The last ASCII domain carries the port, path and query.
                spans[-1] = (last[0], m.end(), last[2] + text[m.end(5) : m.end()])
    return spans


# ------------------------------------------------------------------------------------ mentions
# The preceding-character rules of twitter-text's validMentionOrList, written as look-behinds
# placed after the '@' so that the regex engine can scan for '@' quickly.
_MENTION = re.compile(
    r"[@＠]"
    r"(?:(?<![A-Za-z0-9_!#$%&*@＠].)"  # not after a word char, '!', '#', '$', '%', '&', '*', '@'
    r"|(?<=(?<![A-Za-z0-9_+~.-])[Rr][Tt].)"  # ... unless after "RT" ("RT@user")
    r"|(?<=(?<![A-Za-z0-9_+~.-])[Rr][Tt]:.))"  # or "RT:" ("RT:@user")
    r"([A-Za-z0-9_]++)"
    r"(/[A-Za-z][A-Za-z0-9_-]*+)?"
)
_END_MENTION = re.compile(rf"[@＠{_LATIN_ACCENTS}]|://")
_MAX_SCREEN_NAME = 15
_LEADING_SPACE = re.compile(rf"[{_SPACES}{_DIRECTIONAL}]*")
_RETWEET = re.compile(r"RT [@＠]([A-Za-z0-9_]{1,15})(?::|(?=[\s" + _SPACES + r"])|$)")


def _mentions(
    text: str, url_spans: _Spans, text_end: int
) -> tuple[list[tuple[str, int, int]], list[str]]:
    """(screen name, start, end) of each mention (lists like @user/slug excluded), and the
    names of the leading reply run."""
    names: list[tuple[str, int, int]] = []
    reply: list[str] = []
    reply_pos = _LEADING_SPACE.match(text).end()
    in_reply = True
    for m in _MENTION.finditer(text):
        start, end = m.span()
        name = m.group(1)
        ok = (
            len(name) <= _MAX_SCREEN_NAME
            and not _END_MENTION.match(text, end)
            and not m.group(2)
            and not _cut_off(text, end, text_end)
            and start not in url_spans
        )
        if in_reply:
            if ok and start == reply_pos:
                reply.append(name)
                reply_pos = _LEADING_SPACE.match(text, end).end()
                if reply_pos == end and reply_pos < len(text):
                    in_reply = False  # "@a@b", "@a," ... ends the run
            else:
                in_reply = False
        if ok:
            names.append((name, start, end))
    return names, reply


# ------------------------------------------------------------------------------------ hashtags
# A hash sign and the ASCII start of the tag (the rest, if any, is read character by character).
_HASH = re.compile("[#＃]([A-Za-z0-9_]*)")
# Non-letter characters twitter-text allows inside a hashtag (ZWNJ/ZWJ, Hebrew punctuation,
# Japanese long-vowel/wave dashes, iteration marks, Tibetan tsheg, middle dot ...).
_HASHTAG_SPECIAL = frozenset(
    "_\u200c\u200d\ua67e\u05be\u05f3\u05f4\uff5e\u301c\u309b\u309c\u30a0\u30fb\u3003\u0f0b\u0f0c\u00b7"
)
_LETTER, _OTHER = 2, 1  # kinds of hashtag characters; 0: not one


def _hashtag_kind(c: str) -> int:
    """_LETTER for a letter or mark, _OTHER for a decimal digit or allowed special, else 0."""
    cat = unicodedata.category(c)
    if cat[0] in "LM":
        return _LETTER
    return _OTHER if cat == "Nd" or c in _HASHTAG_SPECIAL else 0


_HASHTAG_KINDS = {chr(c): _hashtag_kind(chr(c)) for c in range(128)}
_MAX_CACHED_KINDS = 65536


def _kind(c: str) -> int:
    kind = _HASHTAG_KINDS.get(c)
    if kind is None:
        kind = _hashtag_kind(c)
        if len(_HASHTAG_KINDS) < _MAX_CACHED_KINDS:
            _HASHTAG_KINDS[c] = kind
    return kind


def _hashtags(text: str, url_spans: _Spans, text_end: int) -> list[tuple[str, int, int]]:
    """(tag, start, end) of each hashtag."""
    tags: list[tuple[str, int, int]] = []
    n = len(text)
    for m in _HASH.finditer(text):
        i, j = m.span()
        if i:
            prev = text[i - 1]
            if prev not in "\ufe0e\ufe0f" and (prev == "&" or _kind(prev)):
                continue
        if j == i + 1 and j < n and text[j] in "\ufe0f\u20e3":  # keycap emoji #️⃣
            continue
        has_letter = bool(m.group(1).strip("0123456789_"))
        while j < n:
            kind = _kind(text[j])
            if not kind:
                break
            if kind == _LETTER:
                has_letter = True
            j += 1
        if not has_letter:
            continue
        if j < n and (text[j] in "#＃" or text.startswith("://", j)):
            continue
        if i in url_spans or _cut_off(text, j, text_end):
            continue
        tags.append((text[i + 1 : j], i, j))
    return tags


# ------------------------------------------------------------------------------------- helpers
def _cut_off(text: str, end: int, text_end: int) -> bool:
    """True when `end` is followed only by the "…" that ends a truncated retweet (`text_end`:
    the length of the text without trailing whitespace, computed once, not per entity)."""
    return end + 1 >= text_end and text.startswith(_ELLIPSIS, end)


class _Spans:
    """URL spans, asked "is this position inside one?" by binary search: a scan per mention
    made a 1 MB entry of links and mentions quadratic."""

    def __init__(self, spans: list[tuple[int, int, str]]):
        ordered = sorted(spans)
        self.starts = [start for start, _, _ in ordered]
        self.reach: list[int] = []  # the furthest end of any span starting at or before
        furthest = 0
        for _, end, _ in ordered:
            furthest = max(furthest, end)
            self.reach.append(furthest)

    def __contains__(self, pos: int) -> bool:
        i = bisect_right(self.starts, pos)
        return i > 0 and self.reach[i - 1] > pos


def _dedupe(items: list[str]) -> tuple[str, ...]:
    seen: set[str] = set()
    out: list[str] = []
    for item in items:
        key = item.casefold()
        if key not in seen:
            seen.add(key)
            out.append(item)
    return tuple(out)


def _first_of_each(found: list[tuple[str, int, int]]) -> tuple[tuple[str, ...], tuple[Span, ...]]:
    """Names or tags, each once (ignoring case), and where each is first written."""
    seen: set[str] = set()
    values: list[str] = []
    spans: list[Span] = []
    for value, start, end in found:
        key = value.casefold()
        if key not in seen:
            seen.add(key)
            values.append(value)
            spans.append((start, end))
    return tuple(values), tuple(spans)


def extract_entities(text: str) -> Entities:
    """Extract entities from an (HTML-entity-decoded) tweet text."""
    if not text:
        return _EMPTY
    spans = _url_spans(text) if "." in text else []
    urls: list[str] = []
    url_spans: list[Span] = []
    quoted: dict[int, None] = {}  # ordered, with set-speed membership
    for start, end, url in spans:
        if text.startswith(_ELLIPSIS, end):
            continue  # truncated by a retweet's "…": not a usable link
        if ".com/" in url.lower():  # cheap test before the twitter.com / x.com regexes
            if _MEDIA_URL.match(url):
                continue  # an attached photo or video
            status = status_link(url)
            if status and valid_id(int(status["id"])):
                quoted[int(status["id"])] = None
        urls.append(url)
        url_spans.append((start, end))
    in_urls = _Spans(spans)
    text_end = len(text.rstrip())
    if "@" in text or "＠" in text:
        found, reply = _mentions(text, in_urls, text_end)
    else:
        found, reply = [], []
    mentions, mention_spans = _first_of_each(found)
    found = _hashtags(text, in_urls, text_end) if "#" in text or "＃" in text else []
    hashtags, hashtag_spans = _first_of_each(found)
    retweet = _RETWEET.match(text) if text.startswith("RT ") else None
    return Entities(
        mentions=mentions,
        hashtags=hashtags,
        urls=tuple(urls),
        reply_to=_dedupe(reply),
        retweet_of=retweet.group(1) if retweet else None,
        quoted_status_ids=tuple(quoted),
        mention_spans=mention_spans,
        hashtag_spans=hashtag_spans,
        url_spans=tuple(url_spans),
    )


# The common shape (http(s), an ASCII host, maybe a port, a path): read without urlsplit,
# which costs most of a build's time spent on links. Anything else takes the general path.
PLAIN_URL = re.compile(
    r"(?:https?://)?([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*)\.?(?::\d+)?(?:[/?#]\S*)?"
)


def url_domain(url: str) -> str | None:
    """Host of a URL, lowercased, without port or a leading "www."; None if it has none."""
    if not url:
        return None
    plain = PLAIN_URL.fullmatch(url)
    # Without a scheme, a "://" further on makes urlsplit read the URL differently.
    if plain and (plain.start(1) or "://" not in url):
        host = plain[1].lower()
        return host[4:] or None if host.startswith("www.") else host
    return general_url_domain(url)


def general_url_domain(url: str) -> str | None:
    if any(c.isspace() for c in url):
        return None
    if "://" not in url:
        url = "http://" + url.lstrip("/")
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return None
    if not host:
        return None
    # Zero-width and other format characters can hide inside a host ("exa\u200bmple.com"):
    # they are never part of a real domain, and left in they would split its counts.
    host = "".join(c for c in host if unicodedata.category(c) != "Cf").rstrip(".")
    if host.startswith("www."):
        host = host[4:]
    return host or None
