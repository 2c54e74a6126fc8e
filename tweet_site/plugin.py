"""The site's one Datasette entry point (pyproject.toml: `[project.entry-points.datasette]`).

Datasette registers this module when it starts; importing it registers the hook modules, as
Datasette registers its own default plugins, and the package itself: Datasette 0.65 serves the
`templates/` and `static/` folders found beside a registered package, so the reader's
templates and files come with the installed package (editable or from a wheel) and no
--template-dir or --static is needed.
"""

import importlib

from datasette.plugins import pm

import tweet_site

# pluggy calls a hook's implementations last registered first: for asgi_wrapper the first
# module here wraps outermost, for handle_exception the last one's answer is used. This is
# the order the site was tested in when --plugins-dir loaded these files (static_files,
# added since, adds one route no other matches). Other plugins are registered before or
# after these as their distributions happen to be listed: a hook that must come before
# theirs says so (tryfirst).
HOOK_MODULES = (
    "site_metadata",
    "reader_timeline",
    "feed_text",
    "home_page",
    "bad_requests",
    "search_box",
    "media_files",
    "render_tweets",
    "user_page",
    "facets",
    "reader_search",
    "reader_on_this_day",
    "search_gate",
    "stop_on_disconnect",
    "hide_paths",
    "reader_media",
    "reader_pages",
    "reader_conversation",
    "datasette_pages",
    "search_sql",
    "tweet_map",
    "security_headers",
    "tweet_page",
    "reader_stats",
    "query_limits",
    "server_limits",
    "static_files",
    "canned_queries",
    "static_mode",
    "owner_profile",
    "private_banner",
    "private_search",
    "private_people",
    "private_messages",
)


def register() -> None:
    """Register each hook module once, whoever imports this module first."""
    for name in HOOK_MODULES:
        module = importlib.import_module(f"tweet_site.hooks.{name}")
        if not pm.is_registered(module):
            pm.register(module, module.__name__)
    if not pm.is_registered(tweet_site):
        # Under a name of its own: "tweet_site" is the entry point's (this module).
        pm.register(tweet_site, "tweet_site.package")


register()
