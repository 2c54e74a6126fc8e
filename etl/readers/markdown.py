"""twitter-archive-parser Markdown, in every layout seen in real archives.

1. `tweets_YYYY-MM.md`: plain bodies, footer `(Originally on Twitter: [DATE](URL))`,
   videos as `<video>` markup followed by the bare media path.
2. `YYYY-MM-01-Tweet-Archive-YYYY-MM.md` (also Jekyll `_posts/` with front matter): bodies
   quoted with `> `, footer `<img src=".../tweet.ico" width="12" /> [DATE](URL)`, optional
   `Replying to [@a, @b and @c](URL of the replied-to tweet)` header. The parser cut the
   leading `@names` from a reply's body; we put them back so text reads as it was tweeted.
3. `tweets-md/YYYY/YYYY-MM-01-tweets.md`: as 2, with `../../media/` paths and Markdown
   backslash escapes (and two spaces before each line break) in the body.

Entries end with a line `----`. The date and id always come from the footer: the parser
bucketed months in its local time zone, so the file name can name the wrong month.
"""

from __future__ import annotations

import html
import posixpath
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from tweet_site.core import status_author, status_link

from .. import media, textcodec
from ..dates import parse_twitter_date
from ..entities import extract_entities
from ..private_files import is_dm_file
from ..records import (
    Hashtag,
    Link,
    MediaRef,
    Mention,
    Options,
    Problem,
    SourceInfo,
    Tweet,
    UserRef,
    valid_id,
)
from ..sources import HEAD_BYTES, Tree, safe_join

if TYPE_CHECKING:
    from . import Found

FORMAT = "markdown"
RANK = "1"  # made from an export: the export's own record wins
IS_EXPORT = False

FILE_NAME = re.compile(
    r"^(?:tweets_\d{4}-\d{2}|\d{4}-\d{2}-01-Tweet-Archive-\d{4}-\d{2}|\d{4}-\d{2}-01-tweets)\.md$"
)
ORIGINALLY_FOOTER = re.compile(
    r"^\(Originally on Twitter: \[(?P<date>[^\]]*)\]\((?P<url>[^)\s]*)\)\)$"
)
ICON_FOOTER = re.compile(
    r"^<img src=\"[^\"]*tweet\.ico\"[^>]*>\s*\[(?P<date>[^\]]*)\]\((?P<url>[^)\s]*)\)$"
)
REPLYING_TO = re.compile(r"^Replying to \[(?P<names>[^\]]*)\]\((?P<url>[^)\s]*)\)$")
# No class below can run past the start of the next markup, so a hostile entry (a megabyte of
# `![` or `<video`) is scanned once, not once per start.
IMAGE = re.compile(r"!\[[^\[\]]*\]\((?P<ref>[^()\s\[\]]+)\)")
VIDEO = re.compile(
    r"<video\b[^<>]*>\s*<source\s+src=\"(?P<ref>[^\"<>]+)\"[^<>]*>(?:[^<]|<(?!/?video\b))*</video>"
)
SEPARATOR = "----"
ESCAPABLE = r"\_*[]()~`>#+-=|{}.!"
UNESCAPE = re.compile(r"\\([" + re.escape(ESCAPABLE) + r"])")
# Characters the escaping layout always escapes and ordinary prose nearly always contains.
TELLTALE = re.compile(r"(?<!\\)[.!()_\-]")
SCREEN_NAME = re.compile(r"@([A-Za-z0-9_]{1,15})")
# A month of tweets is well under 1 MB; a file this big is not the parser's, and reading it
# whole would take several times its size in memory.
FILE_LIMIT = 32 * 1024 * 1024
DAMAGE = re.compile(r"[\x00\udc80-\udcff]")  # NUL, or bad bytes (see etl.textcodec)


def find_archives(tree: Tree, files: list[str], taken: list[str]) -> list[tuple[str, list[str]]]:
    """All the Markdown files of a tree, as one archive, but those in an export's data/."""
    claimed = []
    for path in files:
        if not path.endswith(".md") or any(path.startswith(r + "data/") for r in taken):
            continue
        if is_dm_file(path):  # the parser's DMs: private, never opened by a normal build
            continue
        # A NUL in the head is damage to report line by line, not a reason to skip the file.
        if claims(path, tree.read_bytes(path, HEAD_BYTES)):
            claimed.append(path)
    return [("", claimed)] if claimed else []


def expected_files(found: Found) -> int:
    return len(found.files)


def open_archive(found: Found, info: SourceInfo, options: Options) -> MarkdownReader:
    return MarkdownReader(found.tree, found.files, info, options.owner)


class MarkdownReader:
    def __init__(self, tree: Tree, files: list[str], info: SourceInfo, owner: str | None):
        self.tree, self.files, self.info, self.owner = tree, files, info, owner

    def read(self) -> Iterator[Tweet | Problem]:
        for path in self.files:
            self.info.files.append(path)
            yield from read(self.tree, path, self.owner)


def claims(path: str, head: bytes) -> bool:
    """Is this file twitter-archive-parser Markdown of tweets?"""
    name = posixpath.basename(path)
    if not name.endswith(".md") or "DMs" in path.split("/"):
        return False
    if FILE_NAME.match(name):
        return True
    text = textcodec.decode(head)
    return "(Originally on Twitter: [" in text or 'tweet.ico" width="12" /> [' in text


def read(tree: Tree, path: str, owner: str | None = None) -> Iterator[Tweet | Problem]:
    """Tweets and problems of one Markdown file, in file order.

    `owner` (a handle given by the user) replaces the one in the footers' links."""
    size = tree.size(path)
    if size is not None and size > FILE_LIMIT:
        reason = f"{size:,} bytes, more than {FILE_LIMIT >> 20} MB of Markdown: not read"
        yield Problem(path, 0, reason, entry=False)
        return
    lines, damaged, encoding = decode(tree.read_bytes(path, FILE_LIMIT))
    notes = Notes(path)
    for number in damaged:
        reason = (
            f"bytes that are not {textcodec.label(encoding)}, or NUL, on this line "
            "(replaced with U+FFFD)"
        )
        yield from notes.add(Problem(path, number, reason, entry=False))
    start = skip_front_matter(lines)
    entries = list(split_entries(lines, start))
    if not entries:
        yield Problem(path, 0, "no tweets in this file", entry=False)
        return
    escaped = uses_markdown_escapes(entries)
    for first_line, body, footer in entries:
        if footer is None:
            raw = "\n".join(body).strip("\n")
            if raw.strip():
                yield Problem(
                    path, first_line, "entry has no footer with the tweet's date and link", raw
                )
            continue
        problems: list[Problem] = []
        yield parse_entry(tree, path, first_line, body, footer, escaped, problems, owner)
        for problem in problems:
            yield from notes.add(problem)
    yield from notes.rest()


class Notes:
    """Problems about a file's lines rather than its entries (damaged bytes, refused media),
    listed up to LIMIT, then counted: a hostile file could make one per few bytes."""

    LIMIT = 1000

    def __init__(self, path: str):
        self.path, self.count = path, 0

    def add(self, problem: Problem) -> Iterator[Problem]:
        self.count += 1
        if self.count <= self.LIMIT:
            yield problem

    def rest(self) -> Iterator[Problem]:
        if self.count > self.LIMIT:
            reason = (
                f"{self.count - self.LIMIT:,} more problems with damaged bytes or refused media "
                f"in this file, not listed (only the first {self.LIMIT:,} are)"
            )
            yield Problem(self.path, 0, reason, entry=False)


def decode(data: bytes) -> tuple[list[str], list[int], str]:
    """The lines of a file decoded as its BOM says (UTF-8 without one), with bad bytes and NULs
    replaced, the numbers of those lines, and the encoding.

    One bad byte must cost one line, not the file: the rest is read as usual."""
    encoding, skip = textcodec.sniff(data)
    body = data[skip:]
    try:
        text = body.decode(encoding)
        if "\x00" not in text:
            return text.lstrip("\ufeff").splitlines(), [], encoding
    except UnicodeDecodeError:
        text = body.decode(encoding, textcodec.DAMAGED)
    lines = text.lstrip("\ufeff").splitlines()
    damaged = [i for i, line in enumerate(lines) if DAMAGE.search(line)]
    for i in damaged:
        lines[i] = DAMAGE.sub("\ufffd", lines[i])
    return lines, [i + 1 for i in damaged], encoding


def skip_front_matter(lines: list[str]) -> int:
    if lines and lines[0].strip() == "---":
        for i in range(1, len(lines)):
            if lines[i].strip() == "---":
                return i + 1
    return 0


Footer = tuple[int, str, str]  # line number, date text, URL


def match_footer(line: str) -> re.Match | None:
    if "](" not in line:  # both footers link with [date](url); most lines are text
        return None
    stripped = line.strip()
    return ORIGINALLY_FOOTER.match(stripped) or ICON_FOOTER.match(stripped)


def split_entries(lines: list[str], start: int) -> Iterator[tuple[int, list[str], Footer | None]]:
    """(first line number, body lines, footer) for each entry; line numbers are 1-based.

    A `----` line ends an entry once its footer was seen, or when it stands alone between
    blank lines (an entry whose footer is broken); elsewhere it is tweet text. Text after a
    footer with no separator starts the next entry.
    """
    body: list[str] = []
    first = None
    footer: Footer | None = None
    for index in range(start, len(lines)):
        line = lines[index]
        number = index + 1
        is_separator = line.strip() == SEPARATOR and (
            footer is not None
            or (
                (index == 0 or not lines[index - 1].strip())
                and (index + 1 == len(lines) or not lines[index + 1].strip())
            )
        )
        if is_separator:
            if first is not None:
                yield first, body, footer
            body, first, footer = [], None, None
            continue
        found = match_footer(line)
        if found and footer is None and first is not None:
            footer = (number, found["date"], found["url"])
            continue
        if not line.strip():
            if first is not None and footer is None:
                body.append(line)
            continue
        if footer is not None:
            yield first, body, footer
            body, first, footer = [], None, None
        if found:  # a footer with no body: an entry of its own
            yield number, [], (number, found["date"], found["url"])
            continue
        if first is None:
            first = number
        body.append(line)
    if first is not None:
        yield first, body, footer


def uses_markdown_escapes(entries: list) -> bool:
    """Does this file come from the parser version that backslash-escaped tweet bodies?

    In that layout every `.`, `!`, `(`, `)`, `_` and `-` of the text is escaped, so a single
    unescaped one (outside media markup) proves the file is from an earlier version.
    """
    escapes = 0
    for _, body, footer in entries:
        if footer is None:
            continue
        for line in body:
            if REPLYING_TO.match(line.strip()):
                continue
            bare = VIDEO.sub("", IMAGE.sub("", unquote(line)))
            if TELLTALE.search(bare):
                return False
            escapes += len(UNESCAPE.findall(bare))
    return escapes > 0


def unquote(line: str) -> str:
    if line.startswith("> "):
        return line[2:]
    if line.startswith(">"):
        return line[1:]
    return line


def parse_entry(tree, path, first_line, body, footer, escaped, problems, owner=None):
    """The Tweet of one entry, or a Problem; refused media references go to `problems`."""
    _, date_text, url = footer

    def unreadable(reason: str) -> Problem:
        raw = "\n".join([*body, f"[{date_text}]({url})"]).strip("\n")
        return Problem(path, first_line, reason, raw)

    created_at = parse_twitter_date(date_text)
    if created_at is None:
        return unreadable(f"unreadable date {date_text!r} in footer")
    status = status_link(url)
    if status is None or status_author(status) is None:
        return unreadable(f"footer link {url!r} is not a tweet's address")
    tweet_id = int(status["id"])
    if not valid_id(tweet_id):
        return unreadable(f"tweet id {tweet_id} is out of range (1 to 2^63-1)")
    owner = owner or status_author(status)

    reply_names: list[str] = []
    reply_status = None
    lines = list(body)
    while lines and not lines[0].strip():
        lines.pop(0)
    if lines and (header := REPLYING_TO.match(lines[0].strip())):
        reply_names = SCREEN_NAME.findall(unescape(header["names"]) if escaped else header["names"])
        reply_status = status_link(header["url"])
        lines = lines[1:]
    quoted = all(line.startswith(">") for line in lines if line.strip())
    if quoted:
        lines = [unquote(line) for line in lines]
    content = "\n".join(lines)

    media_refs = []
    has_media = "![" in content or "<video" in content
    found = [*IMAGE.finditer(content), *VIDEO.finditer(content)] if has_media else []
    for match in sorted(found, key=lambda m: m.start()):
        ref = media_ref(tree, path, match["ref"], match.re is VIDEO)
        if isinstance(ref, str):
            problems.append(Problem(path, first_line, ref, entry=False))
            # The tweet keeps its media slot, but not the refused file's name: the site would
            # show it (e.g. "DMs-Archive-1.md"); etl_problems has the whole reference.
            ref = MediaRef(type=media.media_type_for(match["ref"], match.re is VIDEO), path=None)
        media_refs.append(ref)
    if has_media:
        video_refs = {m["ref"] for m in VIDEO.finditer(content)}
        content = VIDEO.sub("", IMAGE.sub("", content))
        lines = [line for line in content.split("\n") if line.strip() not in video_refs]
    else:
        lines = content.split("\n")
    kept = [line.rstrip() for line in lines]
    text = "\n".join(kept).strip()
    if escaped:
        text = unescape(text)
    text = html.unescape(text)
    if reply_names and reply_names != [owner]:
        text = (" ".join("@" + name for name in reply_names) + " " + text).strip()

    entities = extract_entities(text)
    tweet = Tweet(
        id=tweet_id,
        created_at=created_at,
        text=text,
        author=UserRef(screen_name=owner),
        url=f"https://twitter.com/{owner}/status/{tweet_id}",
        input_file=path,
        input_line=first_line,
        mentions=[
            Mention(name, None, None, *span)
            for name, span in zip(entities.mentions, entities.mention_spans, strict=True)
        ],
        hashtags=[
            Hashtag(tag, *span)
            for tag, span in zip(entities.hashtags, entities.hashtag_spans, strict=True)
        ],
        urls=[
            Link(url, *span) for url, span in zip(entities.urls, entities.url_spans, strict=True)
        ],
        media=media_refs,
    )
    if entities.retweet_of:
        tweet.is_retweet = True
        tweet.retweeted_screen_name = entities.retweet_of
    if reply_status:
        reply_id = int(reply_status["id"])
        tweet.in_reply_to_id = reply_id if valid_id(reply_id) else None
        tweet.in_reply_to_screen_name = status_author(reply_status) or next(iter(reply_names), None)
    elif reply_names:
        tweet.in_reply_to_screen_name = reply_names[0]
    elif entities.reply_to and not tweet.is_retweet:
        tweet.in_reply_to_screen_name = entities.reply_to[0]
    quoted_ids = [i for i in entities.quoted_status_ids if i != tweet_id and valid_id(i)]
    if quoted_ids and not tweet.is_retweet:
        tweet.quoted_id = quoted_ids[-1]
    return tweet


def unescape(text: str) -> str:
    return UNESCAPE.sub(r"\1", text)


def media_ref(tree: Tree, path: str, ref: str, is_video: bool) -> MediaRef | str:
    """The MediaRef of a reference, or why it is refused (it is then never read)."""
    if ref.startswith(("http://", "https://")):
        # The parser links to the tweet's t.co address when the file was not in the export.
        return MediaRef(type="video" if is_video else "photo", path=None, url=ref)
    resolved = safe_join(path, ref)
    refusal = media.markdown_refusal(path, ref)
    if resolved is None or refusal:
        return f"media reference {ref[:200]!r} refused: {refusal or 'outside the archive'}"
    return media.describe(tree, resolved, media.media_type_for(ref, is_video))
