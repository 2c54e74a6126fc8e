"""`static_site` for every template: what `publish --target static` is rendering, or None
when a server serves the pages (tweet_site/config.py: static_site)."""

from datasette import hookimpl

from tweet_site.config import static_site


@hookimpl
def extra_template_vars(datasette):
    static = static_site(datasette)
    if static is None:
        return {"static_site": None}
    # Datasette's footer says how long the page's queries took: not so for a file.
    return {"static_site": static, "query_ms": None}
