"""Which files of an archive hold private data (DMs), so that a normal build never opens
them and a private build knows where to look: a fact about archives, not about one reader."""

import posixpath
import re

# twitter-archive-parser's DM Markdown: DMs.md (2022-11-19..22, every conversation in one
# file), DMs-Archive-<name>.md and DMs-Group-Archive-<name>.md at the archive's root (to
# 2022-11-27), parser-output/DMs/DMs-<name>[-partNNN].md and DMs-Group/DMs-Group-<name>
# [-partNNN].md after.
DM_FILE_NAME = re.compile(r"^DMs(?:\.md|-.+\.md)$")


def is_dm_file(path: str) -> bool:
    return bool(DM_FILE_NAME.match(posixpath.basename(path))) or "DMs" in path.split("/")
