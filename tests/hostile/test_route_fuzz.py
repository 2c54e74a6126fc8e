"""Every route the site has, every parameter it reads, fuzzed (ids past SQLite's 64 bits,
negative, non-numeric, NUL, SQL, very long, Unicode, empty): no answer is a server error.

The routes are Datasette's own list (the plugins' register_routes first, then Datasette's:
tables, rows, canned queries, feeds, static files, its /-/ pages), so a new route is walked
without editing this file: its paths are made from its regular expression, each named group
given real values from Site.values (a group it doesn't know fails
test_every_route_is_walked). The arguments are those the plugins read, found in their source,
each canned query's parameters and Datasette's own.

What a bad value gets, consistently: a bad id, date or name in the path is a 404 (there is
no such page); a bad cursor (?before=, ?after=) or filter (?kind=, ?type=) is ignored and the
page is the one without it (200, the first page); Datasette's own arguments that aren't what
Datasette reads are a 400 (tweet_site/hooks/bad_requests.py)."""

import asyncio
import re
import re._constants as sre
import re._parser as sre_parse
import sqlite3
import urllib.parse
from pathlib import Path

import pytest
from datasette.plugins import pm
from datasette.utils import derive_named_parameters, path_from_row_pks, tilde_encode

from tests.helpers.build import run_build
from tests.helpers.paths import FIXTURES, IDS, ROOT, SITE_SOURCES
from tests.helpers.site import make_datasette
from tweet_site.hooks.canned_queries import MOVED

# A malformed facet argument makes Datasette abandon the facet coroutines it had started
# (its own doing, with or without this project's plugins): the 400 is what is tested here.
pytestmark = pytest.mark.filterwarnings("ignore:coroutine .* was never awaited:RuntimeWarning")
PLUGINS = ROOT / "tweet_site" / "hooks"
OVER = 2**64
UNDER = -(2**63) - 1
CURSOR_AT = "2021-03-01T00:00:00+00:00"
FUZZ = [
    str(OVER),
    str(10**20),
    "-1",
    str(UNDER),
    "abc",
    "\x00",
    "1' or 1=1--",
    "%00",
    "9" * 5000,  # past the 4,300 digits int() reads
    "x" * 3000,
    "東京 🙂 \u202e",
    "",
    # Cursors shaped as the pages write them, with ids and counts out of range.
    f"{CURSOR_AT}~{OVER}",
    f"{CURSOR_AT}~{UNDER}",
    f"{OVER}~1",
    f"1~{10**20}",
]
# What Datasette's own arguments get in `make test` (a number too large, too small, not a
# number, a NUL, past int()'s digits); FUZZ with `make test-all`.
FEW = [str(OVER), str(UNDER), "abc", "\x00", "9" * 5000]
# Datasette 0.65's own query-string arguments (index, database, table, row and query pages).
DATASETTE_ARGS = [
    "_size",
    "_next",
    "_sort",
    "_sort_desc",
    "_search",
    "_searchmode",
    "_where",
    "_facet",
    "_facet_date",
    "_facet_array",
    "_facet_size",
    "_col",
    "_nocol",
    "_shape",
    "_json",
    "_labels",
    "_timelimit",
    "_ttl",
    "sql",
]
DATA_VIEWS = {"DatabaseView", "TableView", "RowView"}
# The pages that get Datasette's arguments in `make test` (every table, view, query and row
# with `make test-all`): the tweets table (facets, search box, cards) and a canned query.
REPRESENTATIVE = {"tweets", "search"}
# Any other argument: the reader pages copy every argument into their links (with_query).
UNKNOWN_ARG = "x"
RANGES = ["bytes=0-", "bytes=-0", "bytes=5-1", f"bytes={'9' * 5000}-", f"bytes=0-{OVER}"]
ALLOWED = {200, 206, 301, 302, 304, 400, 403, 404, 405, 416, 503}
# How plugins read a query-string argument: args.get("name"), args.getlist("name"),
# args["name"], "name" in request.args, pagination(request, cursor, "name").
ARG_READS = [
    re.compile(r"""args\.get(?:list)?\(\s*["']([^"']+)["']"""),
    re.compile(r"""args\[\s*["']([^"']+)["']\s*\]"""),
    re.compile(r"""["']([^"']+)["']\s+(?:not\s+)?in\s+(?:self\.)?(?:request\.)?args\b"""),
    re.compile(r"""pagination\([^)]*["']([a-z_]+)["']\s*\)"""),
]
HELPER_ARGS = {"before"}  # tweet_site/listing.py's pagination default


def args_read(path: Path) -> set:
    text = path.read_text()
    return {name for pattern in ARG_READS for name in pattern.findall(text)}


def plugin_file(view) -> str | None:
    """The tweet_site/hooks/*.py file a register_routes view is defined in (None for an installed
    plugin's)."""
    code = getattr(getattr(view, "__wrapped__", view), "__code__", None)
    if code and Path(code.co_filename).parent == PLUGINS:
        return Path(code.co_filename).name
    return None


class UnknownGroup(Exception):
    pass


def instances(pattern: str, samples, check=True) -> list:
    """[(path, {group: value})] for the route `pattern`: its literal parts, each optional
    part with and without, each named group replaced by samples(name, groups so far) (a
    list); only paths the pattern matches with those values, unless not `check`."""
    parsed = sre_parse.parse(pattern)
    names = {index: name for name, index in parsed.state.groupdict.items()}

    def expand(items, states):
        for op, av in items:
            if op is sre.LITERAL:
                states = [(path + chr(av), groups) for path, groups in states]
            elif op is sre.ANY:  # an unescaped dot (/favicon.ico)
                states = [(path + ".", groups) for path, groups in states]
            elif op is sre.AT:
                pass
            elif op is sre.SUBPATTERN and av[0] in names:
                name = names[av[0]]
                states = [
                    (path + value, {**groups, name: value})
                    for path, groups in states
                    for value in samples(name, groups)
                ]
            elif op is sre.SUBPATTERN:
                states = expand(av[3], states)
            elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT) and av[:2] == (0, 1):
                states = states + expand(av[2], states)
            elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT) and av[0] >= 1:
                for _ in range(av[0]):
                    states = expand(av[2], states)
            elif op is sre.BRANCH:
                states = [state for branch in av[1] for state in expand(branch, states)]
            else:
                raise UnknownGroup(f"{op} outside a named group")
        return states

    regex = re.compile(pattern)
    return [
        (path, groups)
        for path, groups in expand(parsed.data, [("", {})])
        if not check
        or (match := regex.match(path))
        and all(match[name] == value for name, value in groups.items())
    ]


class Site:
    """The routes of a Datasette serving the site fixture, with the paths that reach each
    and the arguments each reads."""

    def __init__(self, ds, tables, queries, rows):
        self.ds, self.queries, self.rows = ds, queries, rows
        self.routes = ds._routes()
        self.views = {
            regex: view for found in pm.hook.register_routes(datasette=ds) for regex, view in found
        }
        self.args = {path.name: args_read(path) for path in sorted(PLUGINS.glob("*.py"))}
        # (The lists' modules read their arguments for the pages that run them.)
        shared = [
            *(ROOT / "tweet_site").glob("*.py"),
            *(ROOT / "tweet_site" / "lists").glob("*.py"),
        ]
        helpers = set().union(*map(args_read, shared))
        self.helper_args = helpers | HELPER_ARGS
        routed = {plugin_file(view) for view in self.views.values()}
        # What plugin files without routes of their own read on Datasette's pages.
        self.hook_args = set().union(*(v for k, v in self.args.items() if k not in routed))
        self.values = {
            "format": ["", "json", "csv", "atom"],
            "database": ["archive"],
            "table": [*tables, *queries],
            "tweet_id": [str(IDS["photo"])],
            "id": [str(IDS["photo"])],
            "position": ["0"],
            "message_id": [str(IDS["photo"])],
            "list": ["followers", "mutuals", "blocks"],
            "year": ["2021"],
            "month": ["03"],
            "tag": ["sunset", urllib.parse.quote("東京")],
            "screen_name": ["site_owner"],
            "kind": ["avatar", "header"],
            "extension": ["jpg", "png"],
            "pk": [rows["users"]],
            "slug": ["activity"],
            "name": list(MOVED),
            "chart_slug": ["per-month"],
            "path": sorted(
                p.name for p in (ROOT / "tweet_site" / "static").iterdir() if p.is_file()
            )[:1],
            "rest": [""],
        }

    def samples(self, name, groups):
        if name == "pks":  # a row of each table that has one (views and queries have none)
            return [self.rows[groups["table"]]] if groups.get("table") in self.rows else []
        if name not in self.values:
            raise UnknownGroup(f"no sample values for the route group {name!r}")
        return self.values[name]

    def paths(self, route):
        return instances(route[0].pattern, self.samples)

    def reads(self, route, groups, everywhere) -> list:
        """[(argument, values)] one of a route's paths reads: on a plugin's page, what its
        file and the shared helpers read; on Datasette's data pages, a canned query's
        parameters and, on REPRESENTATIVE ones (all with `everywhere`), what the plugins'
        hooks read (the search box) and Datasette's own arguments."""
        view = self.views.get(route[0].pattern)
        few = FUZZ if everywhere else FEW
        if view is not None:
            file = plugin_file(view)
            names = sorted(self.args[file] | self.helper_args) if file else []
            return [(name, FUZZ) for name in names] + [(UNKNOWN_ARG, few)]
        if getattr(route[1], "view_class", type).__name__ not in DATA_VIEWS:
            return [(UNKNOWN_ARG, few)]
        table = groups.get("table")
        reads = [] if "pks" in groups else [(n, FUZZ) for n in self.queries.get(table, ())]
        if everywhere or table in REPRESENTATIVE and "pks" not in groups:
            reads += [(name, FUZZ) for name in sorted(self.hook_args)]
            reads += [(name, few) for name in [*DATASETTE_ARGS, UNKNOWN_ARG]]
        elif table is None:  # the database page: its SQL box
            reads += [(name, FUZZ) for name in sorted(self.hook_args)]
        return reads

    def requests(self, route, everywhere=False) -> list:
        """[(path, arguments, headers)] for a route: each of its paths; each group fuzzed in
        the first path that has it (wherever Datasette then sends that); each argument it
        reads fuzzed on its paths without a format (the formats are walked as paths)."""
        paths = self.paths(route)
        found = [(path, {}, {}) for path, _ in paths]
        for name in route[0].groupindex:
            base = next((groups for _, groups in paths if name in groups), None)
            for value in FUZZ if base is not None else []:
                fuzzed = {**base, name: urllib.parse.quote(value, safe="")}
                made = instances(
                    route[0].pattern,
                    lambda n, g, fuzzed=fuzzed: [fuzzed[n]] if n in fuzzed else [],
                    check=False,
                )
                found += [(path, {}, {}) for path, groups in made if groups == fuzzed]
        for path, groups in paths:
            if not groups.get("format") and not path.endswith(".json"):
                for name, values in self.reads(route, groups, everywhere):
                    found += [(path, {name: value}, {}) for value in values]
        if "tweet_id" in route[0].groupindex:  # the media route reads two headers too
            first = paths[0][0]
            for value in [v for v in FUZZ if v.isascii()] + RANGES:
                found += [(first, {}, {"range": value}), (first, {}, {"if-none-match": value})]
        return found


async def site_routes(ds) -> Site:
    # (As `datasette serve` does before serving: the requests below come several at once.)
    await ds.invoke_startup()
    db = ds.get_database("archive")
    tables = [*await db.table_names(), *await db.view_names()]
    queries = {}
    for name, query in (await ds.get_canned_queries("archive", None)).items():
        named = await derive_named_parameters(db, query["sql"])
        queries[name] = [p for p in named if not p.startswith("_")]
    rows = {}
    for table in await db.table_names():
        pks = await db.primary_keys(table)
        columns = ", ".join(f"[{pk}]" for pk in pks) or "rowid"
        found = (await db.execute(f"select {columns} from [{table}] limit 1")).rows
        if found:
            rows[table] = path_from_row_pks(found[0], pks, not pks)
    rows["tweets"] = str(IDS["photo"])
    owner = await db.execute("select id from users where is_owner = 1 order by id limit 1")
    rows["users"] = str(owner.single_value())
    return Site(ds, tables, queries, rows)


@pytest.fixture(scope="module")
def site(site_db, metadata):
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("TWEET_ARCHIVE_MEDIA_ROOT", raising=False)
        yield asyncio.run(site_routes(make_datasette(site_db, metadata)))


async def answers(ds, requests):
    """[(status, path, arguments, headers, start of the body)], a few requests at a time."""
    limit = asyncio.Semaphore(4)

    async def one(path, args, headers):
        async with limit:
            url = path + ("?" + urllib.parse.urlencode(args) if args else "")
            response = await ds.client.get(url, headers=headers)
            return response.status_code, path, args, headers, response.text[:200]

    return await asyncio.gather(*(one(*request) for request in requests))


def server_errors(site, requests):
    """Each answer that is not a sensible status, shortened for reading."""

    def short(value):
        return value if len(value) < 60 else f"{value[:40]}... ({len(value)} characters)"

    return [
        (status, short(path), {k: short(v) for k, v in args.items()}, headers, body)
        for status, path, args, headers, body in asyncio.run(answers(site.ds, requests))
        if status not in ALLOWED
    ]


def test_every_route_is_walked(site):
    unknown, unreached = [], []
    for route in site.routes:
        try:
            if not site.paths(route):
                unreached.append(route[0].pattern)
        except UnknownGroup as error:
            unknown.append(f"{route[0].pattern}: {error}")
    assert unknown == [], "give the group sample values in Site.values"
    assert unreached == []
    # The arguments found in the plugins' source include those the reader pages document.
    found = set().union(*site.args.values(), site.helper_args)
    documented = {"before", "after", "kind", "date", "type", "missing", "q", "sort"}
    assert documented | {"since", "until", "min_tweets", "_size", "_shape"} <= found


@pytest.mark.parametrize(
    "path,cursors",
    [
        ("/hashtag/sunset?before=", [f"{CURSOR_AT}~{OVER}", f"{CURSOR_AT}~{UNDER}"]),
        ("/quotes?before=", [f"{CURSOR_AT}~{OVER}"]),
        ("/threads?before=", [f"{CURSOR_AT}~{OVER}"]),
        ("/media?before=", [f"{CURSOR_AT}~{OVER}"]),
        ("/timeline/2021?after=", [f"{CURSOR_AT}~{OVER}", f"{CURSOR_AT}~{UNDER}"]),
        ("/timeline/2021/03?after=", [f"{CURSOR_AT}~{OVER}"]),
        ("/on-this-day?date=06-05&before=", [f"2022-06-05T23:00:00+00:00~{OVER}"]),
        ("/most-liked?before=", [f"1~{OVER}", f"{OVER}~1", f"1~{UNDER}"]),
        ("/archive/users/{owner}?before=", [f"{CURSOR_AT}~{OVER}", f"9999-12-31T00:00:00~{OVER}"]),
    ],
)
def test_a_cursor_out_of_range_is_the_first_page(site, path, cursors):
    """A cursor whose id (or count) is past SQLite's 64 bits is no cursor: the page is its
    first, as for any other cursor no page made."""
    path = path.format(owner=site.rows["users"])

    async def pages():
        first = await site.ds.client.get(path)
        return first, [
            await site.ds.client.get(path + urllib.parse.quote(c, safe="")) for c in cursors
        ]

    first, others = asyncio.run(pages())
    shown = re.findall(r'data-tweet-id="([0-9]+)"|/archive/tweets/([0-9]+)', first.text)
    assert first.status_code == 200 and shown
    for other in others:
        assert other.status_code == 200
        assert re.findall(r'data-tweet-id="([0-9]+)"|/archive/tweets/([0-9]+)', other.text) == shown


@pytest.mark.slow
def test_paths_and_their_groups(site):
    requests = [r for route in site.routes for r in site.requests(route) if not r[1]]
    assert server_errors(site, requests) == []


@pytest.mark.slow
def test_arguments(site):
    requests = [r for route in site.routes for r in site.requests(route) if r[1]]
    assert server_errors(site, requests) == []


@pytest.mark.exhaustive
def test_every_argument_on_every_table_and_query(site):
    requests = [r for route in site.routes for r in site.requests(route, True) if r[1]]
    assert server_errors(site, requests) == []


@pytest.fixture(scope="module")
def private_site(tmp_path_factory, metadata):
    """The site fixture's tweets and the invented export's DMs and accounts in one private
    build: its own pages (messages, a chat, its media, DM search, people, lists, likes) are
    walked with real ids, the others as on the public site."""
    db_path = tmp_path_factory.mktemp("private_fuzz") / "archive.db"
    result = run_build(db_path, *SITE_SOURCES, FIXTURES / "private", args=["--private"])
    assert result.exit_code == 0, result.output
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("TWEET_ARCHIVE_MEDIA_ROOT", raising=False)
        site = asyncio.run(site_routes(make_datasette(db_path, metadata)))
        db = sqlite3.connect(db_path)
        conversations = [row[0] for row in db.execute("select id from dm_conversations")]
        with_media = db.execute(
            "select id from dm_messages where media like '%path%' order by id limit 1"
        ).fetchone()
        db.close()
        site.values["id"] = [tilde_encode(c) for c in conversations]
        site.values["message_id"] = [str(with_media[0])]
        yield site


def private_routes(site):
    return [
        route
        for route in site.routes
        if getattr(site.views.get(route[0].pattern), "__module__", "").startswith(
            "tweet_site.hooks.private_"
        )
    ]


@pytest.mark.slow
def test_the_private_pages_paths_and_arguments(private_site):
    routes = private_routes(private_site)
    assert len(routes) >= 7  # messages, a chat, its media, search, people, lists, likes
    requests = [r for route in routes for r in private_site.requests(route)]
    found = asyncio.run(answers(private_site.ds, requests))
    assert [a for a in found if a[0] not in ALLOWED] == []
    # (Real ids reach real pages: the walk is not 404s all the way.)
    assert sum(a[0] == 200 for a in found) > len(routes)
