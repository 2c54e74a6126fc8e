import os
import sys

from datasette import Response, __version__, hookimpl
from datasette.views.index import IndexView

# The helpers plugin files share sit beside them, in archive_site/ (see its __init__.py).
if (_folder := os.path.dirname(os.path.abspath(__file__))) not in sys.path:
    sys.path.insert(0, _folder)
from archive_site.config import archive_database


async def home(datasette, request):
    # Datasette's own index view inspects every table of every database first (70 queries
    # for this site, each queued behind the other requests' SQL: 8 s under load) for a page
    # whose content the archive's index.html replaces; the archive's page needs none of it.
    database = archive_database(datasette)
    db = datasette.databases.get(database)
    if db is None or not await db.table_exists("archive_totals"):
        return await IndexView.as_view(datasette)(request, None)
    await datasette.ensure_permissions(request.actor, ["view-instance"])
    context = {
        "databases": [],
        "metadata": datasette.metadata(),
        "datasette_version": __version__,
        "private": False,
        "select_templates": ["*index.html"],
    }
    html = await datasette.render_template(
        ["index.html"], context, request=request, view_name="index"
    )
    return Response.html(html)


@hookimpl
def register_routes():
    # (An empty "format", as Datasette's index view expects when it is handed the request.)
    return [(r"^/(?P<format>)$", home)]
