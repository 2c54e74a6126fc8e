"""Helpers the site's plugin files share.

Datasette's --plugins-dir executes each plugins/*.py file on its own, outside any package, so
a helper two hooks need can't live in one of them. It lives here instead, in a package beside
them that every deployment copies with the plugins folder (the local site, the deployable
folder and every `datasette publish` target copy plugins/ whole), and each plugin file puts
its own folder on sys.path first (see `sys.path` at the top of each)."""
