"""A private build of twitter-archive-parser's output on the private site, as `tweets-etl
publish --target local` serves it and as a plain Datasette of the build does: the DM media
of the parser's media/ folder found through the build's own `sources` (never
TWEET_ARCHIVE_MEDIA_ROOT), and the owner the Markdown names shown as the owner (their
bubbles on their side), in the parser's output alone and in a combined parser archive
(tweets, media, DMs and lists in one folder). Invented fixtures."""

import html
import os
import re
import shutil

import pytest
from datasette.utils import tilde_encode

from etl import site as etl_site
from etl.publish import Plan, publish, source_roots
from etl.site import free_port
from tests.helpers.build import run_build
from tests.helpers.paths import FIXTURES
from tests.helpers.site import make_datasette

PARSER = FIXTURES / "parser-private"
COMBINED = FIXTURES / "parser-combined"


def built(tmp_path_factory, source):
    db_path = tmp_path_factory.mktemp("parser-site") / "archive.db"
    result = run_build(db_path, source, args=["--private"])
    assert result.exit_code == 0, result.output
    return db_path


@pytest.fixture(scope="module")
def parser_db(tmp_path_factory):
    return built(tmp_path_factory, PARSER)


@pytest.fixture(scope="module")
def combined_db(tmp_path_factory):
    return built(tmp_path_factory, COMBINED)


def site(db_path, metadata, published: bool):
    """The build's site: as `publish --target local` configures it (media_root: the
    sources' folders), or a plain Datasette of the database (no media root at all)."""
    if published:
        metadata = {**metadata, "plugins": {**metadata.get("plugins", {})}}
        config = dict(metadata["plugins"].get("tweet-archive", {}))
        config["media_root"] = os.pathsep.join(source_roots(db_path))
        metadata["plugins"]["tweet-archive"] = config
    return make_datasette(db_path, metadata)


def sides(page: str) -> list[tuple[str, str]]:
    """The chat's messages as (mine or theirs, text)."""
    found = []
    for kind, body in re.findall(r'<li class="chat-message ([^"]*)"[^>]*>(.*?)</li>', page, re.S):
        text = re.search(r'<p class="chat-text"[^>]*>(.*?)</p>', body, re.S)
        words = html.unescape(re.sub(r"<[^>]+>", " ", text[1])) if text else ""
        found.append(("mine" if "chat-mine" in kind else "theirs", " ".join(words.split())))
    return found


def chat_path(conversation_id: str) -> str:
    return "/messages/" + tilde_encode(conversation_id)


@pytest.mark.asyncio
@pytest.mark.parametrize("published", [True, False], ids=["publish-local", "plain"])
async def test_a_parser_dm_photo_is_served_from_the_builds_sources(
    parser_db, metadata, monkeypatch, published
):
    monkeypatch.delenv("TWEET_ARCHIVE_MEDIA_ROOT", raising=False)
    ds = site(parser_db, metadata, published)
    page = (await ds.client.get(chat_path("md:3000000000000000002-parser_owner"))).text
    assert re.findall(r'<img src="([^"]+)"', page) == ["/-/dm-media/1500000000000000001/0"]
    photo = await ds.client.get("/-/dm-media/1500000000000000001/0")
    assert photo.status_code == 200
    assert photo.headers["content-type"] == "image/jpeg"
    assert (
        photo.content == (PARSER / "parser-output/media/1500000000000000001-photo.jpg").read_bytes()
    )
    video = await ds.client.get("/-/dm-media/1500000000000000002/0")
    assert (video.status_code, video.headers["content-type"]) == (200, "video/mp4")
    # The older layout's root-level media/ too.
    old = await ds.client.get("/-/dm-media/1500000000000000004/0")
    assert old.content == (PARSER / "media/1500000000000000004-old.png").read_bytes()


@pytest.mark.asyncio
async def test_the_owner_the_markdown_names_has_the_owners_side(parser_db, metadata, monkeypatch):
    monkeypatch.delenv("TWEET_ARCHIVE_MEDIA_ROOT", raising=False)
    ds = site(parser_db, metadata, published=False)
    page = (await ds.client.get(chat_path("md:3000000000000000002-parser_owner"))).text
    assert sides(page) == [
        ("theirs", "Hello *there* [friend] (1 + 1 = 2) #tag. Second line!"),
        ("mine", "tea & cake? https://example.org/page see you"),
        ("mine", "photo"),
        ("theirs", ""),
        ("theirs", "DMSECRETWORD <3 unicode: 日本語"),
    ]
    # A 1:1 between handles: the other side's; the owner's own: notes to themselves.
    listing = (await ds.client.get("/messages")).text
    titles = [
        " ".join(html.unescape(re.sub(r"<[^>]+>", "", t)).split())
        for t in re.findall(r'<h2 class="dm-title">(.*?)</h2>', listing, re.S)
    ]
    assert titles == [
        "@Bea_Reader 1:1",
        "3000000000000000009 1:1",
        "Notes to yourself 1:1",
        "Book club! Group",
        "@Bea_Reader, @Carl99 Group",
        "@Dora 1:1",
        "3000000000000000011 1:1",
    ]
    # Where the owner is known, their bubbles say nothing of who sent them.
    assert '<p class="chat-sender">' not in page


@pytest.mark.asyncio
@pytest.mark.parametrize("published", [True, False], ids=["publish-local", "plain"])
async def test_a_combined_parser_archive_serves_its_dm_photo_and_the_owners_side(
    combined_db, metadata, monkeypatch, published
):
    monkeypatch.delenv("TWEET_ARCHIVE_MEDIA_ROOT", raising=False)
    ds = site(combined_db, metadata, published)
    group = (await ds.client.get(chat_path("md-group:Pals"))).text
    assert sides(group) == [("theirs", "look"), ("mine", "lovely")]
    photo = await ds.client.get("/-/dm-media/1520000000000000002/0")
    assert photo.status_code == 200
    assert photo.content == (COMBINED / "media/1520000000000000002-DmPiC.jpg").read_bytes()
    one = (await ds.client.get(chat_path("md:3100000000000000001-combo_owner"))).text
    assert sides(one) == [("theirs", "tea later? COMBOSECRET"), ("mine", "yes, at six")]


@pytest.mark.slow
@pytest.mark.asyncio
async def test_publish_local_of_the_parser_output_alone_serves_its_dm_media(
    parser_db, tmp_path, monkeypatch
):
    monkeypatch.delenv("TWEET_ARCHIVE_MEDIA_ROOT", raising=False)
    db_path = tmp_path / "private.db"
    shutil.copy(parser_db, db_path)
    served = []
    monkeypatch.setattr("etl.publish.serve_locally", lambda *args: served.append(args))
    publish(Plan(db=db_path, target="local", port=free_port()), echo=lambda line: None)
    work = tmp_path / "private.site"
    assert [args[1] for args in served] == [work]
    ds = etl_site.datasette(work)
    photo = await ds.client.get("/-/dm-media/1500000000000000001/0")
    assert photo.status_code == 200
    assert (
        photo.content == (PARSER / "parser-output/media/1500000000000000001-photo.jpg").read_bytes()
    )
