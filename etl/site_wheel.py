"""The site as a wheel of its own, for the places that install the site instead of running
this checkout: the deployable folder (`--target dir`) and the cloud images.

It holds the tweet_site package alone (its modules, templates and static files, as
pyproject.toml's package data lists them), declares the site's pinned requirements
(site.SITE_REQUIREMENTS) and the same `datasette` entry point as pyproject.toml. It is made
with the standard library, offline, and byte for byte the same from the same files.
"""

from __future__ import annotations

import base64
import hashlib
import tomllib
import zipfile
from pathlib import Path

from .site import PROJECT, SITE_REQUIREMENTS

NAME = "tweets-etl-site"
PACKAGE = "tweet_site"
# Zip's earliest date: the same bytes whenever the wheel is made.
DATE = (1980, 1, 1, 0, 0, 0)


def package_files(root: Path = PROJECT) -> list[tuple[str, Path]]:
    """(name in the wheel, file) for the package's modules and its package data."""
    pyproject = tomllib.loads((root / "pyproject.toml").read_text())
    patterns = ["**/*.py", *pyproject["tool"]["setuptools"]["package-data"][PACKAGE]]
    package = root / PACKAGE
    found = {
        path
        for pattern in patterns
        for path in package.glob(pattern)
        if path.is_file() and "__pycache__" not in path.parts
    }
    return sorted((path.relative_to(root).as_posix(), path) for path in found)


def metadata_files(root: Path = PROJECT) -> tuple[str, list[tuple[str, bytes]]]:
    project = tomllib.loads((root / "pyproject.toml").read_text())["project"]
    version = project["version"]
    dist_info = f"{NAME.replace('-', '_')}-{version}.dist-info"
    metadata = [
        "Metadata-Version: 2.1",
        f"Name: {NAME}",
        f"Version: {version}",
        "Summary: The reader site of tweets-etl, as a Datasette plugin",
        f"Requires-Python: {project['requires-python']}",
        *(f"Requires-Dist: {requirement}" for requirement in SITE_REQUIREMENTS),
    ]
    wheel = ["Wheel-Version: 1.0", "Generator: tweets-etl", "Root-Is-Purelib: true"]
    wheel.append("Tag: py3-none-any")
    entry_points = ["[datasette]"] + [
        f"{name} = {target}" for name, target in project["entry-points"]["datasette"].items()
    ]
    files = [
        ("METADATA", metadata),
        ("WHEEL", wheel),
        ("entry_points.txt", entry_points),
        ("top_level.txt", [PACKAGE]),
    ]
    return version, [
        (f"{dist_info}/{name}", ("\n".join(lines) + "\n").encode()) for name, lines in files
    ]


def record_line(name: str, data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{name},sha256={digest},{len(data)}"


def build_wheel(out: Path, root: Path = PROJECT) -> Path:
    """Write the site's wheel into the folder `out`; returns its path."""
    version, dist_files = metadata_files(root)
    entries = [(name, path.read_bytes()) for name, path in package_files(root)] + dist_files
    record_name = f"{dist_files[0][0].split('/')[0]}/RECORD"
    record = [record_line(name, data) for name, data in entries] + [f"{record_name},,"]
    entries.append((record_name, ("\n".join(record) + "\n").encode()))
    out.mkdir(parents=True, exist_ok=True)
    wheel = out / f"{NAME.replace('-', '_')}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        for name, data in entries:
            info = zipfile.ZipInfo(name, DATE)
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    return wheel
