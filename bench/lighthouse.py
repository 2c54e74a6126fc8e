"""Lighthouse's mobile scores of four page types of a site: home, a month, a tweet and a search.

    python bench/lighthouse.py                        # the sample archive, built and published here
    python bench/lighthouse.py --archive PATH         # another archive (a folder or a zip)
    python bench/lighthouse.py --base http://127.0.0.1:8001 --db build/archive.db
    python bench/lighthouse.py --audits               # and what each page loses points on

Lighthouse is not a Python package: install it once with npm, outside the project
(`mkdir ../lh && cd ../lh && npm install lighthouse`); it is found on PATH, in ../lh, or
given with --lighthouse. It drives Chromium (CHROME_PATH, default /usr/bin/chromium) headless
with its default mobile settings (a Moto G Power's screen, simulated slow 4G and CPU).
Without --base the archive is built into a temporary folder and served as
`tweets-etl publish DB --target local` serves it, on a free port of 127.0.0.1.

Prints a Markdown table of the four categories per page; exits 1 when a score is under
--min (95: issue 18's bar), 2 when Lighthouse failed. Not part of `make test` or `make bench`:
it takes a minute or two and needs node.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import urllib.parse
from pathlib import Path

from etl.site import free_port, start

ROOT = Path(__file__).resolve().parent.parent
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
HEADS = ("performance", "accessibility", "best practices", "SEO")
CHROME_FLAGS = "--headless=new --no-sandbox"


def find_lighthouse(given: str | None) -> str:
    for candidate in (
        given,
        shutil.which("lighthouse"),
        ROOT.parent / "lh" / "node_modules" / ".bin" / "lighthouse",
    ):
        if candidate and Path(candidate).exists():
            return str(candidate)
    raise SystemExit("lighthouse not found: npm install lighthouse (see --help)")


def page_paths(db: Path) -> list[tuple[str, str]]:
    """The four pages: home, the busiest month, the latest tweet with a photo and no place
    (else the latest tweet), and a search for the commonest hashtag (else a common word)."""
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        month = conn.execute(
            "select month from tweets_per_month order by tweets desc, month desc limit 1"
        ).fetchone()[0]
        # Not a geotagged one: its map's tiles come from the network (offline here: errors
        # in the console) and Leaflet's marker shadow has no 2x image.
        tweet = conn.execute(
            "select coalesce("
            "(select max(tweet_id) from media join tweets on tweets.id = media.tweet_id"
            " where tweets.latitude is null), (select max(id) from tweets))"
        ).fetchone()[0]
        tag = conn.execute("select tag from hashtag_counts order by tweets desc limit 1").fetchone()
    query = tag[0] if tag else "the"
    return [
        ("home", "/"),
        (f"month {month}", f"/timeline/{month[:4]}/{month[5:7]}"),
        ("tweet", f"/archive/tweets/{tweet}"),
        (f"search {query}", "/search?" + urllib.parse.urlencode({"q": query})),
    ]


def lighthouse(binary: str, url: str) -> dict:
    command = [
        binary,
        url,
        "--quiet",
        "--output=json",
        "--output-path=stdout",
        f"--only-categories={','.join(CATEGORIES)}",
        f"--chrome-flags={CHROME_FLAGS}",
    ]
    env = {**os.environ, "CHROME_PATH": os.environ.get("CHROME_PATH", "/usr/bin/chromium")}
    result = subprocess.run(command, capture_output=True, text=True, env=env, timeout=300)
    if result.returncode != 0:
        raise RuntimeError(f"lighthouse {url}: {result.stderr[-2000:]}")
    return json.loads(result.stdout)


def losses(report: dict) -> list[str]:
    """The audits that cost a category points: '<category>: <title> (<score>)'."""
    lines = []
    for key in CATEGORIES:
        category = report["categories"][key]
        for ref in category["auditRefs"]:
            audit = report["audits"][ref["id"]]
            if ref["weight"] and audit["score"] is not None and audit["score"] < 1:
                value = f" — {audit['displayValue']}" if audit.get("displayValue") else ""
                lines.append(f"{category['title']}: {audit['title']} ({audit['score']:.2f}){value}")
    return lines


def publish(db: Path, port: int) -> subprocess.Popen:
    command = [str(Path(sys.executable).with_name("tweets-etl")), "publish", str(db)]
    command += ["--target", "local", "--host", "127.0.0.1", "--port", str(port)]
    return start(command, f"http://127.0.0.1:{port}", seconds=120, cwd=ROOT)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--archive", type=Path, default=ROOT / "sample", help="archive to build")
    parser.add_argument("--base", help="a site already served (give its --db too)")
    parser.add_argument("--db", type=Path, help="the database the served site shows")
    parser.add_argument("--lighthouse", help="the lighthouse command")
    parser.add_argument("--min", type=int, default=95, help="the lowest score that passes")
    parser.add_argument("--audits", action="store_true", help="list what each page loses on")
    args = parser.parse_args(argv)
    binary = find_lighthouse(args.lighthouse)
    if args.base and not args.db:
        parser.error("--base needs --db (the pages are chosen from the database)")
    with tempfile.TemporaryDirectory() as tmp:
        process = None
        if args.base:
            base, db = args.base.rstrip("/"), args.db
        else:
            db = Path(tmp) / "archive.db"
            build = [sys.executable, "-m", "etl", "build", str(db), str(args.archive), "--quiet"]
            subprocess.run(build, cwd=ROOT, check=True)
            port = free_port()
            base, process = f"http://127.0.0.1:{port}", publish(db, port)
        try:
            rows, failed, notes = [], [], []
            for label, path in page_paths(db):
                try:
                    report = lighthouse(binary, base + path)
                except (RuntimeError, subprocess.TimeoutExpired, json.JSONDecodeError) as error:
                    failed.append(f"{label}: {error}")
                    continue
                scores = [round(100 * report["categories"][c]["score"]) for c in CATEGORIES]
                rows.append((label, path, scores))
                if args.audits:
                    notes += [f"{label}: {line}" for line in losses(report)]
        finally:
            if process:
                process.terminate()
                process.wait()
    print(f"Lighthouse mobile, {base}\n")
    print("| page | " + " | ".join(HEADS) + " |")
    print("|---|" + "---:|" * len(HEADS))
    for label, path, scores in rows:
        print(f"| {label} (`{path}`) | " + " | ".join(map(str, scores)) + " |")
    if notes:
        print("\nPoints lost:")
        print("\n".join(f"- {line}" for line in notes))
    if failed:
        print("\nFAILED: " + "; ".join(failed))
        return 2
    low = [
        f"{label} {head} {score}"
        for label, _, scores in rows
        for head, score in zip(HEADS, scores, strict=True)
        if score < args.min
    ]
    if low:
        print(f"\nunder {args.min}: " + ", ".join(low))
        return 1
    print(f"\nevery score >= {args.min}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
