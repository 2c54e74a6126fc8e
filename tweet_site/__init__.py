"""The reader site: one Datasette plugin package.

`plugin.py` is the entry point Datasette loads (pyproject.toml's
`[project.entry-points.datasette]`); it registers the hook modules in `hooks/`, one concern
per file. The modules beside this one are what the hooks share; `core.py` is what the ETL
shares with the site. `templates/` and `static/` are package data. This file imports
nothing, so the ETL can import `tweet_site.core` without loading Datasette.
"""
