"""`static_site` for every template: what `publish --target static` is rendering, or None
when a server serves the pages (tweet_site/config.py: static_site)."""

from datasette import hookimpl

from tweet_site.config import static_site


@hookimpl
def extra_template_vars(datasette):
    return {"static_site": static_site(datasette)}
