"""A static copy's search index (etl/static_search.py): every tweet the server's search shows,
once, in Pagefind shards the search page (static/static-search.js) reads, and the page the
site renders at /search while it is being exported."""

import copy
import json
import re
import sqlite3

import pytest

from etl import static_search
from etl.static_search import write_search_index
from tests.helpers.site import make_datasette
from tweet_site.search_words import search_words


def tweet_href(tweet_id):
    return f"archive/tweets/{tweet_id}/"


def latest_tweets(db_path):
    db = sqlite3.connect(db_path)
    try:
        return {
            row[0]: row[1:]
            for row in db.execute(
                "select id, kind, created_at, text from tweets where is_latest_version = 1"
            )
        }
    finally:
        db.close()


def records_of(bundle):
    """{tweet id: (address, card)} of every record in the bundle's fragments."""
    import gzip

    found = {}
    for path in (bundle / "fragment").iterdir():
        data = gzip.decompress(path.read_bytes())
        assert data.startswith(b"pagefind_dcd")
        fragment = json.loads(data[len(b"pagefind_dcd") :])
        href, _, card = fragment["url"].partition("#")
        tweet_id = int(re.fullmatch(r"archive/tweets/(\d+)/", href)[1])
        assert tweet_id not in found
        found[tweet_id] = (fragment, json.loads(card))
    return found


def test_every_latest_tweet_is_one_record_with_its_card(search_db, tmp_path):
    counts = write_search_index(search_db, tmp_path, tweet_href)
    bundle = tmp_path / "pagefind"
    tweets = latest_tweets(search_db)
    db = sqlite3.connect(search_db)
    earlier = db.execute("select count(*) from tweets where is_latest_version = 0").fetchone()[0]
    db.close()
    assert earlier  # the edited tweet's first version: not a result, as on the server
    files = [p for p in bundle.rglob("*") if p.is_file()]
    assert counts == {
        "tweets": len(tweets),
        "records": len(tweets),
        "shards": 1,
        "files": len(files),
        "bytes": sum(p.stat().st_size for p in files),
    }
    records = records_of(bundle)
    assert set(records) == set(tweets)
    for tweet_id, (fragment, card) in records.items():
        kind, created_at, text = tweets[tweet_id]
        assert (card["k"], card["d"], card["t"]) == (kind, created_at, text)
        assert fragment["filters"] == {"kind": [kind], "year": [created_at[:4]]}
        # Nothing searchable but the text: an author or a date in metadata would match.
        assert fragment["meta"] == {}
    for name in ("pagefind.js", "pagefind-worker.js", "wasm.en.pagefind", "tweets.json"):
        assert (bundle / name).is_file(), name
    # Only what the page loads: no Pagefind UI, no playground.
    assert not list(bundle.glob("pagefind-*ui*")) and not (bundle / "playground").exists()
    assert not [p for p in bundle.iterdir() if p.name.startswith(".")]


def test_tweets_are_sharded_newest_first(search_db, tmp_path, monkeypatch):
    monkeypatch.setattr(static_search, "SHARD_TWEETS", 40)
    counts = write_search_index(search_db, tmp_path, tweet_href)
    bundle = tmp_path / "pagefind"
    tweets = latest_tweets(search_db)
    manifest = json.loads((bundle / "tweets.json").read_text())
    entry = json.loads((bundle / "pagefind-entry.json").read_text())
    shards = manifest["shards"]
    assert counts["shards"] == len(shards) == -(-len(tweets) // 40) > 2
    assert manifest["tweets"] == counts["records"] == counts["tweets"] == len(tweets)
    assert [s["tweets"] for s in shards] == [40] * (len(shards) - 1) + [len(tweets) % 40 or 40]
    # Newest first, each shard older than the one before it.
    for newer, older in zip(shards, shards[1:], strict=False):
        assert older["last"] <= newer["first"]
    assert shards[0]["last"] == max(created for _, created, _ in tweets.values())
    newest_first = [tweets[i][1] for i in sorted(tweets, reverse=True)]
    for number, shard in enumerate(shards):
        dates = newest_first[number * 40 : (number + 1) * 40]
        assert (shard["first"], shard["last"]) == (min(dates), max(dates))
        assert shard["years"] == sorted({d[:4] for d in dates}, reverse=True)
    # One language of the bundle a shard, all with the one WebAssembly file.
    assert sorted(entry["languages"]) == sorted(s["language"] for s in shards)
    assert {lang["wasm"] for lang in entry["languages"].values()} == {"en"}
    for language, index in entry["languages"].items():
        assert (bundle / f"pagefind.{index['hash']}.pf_meta").is_file()
        assert list((bundle / "fragment").glob(f"{language}_*"))
    assert sum(lang["page_count"] for lang in entry["languages"].values()) == len(tweets)


@pytest.mark.parametrize(
    "change, tweets",
    [("delete from tweets", 0), ("update tweets set text = ''", 147)],
)
def test_an_archive_without_words_still_has_the_script(search_db, tmp_path, change, tweets):
    empty = tmp_path / "empty.db"
    source = sqlite3.connect(search_db)
    target = sqlite3.connect(empty)
    source.backup(target)
    source.close()
    target.execute(change)
    target.commit()
    target.close()
    counts = write_search_index(empty, tmp_path, tweet_href)
    # Pagefind leaves out a tweet without a word to find (a photo alone).
    assert (counts["tweets"], counts["records"], counts["shards"]) == (tweets, 0, 0)
    assert (tmp_path / "pagefind" / "pagefind.js").is_file()
    manifest = json.loads((tmp_path / "pagefind" / "tweets.json").read_text())
    assert (manifest["tweets"], manifest["shards"]) == (tweets, [])


@pytest.mark.parametrize(
    "text, words",
    [
        ("東京に行きました", ["東京", "京に", "に行", "行き", "きま", "まし", "した", "た"]),
        ("#東京 Tower!", ["#", "東京", "京", "Tower!"]),
        ("a\u200bb\n\nc\u3000d", ["a", "b", "c", "d"]),
        # Pagefind reads a word starting ___PAGEFIND_ as an instruction, not as a word.
        ("___PAGEFIND_WEIGHT___0 x", ["_PAGEFIND_WEIGHT___0", "x"]),
        ("", []),
    ],
)
def test_search_words(text, words):
    assert search_words(text) == words


def static_metadata(metadata):
    static = copy.deepcopy(metadata)
    static["plugins"]["tweet-archive"]["static"] = {
        "db_file": "archive.db",
        "db_bytes": 1,
        "site_url": None,
    }
    return static


@pytest.mark.asyncio
async def test_the_exported_search_page_is_the_pagefind_shell(site_db, metadata):
    ds = make_datasette(site_db, static_metadata(metadata))
    response = await ds.client.get("/search?q=fox")
    assert response.status_code == 200
    page = response.text
    assert 'data-src="/pagefind/pagefind.js"' in page
    assert '<script type="module" src="/static/static-search.js"></script>' in page
    main = page.split("<main", 1)[1].split("</main>")[0]
    # The search is the script file's: nothing inline.
    assert "<script" not in main and not re.search(r"\son[a-z]+=", main)
    for name in ("q", "sort", "year", "kind"):
        assert f'name="{name}"' in page
    assert '<option value="2021">2021</option>' in page
    assert "<noscript>" in page
    # The server's search ran nothing: its results would be stale in a copy.
    assert "search-hit" not in page and "fox" not in main


@pytest.mark.asyncio
async def test_the_served_search_page_still_searches_on_the_server(site_db, metadata):
    ds = make_datasette(site_db, metadata)
    page = (await ds.client.get("/search?q=fox")).text
    assert "search-hit" in page and "pagefind" not in page
