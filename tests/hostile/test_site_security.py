"""The site under hostile requests: memory bombs, leaked paths, headers, bidi titles, feeds."""

import copy
import json
import os
import shutil
import sqlite3
import time
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from datasette.database import Database

from etl.site import free_port, serve_command, start
from tests.helpers.paths import IDS, ROOT
from tests.helpers.site import make_datasette, site_folder

MAX_ANSWER_SECONDS = 5
# Each query alone would take gigabytes (and minutes) without the limits.
MEMORY_BOMBS = {
    "randomblob": "select randomblob(1000000000)",
    "zeroblob": "select zeroblob(1000000000)",
    "printf": "select printf('%.*c', 1000000000, 'x')",
    "printf max": "select format('%.*c', 2147483647, 'x')",
    "hex": "select hex(zeroblob(600000000))",
    "doubling string": (
        "with recursive r(s, n) as (select 'x', 0 union all select s || s, n + 1 from r "
        "where n < 40) select length(s) from r order by n desc limit 1"
    ),
    "group_concat": (
        "select length(group_concat(a.text || b.text || c.text || d.text)) "
        "from tweets a, tweets b, tweets c, tweets d, tweets e"
    ),
    "json_group_array": (
        "with recursive n(i) as (select 1 union all select i + 1 from n where i < 100000000) "
        "select length(json_group_array(printf('%.*c', 500, 'x'))) from n"
    ),
    "wide row": "select " + ", ".join(["zeroblob(900000) || x'00'"] * 400),
    "many rows": (
        "with recursive n(i) as (select 1 union all select i + 1 from n where i < 1000) "
        "select zeroblob(900000), i from n"
    ),
}


def sql_url(sql):
    return "/archive.json?" + urllib.parse.urlencode({"sql": sql, "_shape": "array"})


# Datasette turns on sqlite3's callback tracebacks: printf's refusal is printed as well.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
@pytest.mark.asyncio
@pytest.mark.parametrize("name", MEMORY_BOMBS)
async def test_memory_bombs_answer_an_error_quickly(ds, name):
    started = time.monotonic()
    response = await ds.client.get(sql_url(MEMORY_BOMBS[name]))
    elapsed = time.monotonic() - started
    assert (response.status_code, response.json()["ok"]) == (400, False)
    assert elapsed < MAX_ANSWER_SECONDS
    assert (await ds.client.get("/")).status_code == 200


@pytest.mark.asyncio
async def test_limits_leave_ordinary_queries_alone(ds):
    response = await ds.client.get(
        sql_url(
            "select printf('%020d', 1234567890123456789) as padded, format('%s/%d', 'a', 7) "
            "as formatted, length(randomblob(900000)) as blob, length(printf('%.*c', 900000, "
            "'x')) as repeated"
        )
    )
    assert response.json() == [
        {"padded": "01234567890123456789", "formatted": "a/7", "blob": 900000, "repeated": 900000}
    ]
    response = await ds.client.get(sql_url("select id, text from tweets order by id"))
    assert len(response.json()) == 24


@pytest.fixture
def long_values_ds(site_db, metadata, tmp_path):
    """A hostile build kept a 1.5 MB tweet and a 1.5 MB problem entry."""
    db_path = tmp_path / "archive.db"
    shutil.copy(site_db, db_path)
    with sqlite3.connect(db_path) as conn:
        conn.execute("update tweets set text = ? where id = ?", ["long " * 300_000, IDS["t1"]])
        conn.execute("update etl_problems set raw = ?", ["y" * 1_500_000])
    conn.close()
    return make_datasette(db_path, metadata)


@pytest.mark.asyncio
async def test_values_longer_than_the_cap_stay_readable(long_values_ds):
    paths = [
        f"/archive/tweets/{IDS['t1']}",
        f"/archive/tweets/{IDS['t3']}",
        "/archive/tweets",
        "/archive/etl_problems",
        "/archive/latest.atom",
        "/archive/search?q=long",
    ]
    statuses = {path: (await long_values_ds.client.get(path)).status_code for path in paths}
    assert statuses == {path: 200 for path in paths}
    bomb = await long_values_ds.client.get(sql_url(MEMORY_BOMBS["randomblob"]))
    assert bomb.status_code == 400


@pytest.mark.asyncio
async def test_a_published_longest_record_spares_the_scan(site_db, metadata, tmp_path):
    # `tweets-etl publish` measures the largest record once; the site then trusts it rather
    # than reading the whole file at every start (1.3 s at a million tweets).
    db_path = tmp_path / "archive.db"
    shutil.copy(site_db, db_path)
    configured = copy.deepcopy(metadata)
    configured.setdefault("plugins", {}).setdefault("tweet-archive", {})["longest_record"] = (
        3_000_000
    )
    ds = make_datasette(db_path, configured)
    sql = "select length(zeroblob(2500000)) as n"
    response = await ds.client.get(sql_url(sql))
    assert response.status_code == 200
    assert response.json() == [{"n": 2500000}]
    unconfigured = await make_datasette(db_path, metadata).client.get(sql_url(sql))
    assert unconfigured.status_code == 400


@pytest.fixture(scope="module")
def live_site(site_db, tmp_path_factory):
    """A real `datasette` process serving the fixture with the production configuration."""
    db_path = tmp_path_factory.mktemp("live") / "archive.db"
    shutil.copy(site_db, db_path)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if k != "TWEET_ARCHIVE_MEDIA_ROOT"}
    process = start(serve_command(site_folder(db_path), "127.0.0.1", port), base, env=env)
    yield process, base
    process.terminate()
    process.wait(timeout=10)


def fetch(url):
    try:
        with urllib.request.urlopen(url, timeout=MAX_ANSWER_SECONDS) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def peak_memory_mb(pid):
    status = Path(f"/proc/{pid}/status").read_text()
    line = next(line for line in status.splitlines() if line.startswith("VmHWM:"))
    return int(line.split()[1]) // 1024


@pytest.mark.slow
def test_memory_bombs_against_a_real_server(live_site):
    process, base = live_site
    outcomes = {}
    for name, sql in MEMORY_BOMBS.items():
        started = time.monotonic()
        status, _ = fetch(base + sql_url(sql))
        outcomes[name] = (status, time.monotonic() - started < MAX_ANSWER_SECONDS)
    assert outcomes == {name: (400, True) for name in MEMORY_BOMBS}
    # The heap limit (256 MB) plus Datasette itself; the bombs alone asked for gigabytes.
    assert peak_memory_mb(process.pid) < 600
    assert fetch(base + "/")[0] == 200
    assert process.poll() is None


@pytest.fixture
def media_ds(site_db, metadata, monkeypatch):
    monkeypatch.setenv("TWEET_ARCHIVE_MEDIA_ROOT", "/srv/secret-media-folder")
    metadata = {**metadata, "plugins": {**metadata["plugins"]}}
    metadata["plugins"]["tweet-archive"] = {
        **metadata["plugins"]["tweet-archive"],
        "media_root": "/srv/secret-media-folder",
    }
    return make_datasette(site_db, metadata)


LEAKY_PAGES = [
    "/-/databases.json",
    "/-/databases",
    "/-/threads.json",
    "/-/threads",
    "/-/metadata.json",
    "/-/metadata",
    "/-/settings.json",
    "/-/versions.json",
    "/-/plugins.json?all=1",
    "/archive",
    "/archive/nothing-here",
    sql_url("select * from pragma_database_list"),
    sql_url("select * from no_such_table"),
]


@pytest.mark.asyncio
async def test_no_page_reveals_where_the_files_are(media_ds, site_db):
    # (The sources table's locations are replaced by publish: tests/publish/.)
    secrets = [
        str(site_db.parent),
        "/srv/secret-media-folder",
        str(ROOT),
        "site-packages",
        "/root",
    ]
    found = {}
    for path in LEAKY_PAGES:
        response = await media_ds.client.get(path)
        text = response.text.replace("&#34;", '"')
        found[path] = [secret for secret in secrets if secret in text]
    assert found == {path: [] for path in LEAKY_PAGES}


@pytest.mark.asyncio
async def test_introspection_keeps_its_shape_without_paths(media_ds, site_db):
    databases = (await media_ds.client.get("/-/databases.json")).json()
    assert databases == [
        {
            "name": "archive",
            "route": "archive",
            "size": site_db.stat().st_size,
            "is_mutable": False,
            "is_memory": False,
            "hash": media_ds.databases["archive"].hash,
        }
    ]
    threads = (await media_ds.client.get("/-/threads.json")).json()
    assert list(threads) == ["num_threads"]
    metadata = (await media_ds.client.get("/-/metadata.json")).json()
    assert "media_root" not in metadata["plugins"]["tweet-archive"]
    assert metadata["plugins"]["tweet-archive"]["database"] == "archive"
    rows = (await media_ds.client.get(sql_url("select * from pragma_database_list"))).json()
    assert rows == [{"seq": 0, "name": "main", "file": None}]


PAGE_KINDS = [
    "/",
    "/archive",
    "/archive/tweets",
    f"/archive/tweets/{IDS['t3']}",
    f"/archive/tweets/{IDS['geo_tokyo']}",
    "/archive/search?q=hello",
    "/archive/geotagged",
    "/-/dashboards/activity",
    "/archive/nothing-here",
]


@pytest.mark.asyncio
async def test_html_pages_send_the_security_headers(ds):
    seen = {}
    for path in PAGE_KINDS:
        response = await ds.client.get(path)
        policy = response.headers["content-security-policy"]
        seen[path] = (
            "default-src 'self'" in policy,
            "frame-ancestors 'none'" in policy,
            "object-src 'none'" in policy,
            "img-src 'self' data: blob: https://*.tile.openstreetmap.org" in policy,
            response.headers["x-content-type-options"],
            response.headers["x-frame-options"],
            response.headers["referrer-policy"],
        )
    expected = (True, True, True, True, "nosniff", "DENY", "no-referrer")
    assert seen == {path: expected for path in PAGE_KINDS}


@pytest.mark.asyncio
async def test_other_responses_get_a_closed_policy(ds):
    for path in ("/archive/tweets.json", "/archive/latest.atom", "/static/archive.css"):
        response = await ds.client.get(path)
        assert (
            response.headers["content-security-policy"],
            response.headers["x-content-type-options"],
        ) == (
            "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'",
            "nosniff",
        ), path


@pytest.mark.asyncio
async def test_media_keeps_its_own_sandbox_policy(ds):
    response = await ds.client.get(f"/-/media/{IDS['photo']}/0")
    assert response.status_code == 200
    assert response.headers.get_list("content-security-policy") == ["default-src 'none'; sandbox"]
    assert response.headers["x-frame-options"] == "DENY"


@pytest.mark.asyncio
async def test_policy_allows_configured_tiles_and_media_host(site_db, metadata):
    metadata = json.loads(json.dumps(metadata))
    metadata["plugins"]["tweet-archive"]["media_url"] = "https://media.example.org/archive"
    metadata["databases"]["archive"].setdefault("plugins", {})
    metadata["plugins"]["datasette-cluster-map"] = {
        "tile_layer": "https://tiles-{s}.example.net/{z}/{x}/{y}.png"
    }
    ds = make_datasette(site_db, metadata)
    policy = (await ds.client.get("/")).headers["content-security-policy"]
    assert "img-src 'self' data: blob: https://*.example.net https://media.example.org;" in policy
    assert "media-src 'self' https://media.example.org;" in policy


BIDI = "\u202e\u202a\u202b\u202c\u202d\u2066\u2067\u2068\u2069\u200e\u200f\u061c"


@pytest.fixture
def bidi_ds(site_db, metadata, tmp_path):
    db_path = tmp_path / "archive.db"
    shutil.copy(site_db, db_path)
    with sqlite3.connect(db_path) as conn:
        conn.execute("update users set name = ? where is_owner = 1", [f"Ev{BIDI}il"])
        conn.execute("update archive_totals set owner_name = ?", [f"Ev{BIDI}il"])
        conn.execute("update users set screen_name = ? where is_owner = 1", [f"site_owner{BIDI}"])
    conn.close()
    owner = sqlite3.connect(db_path).execute("select id from users where is_owner = 1").fetchone()
    return make_datasette(db_path, metadata), owner[0]


def has_bidi(text):
    return any(c in text for c in BIDI)


@pytest.mark.asyncio
async def test_titles_and_owner_names_carry_no_bidi_controls(bidi_ds):
    ds, owner = bidi_ds
    home = (await ds.client.get("/")).text
    user = (await ds.client.get(f"/archive/users/{owner}")).text
    tweet = (await ds.client.get(f"/archive/tweets/{IDS['rtl']}")).text
    titles = [page.split("<title>")[1].split("</title>")[0] for page in (home, user, tweet)]
    assert titles == [
        "@site_owner — tweet archive",
        "@site_owner in the archive",
        "@site_owner: Invoice for gnp.exe ok and zero\u200bwidth @fri\u200bend "
        "https://exa\u200bmple.com/x done",
    ]
    assert '(<span dir="auto">Evil</span>)' in home
    assert "<h1>@site_owner — tweet archive</h1>" in home
    assert "by @site_owner (Evil)" in home
    assert '<span class="tweet-name" dir="auto">Evil</span>' in user
    assert not has_bidi(home) and not has_bidi(user.split("<ol")[0])


@pytest.fixture
def nul_ds(site_db, metadata, tmp_path):
    db_path = tmp_path / "archive.db"
    shutil.copy(site_db, db_path)
    with sqlite3.connect(db_path) as conn:
        conn.execute(
            "update tweets set text = text || ? where id = ?",
            [" \x00\x01\x08\x0b\x0c\x1f\ufffe end", IDS["script"]],
        )
    conn.close()
    return make_datasette(db_path, metadata)


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "path", ["/archive/latest.atom", "/archive/search_feed.atom?q=hello"], ids=["latest", "search"]
)
async def test_feeds_survive_control_characters(nul_ds, path):
    response = await nul_ds.client.get(path)
    assert response.status_code == 200
    feed = ET.fromstring(response.content)
    contents = [e.text for e in feed.iter("{http://www.w3.org/2005/Atom}content")]
    # The entry's content is HTML (its links are links): the tweet's tags are escaped in it.
    assert "&lt;script&gt;alert(1)&lt;/script&gt; hello #Hostile world  end" in contents


@pytest.mark.asyncio
async def test_only_chart_pages_may_evaluate_code(ds):
    evaluating = {}
    for path in PAGE_KINDS:
        response = await ds.client.get(path)
        evaluating[path] = "'unsafe-eval'" in response.headers["content-security-policy"]
    charts = {"/-/dashboards/activity"}  # home draws its own, without a script
    assert evaluating == {path: path in charts for path in PAGE_KINDS}


@pytest.mark.asyncio
async def test_home_page_costs_a_handful_of_queries(ds, monkeypatch):
    # Under load every query waits its turn for one of Datasette's SQL threads.
    calls = []
    execute_fn = Database.execute_fn

    async def counted(self, fn):
        calls.append(fn)
        return await execute_fn(self, fn)

    await ds.client.get("/")  # startup: Datasette reads every schema once
    monkeypatch.setattr(Database, "execute_fn", counted)
    page = (await ds.client.get("/")).text
    assert "@site_owner — tweet archive" in page
    assert len(calls) <= 8, len(calls)
