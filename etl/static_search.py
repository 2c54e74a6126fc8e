"""A static copy's search: the published database's tweets indexed by Pagefind into
`pagefind/`, searched in the browser by the site's /search page (static/static-search.js).

Each tweet the server's search shows (an edited tweet's latest version) is one Pagefind
custom record: its words (tweet_site/search_words.py: Japanese and Chinese as overlapping
pairs of characters, so any part of them is found, as on the server) with English stemming,
the filters `year` and `kind`, the sort `date`. What its card shows (text, author, date,
kind) travels after a `#` in the record's URL: Pagefind 1.5 searches every metadata field
and returns pages matching only there ("Metadata-only matches now return results", its
changelog), so an author's name or a date in metadata would match every tweet of theirs or
of that year; the URL it stores and never searches.

The tweets are indexed in shards of SHARD_TWEETS, newest first, each shard a Pagefind index
of its own in the one bundle folder, named as a language of its own (`en-x-0000`, ...; the
bundle's pagefind-entry.json lists them all, each with the one English WebAssembly file).
Pagefind 1.5.2 is quadratic in both directions: a search looks through every match for each
result (a word in 50,000 tweets of one index: 72 s in Chromium; in a shard of 5,000, well
under a second), and adding a record looks through every record added before (100,000 in
one index: 6 minutes), which it all keeps in memory. In shards, both stay bounded: the
build's memory is two shards', and the page searches the newest shard first and older ones
only while it has less than a page of results or when asked for more.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import shutil
import sqlite3
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from pagefind.index import IndexConfig
from pagefind.service import PagefindService

from tweet_site.chars import BIDI_CONTROLS, DIRECTION_MARKS
from tweet_site.hooks.render_tweets import LANGUAGE, NO_LANGUAGE
from tweet_site.search_words import search_words
from tweet_site.tweets import readable_time

BUNDLE = "pagefind"
# The page's own list of the shards (newest first), beside Pagefind's files.
MANIFEST = "tweets.json"
SHARD_TWEETS = 5_000
# Shards indexed at once, each by a Pagefind process of its own.
BUILDERS = 2
# Records sent ahead of Pagefind's answers.
IN_FLIGHT = 256
# The longest answer read from Pagefind: a shard's files, base64 in JSON in base64 (about
# 4 MB for 5,000 tweets).
ANSWER_LIMIT = 2**28
# Stemming for every shard: the server's word index stems English (porter) whatever the
# tweet's language, and Japanese and Chinese are pairs of characters either way.
LANGUAGE_CODE = "en"
WASM = f"wasm.{LANGUAGE_CODE}.pagefind"
# What the search page loads of a shard's output; the rest (Pagefind's own UIs, the
# unknown-language WebAssembly) is left out.
RUNTIME = ("pagefind.js", "pagefind-worker.js")
CHUNK_FOLDERS = ("index", "fragment", "filter")

TWEETS_SQL = """
select
  tweets.id,
  tweets.created_at,
  tweets.kind,
  tweets.text,
  tweets.lang,
  tweets.retweeted_screen_name,
  users.screen_name,
  users.name
from tweets
left join users on users.id = tweets.user_id
where tweets.is_latest_version = 1
order by tweets.id desc
"""


class SearchIndexError(Exception):
    pass


class _Service(PagefindService):
    """Pagefind's indexing service (pagefind 1.5.2's Python client, two parts replaced).

    Its answers are read as soon as they come: the client sleeps 0.1 s before reading each
    one (`_wait_for_responses`), 100 ms a record (a million tweets: 28 hours), and keeps
    every answered request. And the index's files come back as an answer (get_files), which
    this module writes: after write_files answers, Pagefind may still be writing files in
    the background, and stopping it then (as the client does on leaving its context) leaves
    them cut short. The answer holding a shard's files is larger than the client's 2 MiB
    limit on one answer, so the process is started here with a larger one.
    """

    async def launch(self) -> _Service:
        self._backend = await asyncio.create_subprocess_exec(
            self._bin,
            "--service",
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            limit=ANSWER_LIMIT,
        )
        self._poll_task = self._loop.create_task(self._wait_for_responses())
        return self

    async def _wait_for_responses(self) -> None:
        stdout = self._backend.stdout
        try:
            while True:
                message = await stdout.readuntil(b",")
                response = json.loads(base64.b64decode(message[:-1]))
                payload = response.get("payload") or {}
                future = self._responses.pop(response.get("message_id"), None)
                if future is None:
                    # Pagefind couldn't read a request: whichever it was, the index is wrong.
                    self._fail(SearchIndexError(f"Pagefind: {payload.get('message')}"))
                elif payload.get("type") == "Error":
                    future.set_exception(SearchIndexError(f"Pagefind: {payload.get('message')}"))
                else:
                    future.set_result(payload)
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError) as error:
            self._fail(SearchIndexError(f"Pagefind stopped answering: {error!r}"))

    def _fail(self, error: Exception) -> None:
        for future in self._responses.values():
            if not future.done():
                future.set_exception(error)
        self._responses.clear()

    async def stop(self) -> None:
        self._poll_task.cancel()
        if self._backend.returncode is None:
            self._backend.terminate()
        await self._backend.wait()


def card(row: sqlite3.Row) -> dict:
    """What the search page's card shows of a tweet (keys kept short: one per result loaded)."""
    text = (row["text"] or "").translate(BIDI_CONTROLS)
    lang = row["lang"]
    data = {
        "t": text,
        "k": row["kind"] or "tweet",
        "s": row["screen_name"],
        "n": (row["name"] or "").translate(DIRECTION_MARKS),
        "r": row["retweeted_screen_name"] if row["kind"] == "retweet" else None,
        "d": row["created_at"],
        "w": readable_time(row["created_at"]) if row["created_at"] else None,
        "l": lang if isinstance(lang, str) and LANGUAGE.match(lang) else None,
    }
    if data["l"] and data["l"].lower() in NO_LANGUAGE:
        data["l"] = None
    return {key: value for key, value in data.items() if value}


def record(row: sqlite3.Row, language: str, tweet_href: Callable[[int], str]) -> dict:
    """A tweet as Pagefind's custom record (add_custom_record's arguments)."""
    href = tweet_href(row["id"])
    if "#" in href:
        raise SearchIndexError(f"a tweet's address holds a #: {href}")
    data = card(row)
    created = row["created_at"] or ""
    filters = {"kind": [data["k"]]}
    if created[:4].isdigit():
        filters["year"] = [created[:4]]
    return {
        "url": href + "#" + json.dumps(data, ensure_ascii=False, separators=(",", ":")),
        "content": " ".join(search_words(data.get("t", ""))),
        "language": language,
        "filters": filters,
        # Dates alike sort by id (Twitter's ids grow with time); not a number, so Pagefind
        # compares them as text.
        "sort": {"date": f"{created} {int(row['id']):020d}"},
    }


def shards(db_path: Path) -> Iterator[list[sqlite3.Row]]:
    """The published tweets newest first, SHARD_TWEETS at a time."""
    conn = sqlite3.connect(f"{Path(db_path).absolute().as_uri()}?mode=ro", uri=True)
    conn.row_factory = sqlite3.Row
    try:
        cursor = conn.execute(TWEETS_SQL)
        while rows := cursor.fetchmany(SHARD_TWEETS):
            yield rows
    finally:
        conn.close()


def shard_language(number: int) -> str:
    return f"{LANGUAGE_CODE}-x-{number:04d}"


async def indexed_files(records) -> list[dict]:
    """The files of a Pagefind index of `records` (add_custom_record's arguments), each
    {"path", "content"}, from a Pagefind process of its own."""
    service = await _Service().launch()
    try:
        index = await service.create_index(IndexConfig())
        in_flight: set[asyncio.Future] = set()
        for arguments in records:
            in_flight.add(asyncio.ensure_future(index.add_custom_record(**arguments)))
            if len(in_flight) >= IN_FLIGHT:
                done, in_flight = await asyncio.wait(in_flight, return_when=asyncio.FIRST_COMPLETED)
                for future in done:
                    future.result()
        await asyncio.gather(*in_flight)
        return await index.get_files()
    finally:
        await service.stop()


def write_files(bundle: Path, files: list[tuple[str, bytes]]) -> None:
    for name, content in files:
        path = bundle / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)


async def index_shard(
    number: int,
    rows: list[sqlite3.Row],
    bundle: Path,
    tweet_href: Callable[[int], str],
    runtime: set,
) -> dict:
    """One shard indexed into `bundle` (with Pagefind's script, once: `runtime` says whether
    a shard took it): what the manifest says of it. Pagefind leaves out a tweet without a
    word (a photo alone): `pages` counts the others."""
    language = shard_language(number)
    files = await indexed_files(record(row, language, tweet_href) for row in rows)
    by_name = {file["path"]: file["content"] for file in files}
    entry = json.loads(by_name["pagefind-entry.json"])
    written = entry["languages"].get(language)
    kept = []
    if written:
        meta = f"pagefind.{written['hash']}.pf_meta"
        kept = [
            (name, content)
            for name, content in by_name.items()
            if name == meta or name.split("/")[0] in CHUNK_FOLDERS
        ]
        if not runtime:
            runtime.add(number)
            kept += [(name, by_name[name]) for name in RUNTIME]
            kept.append((WASM, by_name[f"wasm.{written['wasm']}.pagefind"]))
    del files, by_name
    await asyncio.to_thread(write_files, bundle, kept)
    dates = [row["created_at"] for row in rows if row["created_at"]]
    return {
        "language": language,
        "tweets": len(rows),
        "pages": written["page_count"] if written else 0,
        "first": min(dates, default=None),
        "last": max(dates, default=None),
        "years": sorted({date[:4] for date in dates if date[:4].isdigit()}, reverse=True),
        "_entry": entry,
        "_hash": written["hash"] if written else None,
    }


async def build_search_index(db_path: Path, out: Path, tweet_href: Callable[[int], str]) -> dict:
    """write_search_index for a caller already in an event loop."""
    bundle = Path(out) / BUNDLE
    if bundle.exists():
        shutil.rmtree(bundle)
    bundle.mkdir(parents=True)
    slots = asyncio.Semaphore(BUILDERS)
    runtime: set[int] = set()
    tasks: list[asyncio.Task] = []
    try:
        for number, rows in enumerate(shards(db_path)):
            await slots.acquire()
            failed = [task for task in tasks if task.done() and task.exception()]
            if failed:
                slots.release()
                raise failed[0].exception()
            task = asyncio.create_task(index_shard(number, rows, bundle, tweet_href, runtime))
            task.add_done_callback(lambda _: slots.release())
            tasks.append(task)
        built = await asyncio.gather(*tasks)
    except BaseException:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise
    tweets = sum(shard["tweets"] for shard in built)
    built = [shard for shard in built if shard["pages"]]
    if built:
        write_entry(bundle, built)
    else:
        await write_runtime(bundle)
    entry = (bundle / "pagefind-entry.json").read_bytes()
    (bundle / MANIFEST).write_text(
        json.dumps(
            {
                # Names this build's pagefind-entry.json (the page's cache tag for it).
                "tag": hashlib.sha256(entry).hexdigest()[:16],
                "tweets": tweets,
                "shards": [
                    {key: value for key, value in shard.items() if not key.startswith("_")}
                    for shard in built
                ],
            },
            separators=(",", ":"),
        )
    )
    files = [path for path in bundle.rglob("*") if path.is_file()]
    return {
        "tweets": tweets,
        "records": sum(shard["pages"] for shard in built),
        "shards": len(built),
        "files": len(files),
        "bytes": sum(path.stat().st_size for path in files),
    }


async def write_runtime(bundle: Path) -> None:
    """Pagefind's script alone, for an archive without a public tweet: the page loads it and
    finds no shard to search."""
    by_name = {file["path"]: file["content"] for file in await indexed_files([])}
    write_files(bundle, [(name, by_name[name]) for name in (*RUNTIME, "pagefind-entry.json")])


def write_entry(bundle: Path, built: list[dict]) -> None:
    """Pagefind's pagefind-entry.json naming every shard, each with the one WebAssembly."""
    first = built[0]["_entry"]
    entry = {
        "version": first["version"],
        "languages": {
            shard["language"]: {
                "hash": shard["_hash"],
                "wasm": LANGUAGE_CODE,
                "page_count": shard["pages"],
            }
            for shard in built
        },
        "include_characters": first.get("include_characters", []),
    }
    (bundle / "pagefind-entry.json").write_text(json.dumps(entry, ensure_ascii=False))


def write_search_index(db_path: Path, out: Path, tweet_href: Callable[[int], str]) -> dict:
    """Index the published database's tweets into `out/pagefind` (replacing what is there):
    `tweet_href(tweet_id)` is the address of a tweet's page relative to the site's root
    ("archive/tweets/123/"). Returns {"tweets" read, "records" indexed (tweets with a word),
    "shards", "files", "bytes"} (the files and bytes of pagefind/). Runs its own event
    loop, in a thread of its own when called from one (async code can await
    build_search_index instead)."""
    built = build_search_index(db_path, out, tweet_href)
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(built)
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, built).result()
