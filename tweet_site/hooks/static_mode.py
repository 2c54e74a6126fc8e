"""`static_site` for every template: what `publish --target static` is rendering, or None
when a server serves the pages (tweet_site/config.py: static_site)."""

from datasette import hookimpl

from tweet_site.config import static_site
from tweet_site.hooks.security_headers import page_policy

# A policy in a <meta> element can't say who may frame the page (browsers ignore it there
# and complain); Pagefind's search compiles WebAssembly.
NOT_IN_META = "frame-ancestors"
WASM = "'wasm-unsafe-eval'"


def meta_policy(datasette, path: str) -> str:
    """The page's Content-Security-Policy as a static copy carries it: static hosts send no
    such header, so the page states the server's policy itself."""
    directives = []
    for directive in page_policy(datasette, path).split("; "):
        if directive.startswith(NOT_IN_META):
            continue
        if directive.startswith("script-src"):
            directive += " " + WASM
        directives.append(directive)
    return "; ".join(directives)


@hookimpl
def extra_template_vars(datasette, request):
    static = static_site(datasette)
    if static is None:
        return {"static_site": None}
    return {
        "static_site": static,
        "static_policy": meta_policy(datasette, request.path if request else "/"),
        # Datasette's footer says how long the page's queries took: not so for a file.
        "query_ms": None,
    }
