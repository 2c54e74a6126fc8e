"""etl/static_budget.py: what a static folder weighs and which hosts take it. Real folders for
measure (big files are sparse, so they cost no disk); FolderSize values made by hand for the
sizes nobody wants to write (104,000 files, 1.2 GB)."""

import pytest

from etl.static_budget import (
    DOCS,
    FolderSize,
    HostFit,
    host_fit,
    human_bytes,
    measure,
    report_lines,
)
from tests.helpers.paths import ROOT

MiB = 1024 * 1024


def write(path, size):
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as f:
        f.truncate(size)


def test_measure_counts_files_bytes_and_where_they_are(tmp_path):
    site = tmp_path / "static"
    write(site / "index.html", 1_000)
    write(site / "404.html", 500)
    write(site / ".nojekyll", 0)
    write(site / "archive.db", 30 * MiB)
    for i in range(3):
        write(site / "archive" / "tweets" / str(i) / "index.html", 200)
    write(site / "media" / "a.jpg", 12_000_000)
    write(site / "media" / "b.mp4", 60 * MiB)
    write(site / "media" / "c.png", 10)
    (site / "empty").mkdir()

    size = measure(site)

    assert size == FolderSize(
        folder=str(site),
        files=10,
        bytes=1_000 + 500 + 30 * MiB + 3 * 200 + 12_000_000 + 60 * MiB + 10,
        largest_file="media/b.mp4",
        largest_bytes=60 * MiB,
        top_level={"": 4, "archive": 3, "media": 3},
        most_files=("", 4),
        most_entries=("", 7),
        big_files=(
            ("media/b.mp4", 60 * MiB),
            ("archive.db", 30 * MiB),
            ("media/a.jpg", 12_000_000),
        ),
    )


def test_measure_finds_the_folder_with_most_entries_and_skips_linked_folders(tmp_path):
    site = tmp_path / "static"
    for i in range(5):
        write(site / "archive" / "tweets" / str(i) / "index.html", 1)
    write(site / "timeline" / "a.html", 1)
    write(site / "timeline" / "b.html", 1)
    (site / "elsewhere").symlink_to(tmp_path, target_is_directory=True)

    size = measure(site)

    assert size.files == 7
    assert size.most_files == ("timeline", 2)
    assert size.most_entries == ("archive/tweets", 5)
    assert size.top_level == {"archive": 5, "timeline": 2}


def test_an_empty_folder(tmp_path):
    size = measure(tmp_path)
    assert (size.files, size.bytes, size.largest_file) == (0, 0, None)
    assert report_lines(size, host_fit(size))[0] == f"Wrote 0 files, 0 bytes to {tmp_path}"
    assert all(fit.fits for fit in host_fit(size))


@pytest.mark.parametrize(
    "n, text",
    [
        (0, "0 bytes"),
        (1, "1 byte"),
        (999, "999 bytes"),
        (1_000, "1.0 kB"),
        (234_500_000, "234.5 MB"),
        (999_960_000, "1.0 GB"),
        (1_200_000_000, "1.2 GB"),
    ],
)
def test_human_bytes(n, text):
    assert human_bytes(n) == text


def size_of(
    files=1_000, total=50_000_000, largest=("archive.db", 5_000_000), big_files=None, **more
):
    """A FolderSize as measure would give it (big_files: largest first)."""
    if big_files is None:
        big_files = [largest] if largest[1] > 10_000_000 else []
    return FolderSize(
        folder="build/static",
        files=files,
        bytes=total,
        largest_file=largest[0],
        largest_bytes=largest[1],
        big_files=tuple(big_files),
        **more,
    )


def verdicts(size):
    return {fit.host: (fit.fits, fit.problems, fit.warnings) for fit in host_fit(size)}


def test_a_small_site_fits_everywhere():
    assert verdicts(size_of()) == {
        "GitHub Pages": (True, (), ()),
        "Cloudflare Pages (free)": (True, (), ()),
        "Netlify": (True, (), ()),
    }


def test_a_100k_tweet_site_is_too_many_files_for_cloudflare_free():
    size = size_of(
        files=104_000,
        total=900_000_000,
        most_files=("archive/tweets/1", 1),
        most_entries=("archive/tweets", 100_000),
    )
    assert verdicts(size) == {
        "GitHub Pages": (True, (), ()),
        "Cloudflare Pages (free)": (False, ("104,000 files, the limit is 20,000",), ()),
        "Netlify": (
            True,
            (),
            (
                "archive/tweets/ holds 100,000 files and folders; Netlify takes 54,000 files "
                "a folder (whether folders count is not documented)",
            ),
        ),
    }


def test_too_big_for_github_pages_in_all_and_by_file():
    size = size_of(
        total=1_200_000_000,
        largest=("archive.db", 120 * MiB),
        big_files=[
            ("archive.db", 120 * MiB),
            ("media/a.mp4", 110 * MiB),
            ("media/b.mp4", 30 * MiB),
        ],
    )
    github, cloudflare, _ = host_fit(size)
    assert github.problems == (
        "1.2 GB in all, the limit is 1 GB a site",
        "archive.db is 125.8 MB (and 1 more file over it), the limit is 100 MiB a file",
    )
    assert cloudflare.problems == (
        "archive.db is 125.8 MB (and 2 more files over it), the limit is 25 MiB a file",
    )


def test_limits_are_inclusive_and_in_the_units_the_hosts_document():
    exactly = size_of(
        files=20_000,
        total=1_000_000_000,
        largest=("archive.db", 25 * MiB),
        most_files=("media", 54_000),
    )
    github, cloudflare, netlify = host_fit(exactly)
    assert (github.fits, cloudflare.fits, netlify.fits) == (True, True, True)
    over = size_of(
        files=20_001,
        total=1_000_000_001,
        largest=("archive.db", 25 * MiB + 1),
        most_files=("media", 54_001),
    )
    assert [fit.fits for fit in host_fit(over)] == [False, False, False]


def test_warnings_for_what_may_fail():
    size = size_of(
        big_files=[("archive.db", 60 * MiB), ("media/v.mp4", 20_000_000)],
        largest=("archive.db", 60 * MiB),
    )
    github, cloudflare, netlify = host_fit(size)
    assert github.fits and github.warnings == ("archive.db is 62.9 MB: git push warns over 50 MiB",)
    assert cloudflare.problems == ("archive.db is 62.9 MB, the limit is 25 MiB a file",)
    assert netlify.fits and netlify.warnings == (
        "archive.db is 62.9 MB (and 1 more file over it): files over 10 MB may fail to upload",
    )


def test_report_lines():
    size = size_of(
        files=104_000,
        total=234_500_000,
        top_level={
            "archive": 100_500,
            "pagefind": 2_000,
            "media": 1_000,
            "timeline": 400,
            "hashtag": 80,
            "": 15,
            "static": 5,
        },
    )
    fits = [
        HostFit("GitHub Pages", "1 GB a site, 100 MiB a file"),
        HostFit(
            "Cloudflare Pages (free)",
            "20,000 files, 25 MiB a file",
            ("104,000 files, the limit is 20,000",),
        ),
        HostFit("Netlify", "54,000 files a folder", (), ("something may fail",)),
    ]
    assert report_lines(size, fits) == [
        "Wrote 104,000 files, 234.5 MB to build/static",
        "  files: archive/ 100,500 · pagefind/ 2,000 · media/ 1,000 · timeline/ 400 · "
        "hashtag/ 80 · 2 more",
        "  largest: archive.db, 5.0 MB",
        "GitHub Pages: fits (1 GB a site, 100 MiB a file)",
        f"Cloudflare Pages (free): does not fit: 104,000 files, the limit is 20,000 — see {DOCS}",
        "Netlify: fits (54,000 files a folder); but something may fail",
    ]


def test_the_report_points_to_a_heading_of_the_docs():
    path, anchor = DOCS.split("#")
    headings = [
        line.lstrip("#").strip()
        for line in (ROOT / path).read_text().splitlines()
        if line.startswith("#")
    ]
    slugs = {
        "".join(c for c in h.lower() if c.isalnum() or c in " -").replace(" ", "-")
        for h in headings
    }
    assert anchor in slugs
