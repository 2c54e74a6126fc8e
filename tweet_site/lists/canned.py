"""The canned queries the site gives the archive's database (hooks/canned_queries.py), in
the order the database page lists them: what explorers need that no reader page gives, and
the Atom feeds. metadata.yml may add others, or change one of these by its name."""

from tweet_site.lists import explore, feeds, search

CANNED = {
    "search": search.SEARCH,
    "search_feed": search.SEARCH_FEED,
    "latest": feeds.LATEST,
    "conversation": explore.CONVERSATION,
    "with_user": explore.WITH_USER,
    "geotagged": explore.GEOTAGGED,
    "top_mentions": explore.TOP_MENTIONS,
    "top_hashtags": explore.TOP_HASHTAGS,
    "top_domains": explore.TOP_DOMAINS,
}


def canned_queries() -> dict:
    """A copy each time (of the dicts: their values are never changed): Datasette writes
    into the dicts it is given."""
    return {name: dict(query) for name, query in CANNED.items()}
