"""The site's plugin files share their helpers (plugins/archive_site/) instead of copying them."""

import re

from .conftest import ROOT

PLUGINS = ROOT / "plugins"


def plugin_files():
    return sorted(PLUGINS.glob("*.py")) + sorted((PLUGINS / "archive_site").glob("*.py"))


def test_the_plugin_configuration_is_read_in_one_place():
    readers = [
        p.relative_to(PLUGINS).as_posix()
        for p in plugin_files()
        if '"tweet-archive"' in p.read_text()
    ]
    assert readers == ["archive_site/config.py"]


def test_invisible_and_direction_characters_are_defined_once():
    defined = {
        p.relative_to(PLUGINS).as_posix()
        for p in plugin_files()
        if re.search(
            r"^(INVISIBLE|BIDI_CONTROLS|DIRECTION_MARKS|HIGHLIGHT_START\b.*)\s*=",
            p.read_text(),
            re.M,
        )
    }
    assert defined == {"archive_site/chars.py"}


def test_plugin_files_import_nothing_from_the_etl():
    assert [
        p.name for p in plugin_files() if re.search(r"^\s*(from|import) etl\b", p.read_text(), re.M)
    ] == []
