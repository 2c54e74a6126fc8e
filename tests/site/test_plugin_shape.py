"""The site is one installable package, tweet_site: one entry point registers its hook
modules; its files import the standard library, what the site installs and tweet_site itself,
one way (absolute imports); no file of the project edits sys.path; a helper two files need
is defined once."""

import ast
import re
import subprocess
import sys
from importlib import metadata

from datasette.plugins import pm

from etl.site import SITE_REQUIREMENTS
from tests.helpers.paths import ROOT
from tweet_site import plugin

PACKAGE = ROOT / "tweet_site"
NAME = re.compile(r"[A-Za-z0-9._-]+")


def package_files():
    return sorted(PACKAGE.rglob("*.py"))


def imports(path):
    """The modules a file imports: dotted names, with a leading dot for relative imports."""
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            yield "." * node.level + (node.module or "")


def installed_with_the_site() -> set[str]:
    """Top-level modules of SITE_REQUIREMENTS and of everything they require."""
    wanted, seen = [NAME.match(r)[0] for r in SITE_REQUIREMENTS], set()
    while wanted:
        name = wanted.pop().lower().replace("_", "-")
        if name in seen:
            continue
        try:
            requirements = metadata.requires(name) or []
        except metadata.PackageNotFoundError:  # for another Python (a marker says which)
            continue
        seen.add(name)
        wanted += [NAME.match(r)[0] for r in requirements if "extra ==" not in r]
    return {
        module
        for module, distributions in metadata.packages_distributions().items()
        if any(d.lower().replace("_", "-") in seen for d in distributions)
    }


def test_the_site_imports_only_what_it_installs_and_itself():
    allowed = set(sys.stdlib_module_names) | installed_with_the_site() | {"tweet_site"}
    found = {
        (path.relative_to(ROOT).as_posix(), module)
        for path in package_files()
        for module in imports(path)
        if module.startswith(".") or module.split(".")[0] not in allowed
    }
    assert found == set()


def test_the_build_imports_the_core_without_the_site():
    """tweet_site/__init__.py imports nothing: the ETL reads core.py without Datasette."""
    code = "import sys, etl.cli; print(sorted(m for m in sys.modules if 'datasette' in m))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert (result.returncode, result.stdout, result.stderr) == (0, "[]\n", "")


def test_no_file_edits_sys_path():
    edits = re.compile(r"\bsys\.path\s*(?:\.(?:insert|append|extend)\b|\[|\+?=)")
    found = [
        f"{path.relative_to(ROOT)}:{number}"
        for folder in ("etl", "tweet_site", "tests", "bench")
        for path in sorted((ROOT / folder).rglob("*.py"))
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if edits.search(line)
    ]
    assert found == []


def test_one_entry_point_registers_every_hook_module_once():
    ours = [
        (entry.name, entry.value)
        for entry in metadata.entry_points(group="datasette")
        if entry.value.split(".")[0] == "tweet_site"
    ]
    assert ours == [("tweet_site", "tweet_site.plugin")]
    hooks = sorted(p.stem for p in (PACKAGE / "hooks").glob("*.py") if p.stem != "__init__")
    assert sorted(plugin.HOOK_MODULES) == hooks
    registered = sorted(module.__name__ for module in pm.get_plugins())
    assert {f"tweet_site.hooks.{name}" for name in hooks} | {"tweet_site"} <= set(registered)
    plugin.register()  # again, as a second import of the entry point would
    assert sorted(module.__name__ for module in pm.get_plugins()) == registered


def test_the_plugin_configuration_is_read_in_one_place():
    readers = [
        p.relative_to(PACKAGE).as_posix()
        for p in package_files()
        if '"tweet-archive"' in p.read_text()
    ]
    assert readers == ["config.py"]


def test_invisible_and_direction_characters_are_defined_once():
    defined = {
        p.relative_to(PACKAGE).as_posix()
        for p in package_files()
        if re.search(
            r"^(INVISIBLE|BIDI_CONTROLS|DIRECTION_MARKS|HIGHLIGHT_START\b.*)\s*=",
            p.read_text(),
            re.M,
        )
    }
    assert defined == {"chars.py"}
