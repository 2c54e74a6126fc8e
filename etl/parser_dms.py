"""twitter-archive-parser's DM Markdown, for a private build only (`--private`)."""

from __future__ import annotations

from .readers.markdown import is_dm_file
from .sources import Tree


def dm_files(tree: Tree) -> list[str]:
    """The parser's DM Markdown files of a tree, by name."""
    return sorted(p for p in tree.files() if p.endswith(".md") and is_dm_file(p))
