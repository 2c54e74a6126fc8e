"""`tweets-etl build --private` of a 1 GB direct-messages.js against the floor (bench/dm_floor.py),
measured in the same run (issue 19, item 4: the file streams item by item, peak ≤ 400 MiB).

    python bench/dm_speed.py                 # ~1 GiB direct-messages.js (make bench)
    python bench/dm_speed.py --mib 2         # a tiny one, a few seconds (tests/whole/test_bench)
    python bench/dm_speed.py --repeat 3      # shortest of 3 runs each, on a busy machine
    python bench/dm_speed.py --conversations 1000000  # a million one-message conversations

The export is generated once per size and generation version into build/dm_speed/ (kept
between runs: writing 1 GiB takes minutes): an export without tweets, like the shared private
ones, with account.js, a ~MIB MiB `direct-messages.js` (1:1: a few conversations of thousands
of messages split over entries of 1,000 that are not adjacent, many short ones, newest first;
inline reactions, t.co links with their expansions, ton.twitter.com media URLs, HTML entities,
Japanese and empty texts, welcome messages), a `direct-messages-group.js` of about a twentieth
of that (groups with joins, leaves, renames and messages without a recipient), and a few files
in the DM media folders.

With --conversations N the export is instead one `direct-messages.js` of N one-message 1:1
conversations (~340 bytes each): the hostile shape for what a build keeps per conversation.
Its peak is judged, its time printed only (the floor does nothing per conversation).

Both loads run in child processes of their own, the order alternating over repeats; peak memory
is a load's ru_maxrss, or the sum over its processes sampled every 50 ms if larger (the build
reads in a second process). Prints a Markdown table; exits 1 when a target is missed, 2 when a
load failed, after running and printing everything.

Targets: build peak ≤ 400 MiB; from TIME_TARGET_MIN_MIB on, build time ≤ TIME_TARGET × the
floor's (the build does much more: every event, conversations merged over entries, media
matched, bounds, problems, two search indexes).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import sqlite3
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "build" / "dm_speed"
VERSION = "2"  # of the generator: a cached export of another version is made again
MAX_PEAK_MIB = 400
TIME_TARGET = 4.0
# Below this size the build's start-up (imports, the site's schema, indexes) is most of its
# time: the time ratio is printed, not judged.
TIME_TARGET_MIN_MIB = 100
OWNER = 1100000000000000000
WORDS = (
    "the quick brown fox jumps over lazy dog see you tomorrow lunch? ok thanks haha sure "
    "sounds good running late call me 東京 ありがとう また明日 café naïve &amp; &lt;3 Привет"
).split()
REACTIONS = ("like", "agree", "funny", "excited", "sad")
EPOCH_MS = 1288834974657  # Twitter's snowflake epoch


def snowflake(moment: datetime, seq: int) -> str:
    """An id as Twitter makes them, unique by `seq` (below 2^22 for a 1 GiB file's messages)."""
    return str(((int(moment.timestamp() * 1000) - EPOCH_MS) << 22) + seq % (1 << 22))


def stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03}Z"


class Writer:
    """One array file, written entry by entry as exports write it (`"key" : value`)."""

    def __init__(self, path: Path, name: str):
        self.out = open(path, "w", encoding="utf-8")
        self.out.write(f"window.YTD.{name}.part0 = [")
        self.first = True

    def entry(self, conversation_id: str, messages: list[dict]) -> None:
        item = {"dmConversation": {"conversationId": conversation_id, "messages": messages}}
        text = json.dumps(item, indent=2, separators=(",", " : "), ensure_ascii=False)
        self.out.write(("" if self.first else ",") + " " + text)
        self.first = False

    def size(self) -> int:
        return self.out.tell()

    def close(self) -> None:
        self.out.write("]")
        self.out.close()


def message(rng, n: int, seq: int, moment: datetime, sender: int, recipient: int | None):
    message_id = snowflake(moment, seq)
    words = [rng.choice(WORDS) for _ in range(rng.randint(0 if n % 40 == 0 else 1, 25))]
    body: dict = {}
    if recipient is not None:
        body["recipientId"] = str(recipient)
    reactions = []
    if n % 30 == 0:
        reactions.append(
            {
                "senderId": str(recipient or OWNER),
                "reactionKey": REACTIONS[n % len(REACTIONS)],
                "eventId": snowflake(moment + timedelta(minutes=1), seq),
                "createdAt": stamp(moment + timedelta(minutes=1)),
            }
        )
    urls, media = [], []
    if n % 10 == 0:
        short = f"https://t.co/{n % 10**10:010d}"
        words.append(short)
        urls.append(
            {"url": short, "expanded": f"https://example.com/{n}", "display": f"example.com/{n}"}
        )
    if n % 25 == 0:
        media.append(f"https://ton.twitter.com/dm/{message_id}/{int(message_id) + 1}/p{n}.jpg")
    body |= {
        "reactions": reactions,
        "urls": urls,
        "text": " ".join(words),
        "mediaUrls": media,
        "senderId": str(sender),
        "id": message_id,
        "createdAt": stamp(moment),
        "editHistory": [],
    }
    key = "welcomeMessageCreate" if n % 5000 == 4999 else "messageCreate"
    if key == "welcomeMessageCreate":
        del body["reactions"], body["editHistory"]
    return {key: body}, message_id


def plan(rng: random.Random, messages: int) -> list[tuple[int, int]]:
    """(partner index, message count) of each conversation: a few of thousands, many short."""
    conversations, left, partner = [], messages, 0
    while left > 0:
        size = rng.choice([rng.randint(2000, 12000)] + [rng.randint(1, 60)] * 30)
        size = 2500 if partner == 0 else size  # a split conversation in any file of 1 MiB
        size = min(size, left)
        conversations.append((partner, size))
        partner, left = partner + 1, left - size
    return conversations


def write_one_to_one(data: Path, mib: float, media: list[str]) -> int:
    """The 1:1 file, ~mib MiB: its conversations' entries of at most 1,000 messages each,
    shuffled so a split conversation's entries are not adjacent. Returns messages written."""
    rng = random.Random(19)
    per_message = 490  # bytes of the file per message, measured: the plan is sized from it
    chunks = []
    for partner, size in plan(rng, int(mib * 2**20 / per_message)):
        chunks += [(partner, size, start) for start in range(0, size, 1000)]
    rng.shuffle(chunks)
    writer = Writer(data / "direct-messages.js", "direct_messages")
    written = 0
    for partner, size, start in chunks:
        # Half the partners have an id below the owner's: the smaller id comes first.
        other = OWNER + (partner + 1) * (1 if partner % 2 else -1) * 7919
        conversation_id = f"{min(OWNER, other)}-{max(OWNER, other)}"
        begin = datetime(2012, 1, 1, tzinfo=UTC) + timedelta(days=partner % 3000)
        messages = []
        for i in reversed(range(start, min(size, start + 1000))):  # newest first
            n = partner * 100_000 + i
            sender, recipient = (OWNER, other) if i % 3 else (other, OWNER)
            moment = begin + timedelta(minutes=37 * i, milliseconds=n % 1000)
            event, message_id = message(rng, n, written, moment, sender, recipient)
            messages.append(event)
            written += 1
            if n % 25 == 0 and len(media) < 20:
                media.append(f"{message_id}-p{n}.jpg")
        writer.entry(conversation_id, messages)
    writer.close()
    return written


def write_groups(data: Path, mib: float, first_seq: int) -> int:
    rng = random.Random(20)
    writer = Writer(data / "direct-messages-group.js", "direct_messages_group")
    written, group = 0, 0
    while writer.size() < mib * 2**20 or group == 0:
        group += 1
        members = [OWNER + 10**6 + group * 100 + k for k in range(rng.randint(2, 12))]
        begin = datetime(2015, 1, 1, tzinfo=UTC) + timedelta(days=group % 2000)
        events = [
            {
                "joinConversation": {
                    "initiatingUserId": str(members[0]),
                    "participantsSnapshot": [str(OWNER), *map(str, members)],
                    "createdAt": stamp(begin),
                }
            }
        ]
        size = rng.choice([rng.randint(1, 40)] * 9 + [rng.randint(200, 999)])
        for i in range(size):
            moment = begin + timedelta(minutes=11 * (i + 1))
            sender = OWNER if i % 4 == 0 else members[i % len(members)]
            event, _ = message(
                rng, group * 100_000 + i, first_seq + written + i, moment, sender, None
            )
            events.append(event)
            if i % 97 == 50:
                events.append(
                    {
                        "conversationNameUpdate": {
                            "initiatingUserId": str(sender),
                            "name": f"group {group} " + " ".join(rng.sample(WORDS, 3)),
                            "createdAt": stamp(moment + timedelta(seconds=5)),
                        }
                    }
                )
            if i % 151 == 75:
                kind = "participantsJoin" if i % 2 else "participantsLeave"
                change = {"userIds": [str(members[-1])], "createdAt": stamp(moment)}
                if kind == "participantsJoin":
                    change["initiatingUserId"] = str(sender)
                events.append({kind: change})
        writer.entry(str(10**18 + group), list(reversed(events)))
        written += size
    writer.close()
    return written


def generate(folder: Path, mib: float) -> None:
    """The export at `folder` (made in a temporary folder, renamed when complete)."""
    work = folder.with_name(folder.name + ".tmp")
    if work.exists():
        for path in sorted(work.rglob("*"), reverse=True):
            path.rmdir() if path.is_dir() else path.unlink()
        work.rmdir()
    data = work / "data"
    data.mkdir(parents=True)
    (data / "account.js").write_text(
        'window.YTD.account.part0 = [{"account": {"username": "bench_owner", '
        f'"accountId": "{OWNER}", "accountDisplayName": "Bench"}}}}]'
    )
    media: list[str] = []
    messages = write_one_to_one(data, mib, media)
    messages += write_groups(data, mib / 20, messages)
    (data / "direct_messages_media").mkdir()
    for name in media:
        (data / "direct_messages_media" / name).write_bytes(b"\xff\xd8\xff\xe0 bench")
    (work / "messages.txt").write_text(str(messages))
    work.rename(folder)


def generate_tiny(folder: Path, conversations: int) -> None:
    """The hostile shape at `folder`: a `direct-messages.js` of `conversations` 1:1
    conversations of one message each (~250 bytes an entry), each with someone else. What a
    build keeps per conversation, not per entry or message, grows with it."""
    work = folder.with_name(folder.name + ".tmp")
    data = work / "data"
    data.mkdir(parents=True, exist_ok=True)
    (data / "account.js").write_text(
        'window.YTD.account.part0 = [{"account": {"username": "bench_owner", '
        f'"accountId": "{OWNER}", "accountDisplayName": "Bench"}}}}]'
    )
    begin = datetime(2014, 1, 1, tzinfo=UTC)
    with open(data / "direct-messages.js", "w", encoding="utf-8") as out:
        out.write("window.YTD.direct_messages.part0 = [")
        for n in range(conversations):
            other = OWNER + (n + 1) * 7919
            moment = begin + timedelta(seconds=n)
            sender, recipient = (OWNER, other) if n % 2 else (other, OWNER)
            out.write(
                ("," if n else "")
                + f' {{"dmConversation" : {{"conversationId" : "{OWNER}-{other}", "messages" : '
                f'[{{"messageCreate" : {{"recipientId" : "{recipient}", "reactions" : [], '
                f'"urls" : [], "text" : "hi {n}", "mediaUrls" : [], "senderId" : "{sender}", '
                f'"id" : "{snowflake(moment, n)}", "createdAt" : "{stamp(moment)}"}}}}]}}}}'
            )
        out.write("]")
    (work / "messages.txt").write_text(str(conversations))
    work.rename(folder)


def export_for(mib: float, cache: Path = CACHE, conversations: int = 0) -> Path:
    """The generated export of ~mib MiB, or of `conversations` one-message conversations."""
    name = f"tiny-{conversations}" if conversations else f"{mib:g}MiB"
    folder = cache / f"v{VERSION}-{name}"
    if not folder.is_dir():
        progress(f"generating the {name} direct-messages.js into {folder} (once)")
        folder.parent.mkdir(parents=True, exist_ok=True)
        # In a child: this process's own peak counts in its children's ru_maxrss.
        code = "import sys; from pathlib import Path; import dm_speed; "
        if conversations:
            code += "dm_speed.generate_tiny(Path(sys.argv[1]), int(sys.argv[2]))"
        else:
            code += "dm_speed.generate(Path(sys.argv[1]), float(sys.argv[2]))"
        bench = Path(__file__).resolve().parent
        size = str(conversations or mib)
        subprocess.run([sys.executable, "-c", code, str(folder), size], check=True, cwd=bench)
    return folder


class Run(NamedTuple):
    seconds: float
    peak_mib: float
    messages: int


def tree_rss_mib(pid: int) -> float:
    """Resident memory of a process and its descendants, from /proc (0 once it has exited)."""
    total, pending = 0, [pid]
    while pending:
        proc = Path("/proc") / str(pending.pop())
        try:
            status = (proc / "status").read_text()
            total += next(
                int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:")
            )
            for task in (proc / "task").iterdir():
                pending += [int(child) for child in (task / "children").read_text().split()]
        except (OSError, StopIteration, ValueError):
            continue
    return total / 1024


def timed(command: list[str], db: Path) -> Run | str:
    """One load in a child process: its Run, or why it failed."""
    db.unlink(missing_ok=True)
    started = time.perf_counter()
    child = subprocess.Popen(command, cwd=ROOT)
    sampled = [0.0]
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.05):
            sampled[0] = max(sampled[0], tree_rss_mib(child.pid))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, status, usage = os.wait4(child.pid, 0)
    seconds = time.perf_counter() - started
    done.set()
    sampler.join()
    code = os.waitstatus_to_exitcode(status)
    if code != 0 or not db.exists():
        return f"FAILED (exit {code})"
    conn = sqlite3.connect(db)
    messages = conn.execute("select count(*) from dm_messages").fetchone()[0]
    conn.close()
    db.unlink()
    return Run(seconds, max(usage.ru_maxrss / 1024, sampled[0]), messages)


def run_floor(db: Path, source: Path) -> Run | str:
    return timed([sys.executable, str(ROOT / "bench" / "dm_floor.py"), str(db), str(source)], db)


def run_build(db: Path, source: Path) -> Run | str:
    command = [sys.executable, "-m", "etl", "build", str(db), str(source), "--private", "--quiet"]
    return timed(command, db)


def best(old: Run | str | None, new: Run | str) -> Run | str:
    if old is None or isinstance(new, str):
        return new
    if isinstance(old, str):
        return old
    return Run(
        min(old.seconds, new.seconds),
        max(old.peak_mib, new.peak_mib),
        min(old.messages, new.messages),
    )


def progress(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def table_line(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


HEADER = [
    "input",
    "floor s",
    "build s",
    f"time ratio (≤ {TIME_TARGET:g})",
    "floor peak MiB",
    f"build peak MiB (≤ {MAX_PEAK_MIB})",
    "messages",
    "verdict",
]


def judge(expected: int, floor: Run | str, build: Run | str, mib: float) -> list[str]:
    if isinstance(floor, str) or isinstance(build, str):
        return ["failed"]
    misses = []
    if mib >= TIME_TARGET_MIN_MIB and build.seconds > TIME_TARGET * floor.seconds:
        misses.append("time")
    if build.peak_mib > MAX_PEAK_MIB:
        misses.append("peak")
    for name, run in (("floor", floor), ("build", build)):
        if run.messages != expected:
            misses.append(f"{name} loaded {run.messages:,} of {expected:,} messages")
    return misses


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mib", type=float, default=1024, help="size of direct-messages.js")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each, shortest kept")
    parser.add_argument("--cache", type=Path, default=CACHE, help=f"default {CACHE}")
    parser.add_argument(
        "--conversations",
        type=int,
        default=0,
        help="instead of --mib: that many one-message 1:1 conversations (a hostile shape: "
        "its peak is judged, not its time)",
    )
    args = parser.parse_args(argv)
    cache = args.cache.absolute()
    source = export_for(args.mib, cache, args.conversations)
    expected = int((source / "messages.txt").read_text())
    data = source / "data"
    one_to_one = (data / "direct-messages.js").stat().st_size / 2**20
    group_file = data / "direct-messages-group.js"
    group = group_file.stat().st_size / 2**20 if group_file.exists() else 0
    judged_mib = 0 if args.conversations else args.mib
    runs: dict[str, Run | str | None] = {"floor": None, "build": None}
    for turn in range(args.repeat):
        for name in ("floor", "build") if turn % 2 == 0 else ("build", "floor"):
            progress(f"{name}: run {turn + 1} of {args.repeat}")
            load = run_floor if name == "floor" else run_build
            runs[name] = best(runs[name], load(cache / f"{name}.db", source))
    floor, build = runs["floor"], runs["build"]
    misses = judge(expected, floor, build, judged_mib)
    label = f"DMs {one_to_one:,.0f} MiB 1:1 + {group:,.0f} MiB group"
    if args.conversations:
        label = f"{args.conversations:,} one-message DM conversations ({one_to_one:,.0f} MiB)"
    print(table_line(HEADER))
    print(table_line(["---"] * len(HEADER)))
    if isinstance(floor, Run) and isinstance(build, Run):
        cells = [
            f"{floor.seconds:.1f}",
            f"{build.seconds:.1f}",
            f"{build.seconds / floor.seconds:.2f}"
            + ("" if judged_mib >= TIME_TARGET_MIN_MIB else " (not judged)"),
            f"{floor.peak_mib:.0f}",
            f"{build.peak_mib:.0f}",
            f"{build.messages:,}",
        ]
    else:
        cells = [str(floor), str(build), *["–"] * 4]
    verdict = "ok" if not misses else "MISSED: " + ", ".join(misses)
    print(table_line([label, *cells, verdict]))
    print()
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        "floor: bench/dm_floor.py (streams the same files, inserts the same message and "
        "reaction rows with plain sqlite3, one FTS5 index); peak MiB: each load's ru_maxrss, or "
        f"the sum over its processes sampled every 50 ms if larger (this bench's own: {own:.0f})"
    )
    if "failed" in misses:
        print("verdict: FAILED")
        return 2
    if misses:
        print(f"verdict: MISSED: {', '.join(misses)}")
        return 1
    print("verdict: all targets met")
    return 0


if __name__ == "__main__":
    sys.exit(main())
