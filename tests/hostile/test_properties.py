"""Property-based tests: random tweets survive a build whole; the renderer never emits markup
that came from a tweet.

Tweets are generated as words (any Unicode: RTL, emoji, CJK, combining marks, `<>&"'`),
@mentions, #hashtags, URLs and media files, then written as twitter-archive-parser Markdown
and as an official export, the way those tools write them (`&`, `<`, `>` as HTML entities).
Text the formats can't represent is not generated:
- both: no control, surrogate or line/paragraph-separator characters (a line break is `\\n`),
  no leading or trailing whitespace on a line or the text (readers trim it, as Twitter did);
- Markdown: no backslash (it marks the parser's escaping layout), no line of only dashes (entry
  separator, front matter), no `![` (media markup), no line starting `Replying to [`;
- free words hold no `@ # $ . : /` and their full-width forms, so every entity is one we
  generated (twitter-text would rightly find `example.com` or `#x` in them), and the text does
  not start with `RT`/`MT` (a retweet's text).
Examples are bounded and derandomized so CI is reproducible.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
import tempfile
from html.parser import HTMLParser
from pathlib import Path

import pytest
import sqlite_utils
from datasette.app import Datasette
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from tests.etl.test_offsets import misplaced
from tests.helpers.build import run_build
from tests.helpers.site import make_datasette
from tests.site.test_render_text import entities_of
from tweet_site.hooks.render_tweets import tweet_html

SETTINGS = settings(
    max_examples=30,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
OWNER = "prop_owner"
FIRST_ID = 1500000000000000000
FORBIDDEN = "@#$.:/\\＠＃＄．：／。｡![\ufeff"
HASHTAGS = ["日本語", "café", "Привет", "עברית", "مرحبا", "emoji_2024", "Ünïcödé", "한국어"]
PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '"><svg onload=alert(1)>',
    "' onmouseover='alert(1)",
    '<a href="javascript:alert(1)">x</a>',
    "javascript:alert(1)",
    '<i class="INJECTED">i</i>',
    "&lt;b&gt; &amp;amp; &#x3C;",
    "<!-- ]]> {{ 7*7 }} {% if %}",
]


def clean_word(word: str) -> str:
    return word.strip()


# Scripts and characters that random text rarely reaches in a few dozen examples.
SAMPLES = [
    "مرحبا بالعالم",
    "שלום עולם",
    "\u202eevil\u202c",
    "😀👍🏽",
    "👨\u200d👩\u200d👧",
    "日本語のテキスト",
    "中文",
    "e\u0301\u0327",
    "<b>&amp;</b>",
    "\"quoted\" 'single'",
    "Ω≈ç√∫",
]
words = st.one_of(
    st.text(
        st.characters(
            blacklist_categories=("Cs", "Cc", "Zl", "Zp", "Co", "Cn"),
            blacklist_characters=FORBIDDEN,
        ),
        min_size=1,
        max_size=12,
    )
    .map(clean_word)
    .filter(lambda w: w and not set(w) & set(FORBIDDEN) and not re.fullmatch(r"-{3,}", w)),
    st.sampled_from(SAMPLES),
)
screen_names = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,14}", fullmatch=True)
hashtags = st.one_of(
    st.from_regex(r"[A-Za-z][A-Za-z0-9_]{0,12}", fullmatch=True), st.sampled_from(HASHTAGS)
)
urls = st.from_regex(
    r"https://example\.(com|org)/[a-z0-9]{1,10}(\?q=[a-z0-9]{1,8}(&b=[0-9])?)?", fullmatch=True
)
media_keys = st.text(
    st.characters(whitelist_categories=("Lu", "Ll", "Nd")) | st.sampled_from("-_"),
    min_size=3,
    max_size=12,
)


@st.composite
def tweets(draw, payloads=False):
    """One tweet: its text (segments joined by spaces and newlines) and its entities."""
    segments = [("word", draw(words.filter(lambda w: w.split()[0].lower() not in ("rt", "mt"))))]
    for _ in range(draw(st.integers(0, 8))):
        kind = draw(
            st.sampled_from(["word", "word", "mention", "hashtag", "url"] + ["payload"] * payloads)
        )
        value = {
            "word": words,
            "mention": screen_names,
            "hashtag": hashtags,
            "url": urls,
            "payload": st.sampled_from(PAYLOADS),
        }[kind]
        segments.append((kind, draw(value)))
    text = ""
    for n, (kind, value) in enumerate(segments):
        if n:
            text += draw(st.sampled_from([" ", " ", "\n", "\n\n"]))
        text += {"mention": "@", "hashtag": "#"}.get(kind, "") + value
    mentions = first_of_each([v.lower() for k, v in segments if k == "mention"])
    tags = first_of_each([v for k, v in segments if k == "hashtag"])
    links = [v for k, v in segments if k == "url"]
    media = draw(st.lists(media_keys, max_size=3, unique=True))
    return {"text": text, "mentions": mentions, "hashtags": tags, "urls": links, "media": media}


def first_of_each(items: list[str]) -> list[str]:
    """Entities are listed once per tweet, whatever their case."""
    seen = {}
    for item in items:
        seen.setdefault(item.casefold(), item)
    return list(seen.values())


def user_id(screen_name: str) -> int:
    return 1000 + int.from_bytes(hashlib.blake2b(screen_name.encode(), digest_size=5).digest())


def escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def write_markdown(root: Path, generated: list[dict]) -> None:
    entries = []
    for n, tweet in enumerate(generated):
        tweet_id = FIRST_ID + n
        media = "".join(f"\n\n![](media/{tweet_id}-{key}.png)" for key in tweet["media"])
        for key in tweet["media"]:
            (root / "media").mkdir(exist_ok=True)
            (root / "media" / f"{tweet_id}-{key}.png").write_bytes(b"\x89PNG\r\n\x1a\n")
        url = f"https://twitter.com/{OWNER}/status/{tweet_id}"
        footer = f"(Originally on Twitter: [Fri May 31 10:00:{n % 60:02d} +0000 2019]({url}))"
        entries.append(f"{escape(tweet['text'])}{media}\n\n{footer}\n\n----\n\n")
    (root / "tweets_2019-05.md").write_text("".join(entries), encoding="utf-8")


def write_export(root: Path, generated: list[dict]) -> None:
    items = []
    (root / "data" / "tweets_media").mkdir(parents=True)
    for n, tweet in enumerate(generated):
        tweet_id = FIRST_ID + n
        text = escape(tweet["text"])
        entities = {"hashtags": [], "symbols": [], "user_mentions": [], "urls": []}
        for i, url in enumerate(tweet["urls"]):
            short = f"https://t.co/u{n}x{i}"
            text = text.replace(escape(url), short, 1)
            entities["urls"].append({"url": short, "expanded_url": url})
        entities["hashtags"] = [{"text": tag} for tag in tweet["hashtags"]]
        entities["user_mentions"] = [
            {"screen_name": name, "id_str": str(user_id(name))} for name in tweet["mentions"]
        ]
        media = []
        for key in tweet["media"]:
            (root / "data" / "tweets_media" / f"{tweet_id}-{key}.jpg").write_bytes(b"\xff\xd8\xff")
            media.append(
                {
                    "type": "photo",
                    "media_url_https": f"https://pbs.twimg.com/media/{key}.jpg",
                    "url": f"https://t.co/m{n}",
                }
            )
        if media:
            text += f" https://t.co/m{n}"
        item = {
            "id_str": str(tweet_id),
            "created_at": f"Fri May 31 10:00:{n % 60:02d} +0000 2019",
            "full_text": text,
            "entities": entities,
            "extended_entities": {"media": media},
        }
        items.append({"tweet": item})
    (root / "data" / "tweets.js").write_text("window.YTD.tweets.part0 = " + json.dumps(items))
    account = [{"account": {"username": OWNER, "accountId": "42", "accountDisplayName": "P"}}]
    (root / "data" / "account.js").write_text("window.YTD.account.part0 = " + json.dumps(account))


def stored(db_path: Path) -> list[dict]:
    db = sqlite_utils.Database(db_path)

    def column(sql, tweet_id):
        return [row[0] for row in db.execute(sql, [tweet_id])]

    out = []
    for tweet_id, text in db.execute("select id, text from tweets order by id").fetchall():
        out.append(
            {
                "text": text,
                "mentions": column(
                    "select lower(u.screen_name) from mentions m join users u on u.id = m.user_id "
                    "where tweet_id = ? order by position",
                    tweet_id,
                ),
                "hashtags": column(
                    "select tag from hashtags where tweet_id = ? order by position", tweet_id
                ),
                "urls": column(
                    "select url from urls where tweet_id = ? order by position", tweet_id
                ),
                "media": column(
                    "select path from media where tweet_id = ? order by position", tweet_id
                ),
            }
        )
    return out


def build(writer, generated) -> list[dict]:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "archive"
        root.mkdir()
        writer(root, generated)
        result = run_build(Path(tmp) / "archive.db", root)
        assert result.exit_code == 0, result.output
        assert "problems            0" in result.output, result.output
        assert misplaced(Path(tmp) / "archive.db") == []  # each entity's offsets slice its text
        return stored(Path(tmp) / "archive.db")


@pytest.mark.slow
@SETTINGS
@given(st.lists(tweets(), min_size=1, max_size=5))
def test_markdown_tweets_survive_a_build(generated):
    expected = [
        {**t, "media": [f"media/{FIRST_ID + n}-{key}.png" for key in t["media"]]}
        for n, t in enumerate(generated)
    ]
    assert build(write_markdown, generated) == expected


@pytest.mark.slow
@SETTINGS
@given(st.lists(tweets(), min_size=1, max_size=5))
def test_official_export_tweets_survive_a_build(generated):
    expected = [
        {
            **t,
            "media": [f"data/tweets_media/{FIRST_ID + n}-{key}.jpg" for key in t["media"]],
        }
        for n, t in enumerate(generated)
    ]
    assert build(write_export, generated) == expected


class Parsed(HTMLParser):
    """Elements, attributes, text and script bodies of a page, as a browser would see them."""

    def __init__(self, page: str):
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict]] = []
        self.text: list[str] = []
        self.scripts: list[str] = []
        self.comments: list[str] = []
        self.feed(page)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))

    def handle_data(self, data):
        (self.scripts if self.lasttag in ("script", "style") else self.text).append(data)

    def handle_comment(self, data):
        self.comments.append(data)


def injected(parsed: Parsed) -> list:
    """Anything of PAYLOADS that a browser would treat as markup rather than text."""
    found = []
    for tag, attrs in parsed.elements:
        if tag == "img" and attrs.get("src") == "x":
            found.append((tag, attrs))
        if tag == "i" and attrs.get("class") == "INJECTED":
            found.append((tag, attrs))
        for name, value in attrs.items():
            if name in ("onerror", "onload", "onmouseover"):
                found.append((tag, attrs))
            if name in ("href", "src") and (value or "").strip().lower().startswith("javascript:"):
                found.append((tag, attrs))
    found += [s for s in parsed.scripts if "alert(1)" in s]
    return found


renderer_texts = st.lists(
    st.one_of(
        st.text(),
        st.sampled_from(PAYLOADS),
        urls,
        screen_names.map(lambda name: "@" + name),
        hashtags.map(lambda tag: "#" + tag),
        st.sampled_from(["javascript:alert(1)", 'https://x.com/a"onclick=alert(1)', "\u202e"]),
    ),
    max_size=12,
).map(" ".join)


@settings(SETTINGS, max_examples=50)
@given(renderer_texts, st.lists(st.tuples(st.integers(0, 300), st.integers(0, 300)), max_size=3))
def test_tweet_html_never_emits_markup_from_the_text(text, highlights):
    # Linked as the build finds the entities, marked anywhere (a search's matches).
    rendered = tweet_html(
        text, RENDER_DS, "archive", entities=entities_of(text), highlights=highlights
    )
    parsed = Parsed(str(rendered))
    assert parsed.elements[0] == ("div", {"class": "tweet-text", "dir": "auto"})
    for tag, attrs in parsed.elements[1:]:
        assert tag in ("a", "br", "mark"), (tag, attrs)
        assert set(attrs) <= {"href", "title", "rel", "class"}, attrs
        if tag == "a":
            assert attrs["href"].startswith(
                ("https://", "http://", "/-/user/", "/hashtag/", "/archive/tweets/")
            )
    assert parsed.comments == [] and injected(parsed) == []
    shown = "".join(parsed.text)
    for payload in PAYLOADS:
        if payload in text:
            assert payload in shown


RENDER_DS = Datasette()
RENDER_DS.add_memory_database("archive")


# A Datasette per example: no shrinking (minutes); a failure shows its example as generated.
@pytest.mark.slow
@settings(SETTINGS, max_examples=20, phases=[Phase.explicit, Phase.generate])
@given(st.lists(tweets(payloads=True), min_size=1, max_size=3))
def test_tweet_pages_never_run_tweet_text(metadata, generated):
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "archive"
        root.mkdir()
        write_markdown(root, generated)
        assert run_build(Path(tmp) / "archive.db", root).exit_code == 0
        ds = make_datasette(Path(tmp) / "archive.db", metadata)
        paths = [f"/archive/tweets/{FIRST_ID + n}" for n in range(len(generated))]
        # The table, the home page, and search results (highlighted matches, an own path)
        lists = ["/archive/tweets", "/", "/archive/search?q=alert", "/archive/search?q=script"]
        pages = asyncio.run(fetch(ds, [*paths, *lists]))
    for path, (status, page) in zip([*paths, *lists], pages, strict=True):
        assert status == 200, path
        parsed = Parsed(page)
        assert injected(parsed) == [], path
    for n, tweet in enumerate(generated):
        shown = "".join(Parsed(pages[n][1]).text)
        for payload in PAYLOADS:
            if payload in tweet["text"]:
                assert payload in shown, (paths[n], payload)


async def fetch(ds, paths):
    responses = [await ds.client.get(path) for path in paths]
    return [(r.status_code, r.text) for r in responses]
