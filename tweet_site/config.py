"""The site's plugin configuration (`plugins: tweet-archive:` in metadata.yml)."""

import weakref

from datasette import NotFound

PLUGIN = "tweet-archive"
DEFAULT_DATABASE = "archive"
# datasette-cluster-map's tiles unless metadata.yml's `datasette-cluster-map: tile_layer`
# names others: the cluster map, the tweet page's map and the page policy all use them.
DEFAULT_TILES = "https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png"
DEFAULT_TILE_ATTRIBUTION = (
    '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a>'
)

_databases = weakref.WeakKeyDictionary()


def config(datasette) -> dict:
    return datasette.plugin_config(PLUGIN) or {}


def archive_database(datasette) -> str:
    """The name of the database the site's pages are about. render_cell asks for every cell,
    so it is looked up once per Datasette instance."""
    if datasette not in _databases:
        _databases[datasette] = config(datasette).get("database", DEFAULT_DATABASE)
    return _databases[datasette]


def archive_db(datasette):
    """The archive's Database, or None when the site serves no such database."""
    return datasette.databases.get(archive_database(datasette))


def archive_or_404(datasette):
    """The archive's Database, for a page that has nothing to show without it."""
    db = archive_db(datasette)
    if db is None:
        raise NotFound("This site has no tweet archive")
    return db


def static_site(datasette) -> dict | None:
    """Set (`plugins: tweet-archive: static:`) only while `publish --target static` renders
    the site into files: pages then offer what a static host can serve (the Pagefind search,
    the database download, Datasette Lite) instead of what needs this server. Its keys:
    `db_file` (the published database's name in the folder), `db_bytes` (its size) and
    `site_url` (the address the folder will be served at, or None)."""
    return config(datasette).get("static")
