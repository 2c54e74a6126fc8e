"""What a static site folder weighs, and which free static hosts take it.

`measure` walks the folder once; `host_fit` holds the result against each host's documented
limits; `report_lines` says both in a few lines for `publish --target static` to print.
The limits and where each is documented are in docs/publishing.md#size-limits-of-static-hosts.
"""

import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

MiB = 1024 * 1024
DOCS = "docs/publishing.md#size-limits-of-static-hosts"

# GitHub Pages (docs.github.com, "GitHub Pages limits"): "Published GitHub Pages sites may be
# no larger than 1 GB" (read as 10^9 bytes, the smaller reading). A file goes up by git push
# (a gh-pages branch) or in the Pages artifact; GitHub refuses a pushed file over 100 MiB and
# warns over 50 MiB ("About large files on GitHub").
GITHUB_SITE_BYTES = 1_000_000_000
GITHUB_FILE_BYTES = 100 * MiB
GITHUB_WARN_FILE_BYTES = 50 * MiB
# Cloudflare Pages (developers.cloudflare.com/pages/platform/limits/): 20,000 files a site on
# the Free plan (100,000 on paid plans since January 2026), 25 MiB a file.
CLOUDFLARE_FREE_FILES = 20_000
CLOUDFLARE_FILE_BYTES = 25 * MiB
# Netlify (docs.netlify.com/site-deploys/overview/, "Files per directory limit"): no limit on
# the files of a deploy, but a deploy fails when one folder holds more than 54,000 files. The
# page doesn't say whether subfolders count: a folder with more files and folders than that
# (archive/tweets/<id>/ of a large archive) is reported as a risk, not a failure. Netlify
# documents no size limit a file; its troubleshooting tips (docs.netlify.com/configure-builds/
# troubleshooting-tips/#large-files-or-sites) say files over 10 MB may fail to upload.
NETLIFY_FOLDER_FILES = 54_000
NETLIFY_WARN_FILE_BYTES = 10_000_000
# The smallest per-file threshold above: the files over it are all listed in FolderSize.
BIG_FILE_BYTES = min(GITHUB_WARN_FILE_BYTES, CLOUDFLARE_FILE_BYTES, NETLIFY_WARN_FILE_BYTES)


@dataclass(frozen=True)
class FolderSize:
    folder: str
    files: int
    bytes: int
    largest_file: str | None = None  # its path in the folder, with /
    largest_bytes: int = 0
    # Files under each top-level folder (all depths); "" is the files at the top.
    top_level: dict[str, int] = field(default_factory=dict)
    # The folder holding the most files directly, and the one holding the most entries
    # (files and folders): (its path in the folder, "" for the top; the count).
    most_files: tuple[str, int] = ("", 0)
    most_entries: tuple[str, int] = ("", 0)
    # Every file over BIG_FILE_BYTES, largest first: (path, bytes).
    big_files: tuple[tuple[str, int], ...] = ()


@dataclass(frozen=True)
class HostFit:
    host: str
    limits: str
    problems: tuple[str, ...] = ()  # each a reason the folder can't be deployed there
    warnings: tuple[str, ...] = ()  # what may still go wrong

    @property
    def fits(self) -> bool:
        return not self.problems


def measure(folder) -> FolderSize:
    """Walk `folder` once (symlinks to folders are not followed; hidden files count)."""
    root = Path(folder)
    files = total = 0
    largest = (None, 0)
    top_level = Counter()
    most_files = most_entries = ("", 0)
    big = []
    pending = [""]
    while pending:
        rel = pending.pop()
        in_folder = entries = 0
        with os.scandir(root / rel) as scan:
            for entry in scan:
                entries += 1
                path = f"{rel}/{entry.name}" if rel else entry.name
                if entry.is_dir(follow_symlinks=False):
                    pending.append(path)
                    continue
                if not entry.is_file():
                    continue
                size = entry.stat().st_size
                files += 1
                in_folder += 1
                total += size
                top_level[path.split("/", 1)[0] if "/" in path else ""] += 1
                if largest[0] is None or _more((path, size), largest):
                    largest = (path, size)
                if size > BIG_FILE_BYTES:
                    big.append((path, size))
        if _more((rel, in_folder), most_files):
            most_files = (rel, in_folder)
        if _more((rel, entries), most_entries):
            most_entries = (rel, entries)
    return FolderSize(
        folder=str(folder),
        files=files,
        bytes=total,
        largest_file=largest[0],
        largest_bytes=largest[1],
        top_level=dict(sorted(top_level.items(), key=lambda item: (-item[1], item[0]))),
        most_files=most_files,
        most_entries=most_entries,
        big_files=tuple(sorted(big, key=lambda item: (-item[1], item[0]))),
    )


def _more(item, best) -> bool:
    # The larger count wins; between equals, the path first in order, so the walk's order
    # never changes the answer.
    return item[1] > best[1] or (item[1] == best[1] and item[0] < best[0])


def host_fit(size: FolderSize) -> list[HostFit]:
    """The folder against GitHub Pages, Cloudflare Pages (free) and Netlify, in that order."""
    return [_github(size), _cloudflare(size), _netlify(size)]


def _over(size: FolderSize, limit: int) -> list[tuple[str, int]]:
    over = [item for item in size.big_files if item[1] > limit]
    if not over and size.largest_file is not None and size.largest_bytes > limit:
        over = [(size.largest_file, size.largest_bytes)]
    return over


def _files_over(size: FolderSize, limit: int, unit: str) -> str | None:
    over = _over(size, limit)
    if not over:
        return None
    path, n = over[0]
    more = _more_over(over)
    return f"{path} is {human_bytes(n)}{more}, the limit is {unit} a file"


def _github(size):
    problems, warnings = [], []
    if size.bytes > GITHUB_SITE_BYTES:
        problems.append(f"{human_bytes(size.bytes)} in all, the limit is 1 GB a site")
    if too_big := _files_over(size, GITHUB_FILE_BYTES, "100 MiB"):
        problems.append(too_big)
    elif over := _over(size, GITHUB_WARN_FILE_BYTES):
        path, n = over[0]
        warnings.append(f"{path} is {human_bytes(n)}: git push warns over 50 MiB")
    return HostFit("GitHub Pages", "1 GB a site, 100 MiB a file", tuple(problems), tuple(warnings))


def _cloudflare(size):
    problems = []
    if size.files > CLOUDFLARE_FREE_FILES:
        problems.append(f"{size.files:,} files, the limit is {CLOUDFLARE_FREE_FILES:,}")
    if too_big := _files_over(size, CLOUDFLARE_FILE_BYTES, "25 MiB"):
        problems.append(too_big)
    return HostFit("Cloudflare Pages (free)", "20,000 files, 25 MiB a file", tuple(problems))


def _netlify(size):
    problems, warnings = [], []
    folder, count = size.most_files
    if count > NETLIFY_FOLDER_FILES:
        problems.append(
            f"{_name(folder)} holds {count:,} files, the limit is {NETLIFY_FOLDER_FILES:,} a folder"
        )
    else:
        folder, count = size.most_entries
        if count > NETLIFY_FOLDER_FILES:
            warnings.append(
                f"{_name(folder)} holds {count:,} files and folders; Netlify takes "
                f"{NETLIFY_FOLDER_FILES:,} files a folder (whether folders count is not documented)"
            )
    if over := _over(size, NETLIFY_WARN_FILE_BYTES):
        path, n = over[0]
        more = _more_over(over)
        warnings.append(f"{path} is {human_bytes(n)}{more}: files over 10 MB may fail to upload")
    return HostFit(
        "Netlify", "54,000 files a folder, any number in all", tuple(problems), tuple(warnings)
    )


def _more_over(over: list) -> str:
    n = len(over) - 1
    return f" (and {n:,} more file{'s' if n > 1 else ''} over it)" if n else ""


def _name(folder: str) -> str:
    return f"{folder}/" if folder else "the top folder"


def report_lines(size: FolderSize, fits: list[HostFit]) -> list[str]:
    """`Wrote 12,345 files, 234.5 MB to build/static`, where the files are, then a line a host."""
    lines = [f"Wrote {size.files:,} files, {human_bytes(size.bytes)} to {size.folder}"]
    if size.top_level:
        shown = list(size.top_level.items())[:5]
        parts = [f"{name + '/' if name else 'top level'} {count:,}" for name, count in shown]
        rest = len(size.top_level) - len(shown)
        if rest:
            parts.append(f"{rest} more")
        lines.append("  files: " + " · ".join(parts))
    if size.largest_file is not None:
        lines.append(f"  largest: {size.largest_file}, {human_bytes(size.largest_bytes)}")
    for fit in fits:
        if fit.fits:
            line = f"{fit.host}: fits ({fit.limits})"
            if fit.warnings:
                line += "; but " + "; ".join(fit.warnings)
        else:
            line = f"{fit.host}: does not fit: " + "; ".join(fit.problems) + f" — see {DOCS}"
        lines.append(line)
    return lines


def human_bytes(n: int) -> str:
    """12_345_678 -> '12.3 MB' (decimal units, as hosts and file managers mostly show them)."""
    if n < 1000:
        return f"{n} bytes" if n != 1 else "1 byte"
    for unit in ("kB", "MB", "GB", "TB"):
        n /= 1000
        if n < 999.95 or unit == "TB":
            return f"{n:,.1f} {unit}"
    raise AssertionError("unreachable")
