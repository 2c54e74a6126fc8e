"""`tweets-etl publish`: it writes only folders that are missing, empty or its own.

Refusals are checked through the CLI with the writing steps replaced by a tripwire, so a
check that lets something through fails the test instead of deleting anything, and no
refusal reaches the slow steps (the smoke test's child Datasette).
"""

import hashlib
import json
import os
import shutil
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from etl.cli import cli
from etl.publish import Plan, PublishError, publish
from etl.redact import Redactions
from tests.helpers.build import run_build
from tests.helpers.paths import MARKDOWN, ROOT

MARKER = ".tweets-etl-site"
PHOTO = "1136622189627809793-D8RwpR5XYAAxm79.png"
# The README of bundles made before the marker: with their exact set of files, how such a
# bundle is still recognised.
UNMARKED_README = """\
# Tweet archive site

A self-contained Datasette site, made by `make publish TARGET=dir`.

    python3 -m venv .venv && .venv/bin/pip install -r requirements.txt
    TWEET_ARCHIVE_MEDIA_ROOT=media .venv/bin/datasette serve . -p 8001

or build the Dockerfile and run it anywhere that runs containers (it listens on $PORT).
The database is served read-only; deploy as many copies as you need.
"""


def write(path: Path, text: str = "mine") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    """A user's home: an archive folder and a zip, the database built from both, and
    folders of their own next to them."""
    home = tmp_path_factory.mktemp("home")
    shutil.copytree(MARKDOWN / "plain", home / "archive")
    (home / "Downloads").mkdir()
    with zipfile.ZipFile(home / "Downloads" / "twitter.zip", "w") as z:
        for path in sorted((home / "archive").rglob("*")):
            z.write(path, path.relative_to(home / "archive"))
    write(home / "Downloads" / "invoice.pdf")
    result = run_build(
        home / "build" / "archive.db", home / "archive", home / "Downloads" / "twitter.zip"
    )
    assert result.exit_code == 0, result.output
    for name in ("thesis.pdf", "notes/chapter1.md", "refs.bib", "figures/plot.png", "draft.docx"):
        write(home / "thesis" / name)
    (home / "link-to-thesis").symlink_to(home / "thesis")
    shutil.copy(home / "build" / "archive.db", home / "thesis.db")
    write(home / "thesis.site" / "chapter2.tex")
    # A site tweets-etl made, into which someone has since put files of their own.
    write(home / "site" / MARKER, json.dumps({"made_by": "tweets-etl"}))
    write(home / "site" / "archive.db")
    write(home / "site" / "notes.txt")
    write(home / "site" / ".git" / "HEAD")
    # Folders of the user's that happen to bear the names publishing assembles in.
    write(home / ".fresh.publishing" / "keep.txt")
    write(home / ".other.old" / "keep.txt")
    # An old bundle's files but a README of the user's: not recognised as a bundle.
    for name in ("archive.db", "metadata.json", "settings.json", "Dockerfile"):
        write(home / "lookalike" / name)
    write(home / "lookalike" / "README.md", "# My own notes\n")
    return home


def tree_digest(folder: Path) -> dict:
    """Every entry under `folder`: files by content, links by target, folders by name."""
    digest = {}
    for path in sorted(folder.rglob("*")):
        key = str(path.relative_to(folder))
        if path.is_symlink():
            digest[key] = "-> " + os.readlink(path)
        elif path.is_dir():
            digest[key] = "dir"
        else:
            digest[key] = hashlib.sha256(path.read_bytes()).hexdigest()
    return digest


@pytest.fixture
def tripwire(monkeypatch):
    """The steps that write: a refusal must come before them."""

    def wrote(*args, **kwargs):
        raise AssertionError("publishing started writing before refusing")

    monkeypatch.setattr("etl.publish.staging_folder", wrote)
    monkeypatch.setattr("etl.redact.publishable_copy", wrote)


def refusal(home, monkeypatch, args, cwd=None):
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.chdir(cwd or home)
    before = tree_digest(home)
    result = CliRunner().invoke(cli, ["publish", *args])
    assert tree_digest(home) == before
    return result.exit_code, result.output


CHOOSE = "choose a new or empty folder"


@pytest.mark.parametrize(
    "out, expected",
    [
        (
            "thesis",
            "{h}/thesis: not empty (draft.docx, figures/ and 3 more) and not a site made by "
            f"tweets-etl; {CHOOSE}",
        ),
        (
            "link-to-thesis",
            "{h}/thesis: not empty (draft.docx, figures/ and 3 more) and not a site made by "
            f"tweets-etl; {CHOOSE}",
        ),
        ("thesis/thesis.pdf", f"{{h}}/thesis/thesis.pdf: a file, not a folder; {CHOOSE}"),
        (
            "thesis/thesis.pdf/site",
            f"{{h}}/thesis/thesis.pdf/site: {{h}}/thesis/thesis.pdf is a file, not a folder; "
            f"{CHOOSE}",
        ),
        ("build", f"{{h}}/build: the folder of the database {{h}}/build/archive.db; {CHOOSE}"),
        ("archive", f"{{h}}/archive: the archive {{h}}/archive; {CHOOSE}"),
        ("archive/site", f"{{h}}/archive/site: inside the archive {{h}}/archive; {CHOOSE}"),
        ("archive/media", f"{{h}}/archive/media: inside the archive {{h}}/archive; {CHOOSE}"),
        (
            "Downloads",
            f"{{h}}/Downloads: the folder of the archive {{h}}/Downloads/twitter.zip; {CHOOSE}",
        ),
        (".", f"{{h}}: your home folder; {CHOOSE}"),
        ("..", f"{{p}}: holds your home folder; {CHOOSE}"),
        ("/", f"/: the root folder; {CHOOSE}"),
        (str(ROOT), f"{ROOT}: the project folder of tweets-etl; {CHOOSE}"),
        (str(ROOT.parent), f"{ROOT.parent}: holds the project folder of tweets-etl; {CHOOSE}"),
        (
            "site",
            "{h}/site: a site made by tweets-etl, but .git/ and notes.txt were added to it "
            "since and would be lost; move them out or choose another folder",
        ),
        (
            "lookalike",
            "{h}/lookalike: not empty (Dockerfile, README.md and 3 more) and not a site made "
            f"by tweets-etl; {CHOOSE}",
        ),
        (
            "fresh",
            "{h}/.fresh.publishing: not made by tweets-etl (keep.txt) but where it would "
            "assemble {h}/fresh; move it away or choose another folder",
        ),
        (
            "other",
            "{h}/.other.old: not made by tweets-etl (keep.txt) but where it would assemble "
            "{h}/other; move it away or choose another folder",
        ),
    ],
)
def test_an_out_folder_that_is_not_the_tools_own_is_refused_untouched(
    home, monkeypatch, tripwire, out, expected
):
    db = str(home / "build" / "archive.db")
    result = refusal(home, monkeypatch, [db, "--target", "dir", "--out", out])
    message = expected.format(h=home, p=home.parent)
    assert result == (1, f"Error: {message}\n")
    assert not (ROOT.parent / f".{ROOT.name}.publishing").exists()
    assert not (ROOT.parent / f".{ROOT.name}.old").exists()


def test_out_is_resolved_from_the_working_folder(home, monkeypatch, tripwire):
    db = str(home / "build" / "archive.db")
    args = [db, "--target", "dir", "--out", ".."]
    result = refusal(home, monkeypatch, args, cwd=home / "thesis" / "notes")
    assert result == (
        1,
        f"Error: {home}/thesis: not empty (draft.docx, figures/ and 3 more) and not a site "
        f"made by tweets-etl; {CHOOSE}\n",
    )


@pytest.mark.parametrize("target", ["local", "cloudrun"])
def test_the_folder_beside_the_database_is_refused_unless_the_tools_own(
    home, monkeypatch, tripwire, target
):
    args = ["thesis.db", "--target", target, "--dry-run", "--port", "0"]
    assert refusal(home, monkeypatch, args) == (
        1,
        f"Error: {home}/thesis.site: not empty (chapter2.tex) and not made by tweets-etl, "
        "which assembles the site there; move it or publish a database of another name\n",
    )


@pytest.fixture(scope="module")
def bundle(home, tmp_path_factory):
    out = tmp_path_factory.mktemp("bundle") / "site"
    publish(Plan(db=home / "build" / "archive.db", target="dir", out=out), echo=lambda line: None)
    return out


@pytest.mark.slow
def test_a_bundle_is_marked_with_what_made_it_and_what_it_holds(bundle):
    record = json.loads((bundle / MARKER).read_text())
    assert sorted(record) == ["contents", "made_by", "version", "written_at"]
    assert record["made_by"] == "tweets-etl"
    assert record["contents"] == sorted(p.name for p in bundle.iterdir() if p.name != MARKER)
    assert "archive.db" in record["contents"]
    assert MARKER in (bundle / "README.md").read_text()


def test_a_bundle_made_before_the_marker_is_replaced_by_a_marked_one(home, bundle, tmp_path):
    out = tmp_path / "site"
    shutil.copytree(bundle, out)
    (out / MARKER).unlink()
    (out / "README.md").write_text(UNMARKED_README)
    # Such a bundle held the site's plugins, templates and static files, not its wheel.
    shutil.rmtree(out / "wheels")
    for name in ("plugins", "templates", "static"):
        (out / name).mkdir()
    hide_photo = Redactions(tweets=[1136622189627809793])
    plan = Plan(db=home / "build" / "archive.db", target="dir", out=out, redactions=hide_photo)
    publish(plan, echo=lambda line: None)
    assert not (out / "media" / "media" / PHOTO).exists()
    assert json.loads((out / MARKER).read_text())["made_by"] == "tweets-etl"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


@pytest.mark.slow
def test_a_failed_publish_leaves_the_bundle_whole_and_the_next_one_cleans_up(
    home, bundle, tmp_path, monkeypatch
):
    out = tmp_path / "site"
    shutil.copytree(bundle, out, symlinks=True)
    before = tree_digest(out)
    db = home / "build" / "archive.db"
    with monkeypatch.context() as failing:
        failing.setattr("etl.publish.SMOKE_PATHS", ["/", "/archive/no_such_table"])
        with pytest.raises(PublishError, match="smoke test failed"):
            publish(Plan(db=db, target="dir", out=out), echo=lambda line: None)
    assert tree_digest(out) == before
    staging = tmp_path / ".site.publishing"
    assert json.loads((staging / MARKER).read_text())["made_by"] == "tweets-etl"
    result = CliRunner().invoke(cli, ["publish", str(db), "--target", "dir", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]
    assert (out / "media" / "media" / PHOTO).exists()


@pytest.mark.slow
def test_a_work_folder_made_before_the_marker_is_still_used(home, tmp_path):
    shutil.copy(home / "build" / "archive.db", tmp_path / "mine.db")
    old = tmp_path / "mine.site"
    (old / "media").mkdir(parents=True)
    shutil.copy(home / "build" / "archive.db", old / "archive.db")
    (old / "metadata.json").write_text("{}")
    result = CliRunner().invoke(
        cli, ["publish", str(tmp_path / "mine.db"), "--target", "cloudrun", "--dry-run"]
    )
    assert result.exit_code == 0, result.output
    assert json.loads((old / MARKER).read_text())["made_by"] == "tweets-etl"


def test_files_put_into_out_while_it_was_checked_stop_the_swap(tmp_path):
    from etl.publish import replace_folder
    from etl.site_folder import FolderRefused, mark

    out, staging = tmp_path / "site", tmp_path / ".site.publishing"
    for folder in (out, staging):
        folder.mkdir()
        mark(folder, ["archive.db"])
        write(folder / "archive.db", folder.name)
    write(out / "thesis.pdf")
    before = tree_digest(tmp_path)
    with pytest.raises(FolderRefused) as refused:
        replace_folder(staging, out)
    assert refused.value.message == (
        f"{out}: a site made by tweets-etl, but thesis.pdf was added to it since and would "
        "be lost; move it out or choose another folder"
    )
    assert tree_digest(tmp_path) == before


def test_an_old_folder_left_by_an_interrupted_swap_is_cleared(tmp_path):
    from etl.publish import replace_folder
    from etl.site_folder import mark

    out, staging, old = tmp_path / "site", tmp_path / ".site.publishing", tmp_path / ".site.old"
    for folder in (out, staging, old):
        folder.mkdir()
        mark(folder)
        write(folder / "archive.db", folder.name)
    replace_folder(staging, out)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]
    assert (out / "archive.db").read_text() == ".site.publishing"


def test_a_staging_folder_left_by_a_failed_publish_of_the_old_version_is_cleared(home, tmp_path):
    from etl.publish import staging_folder

    left = tmp_path / ".site.publishing"
    (left / "media").mkdir(parents=True)
    shutil.copy(home / "build" / "archive.db", left / "archive.db")
    write(left / "metadata.json", "{}")
    write(left / "smoke.log", "GET / answered 500")
    assert staging_folder(tmp_path / "site") == left
    assert [p.name for p in left.iterdir()] == [MARKER]
