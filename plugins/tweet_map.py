import json
import os
import sys

from datasette import hookimpl

# The helpers plugin files share sit beside them, in archive_site/ (see its __init__.py).
if (_folder := os.path.dirname(os.path.abspath(__file__))) not in sys.path:
    sys.path.insert(0, _folder)
from archive_site.config import archive_database

try:
    from datasette_cluster_map import extra_body_script as cluster_map_script
except ImportError:  # the site still works without the map
    cluster_map_script = None

# Table JSON has no `popup` column: give each marker the tweet's text and a link to its page,
# as the `geotagged` query does in SQL. id_str, because JavaScript numbers round tweet ids.
POPUP_SHIM = """
(function () {
  const tablePath = %s;
  const rowPath = %s;
  const realFetch = window.fetch.bind(window);
  window.fetch = async function (resource, init) {
    const response = await realFetch(resource, init);
    const url = new URL(String(resource), location.href);
    if (url.pathname !== tablePath || url.searchParams.get("_shape") !== "objects") {
      return response;
    }
    const data = await response.json();
    (data.rows || []).forEach((row) => {
      const author = row.user_id && row.user_id.label ? "@" + row.user_id.label + " · " : "";
      row.popup = {
        title: author + String(row.created_at || "").slice(0, 10),
        description: String(row.text || ""),
        link: rowPath + encodeURIComponent(String(row.id_str || row.id)),
      };
    });
    return new Response(JSON.stringify(data), {
      status: response.status,
      headers: {"content-type": "application/json"},
    });
  };
})();
"""


def is_located_tweets_page(database, table, view_name, request, datasette):
    archive = archive_database(datasette)
    if cluster_map_script is None or request is None:
        return False
    if (view_name, database, table) != ("table", archive, "tweets"):
        return False
    return any(key.split("__")[0] in ("latitude", "longitude") for key in request.args)


@hookimpl
def extra_js_urls(database, table, view_name, request, datasette):
    if not is_located_tweets_page(database, table, view_name, request, datasette):
        return []
    url = datasette.urls.static_plugins("datasette-cluster-map", "datasette-cluster-map.js")
    return [{"url": url, "module": True}]


@hookimpl
def extra_body_script(database, table, view_name, request, datasette):
    if not is_located_tweets_page(database, table, view_name, request, datasette):
        return None
    config = cluster_map_script(
        database=database,
        table=None,
        columns=["latitude", "longitude"],
        view_name="table",
        datasette=datasette,
    )
    table_path = datasette.urls.table(database, "tweets") + ".json"
    row_path = datasette.urls.table(database, "tweets") + "/"
    return config + POPUP_SHIM % (json.dumps(table_path), json.dumps(row_path))
