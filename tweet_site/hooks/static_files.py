"""The reader's CSS and scripts at /static/, served from the package's own static/ folder.

Datasette also serves a registered package's static/ at /-/static-plugins/tweet_site/, but
robots.txt keeps crawlers out of /-/, and a search engine should see the pages styled. The
address is the same whether the package is installed editable or from a wheel."""

from importlib.resources import files

from datasette import hookimpl
from datasette.utils.asgi import asgi_static

STATIC = files("tweet_site") / "static"


@hookimpl
def register_routes():
    return [(r"^/static/(?P<path>.*)$", asgi_static(STATIC))]
