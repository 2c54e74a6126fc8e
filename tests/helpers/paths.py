"""Where the tests' inputs are: the project, the fixture archives, the real archives."""

import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"
MARKDOWN = FIXTURES / "markdown"
SHARED_ARCHIVES = ROOT.parent / "shared" / "archives"

# The search fixtures, with an official export whose one edited tweet ("VACUUM INTO") has
# two versions.
SEARCH_SOURCES = [FIXTURES / "search" / "markdown", FIXTURES / "official" / "modern"]

# The hostile site fixture the site tests share.
SITE = FIXTURES / "site"
SITE_SOURCES = [SITE / "markdown", SITE / "later", SITE / "official"]
# Tweet ids of the fixture, by a short name (written by the script that made the fixture).
IDS = json.loads((SITE / "ids.json").read_text())
