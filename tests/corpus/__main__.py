"""Write every corpus case to a folder, for manual runs: `python -m tests.corpus OUTDIR`.

Each case goes to OUTDIR/<name>/input (and next to it what it needs, e.g. `outside/`), with
OUTDIR/<name>/expected.json holding its SOURCE arguments and expected outcome.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from . import all_cases


def main(out: Path) -> None:
    for make in all_cases():
        folder = out / make.__name__
        folder.mkdir(parents=True)
        case = make(folder / "input")
        expected = {
            "sources": [str(Path(s).relative_to(folder)) for s in case.sources],
            "args": case.args,
            "exit_code": case.exit_code,
            "message": case.message,
            "tweets": case.tweets,
            "problems": case.problems,
            "max_mb": case.max_mb if case.isolate else None,
            "max_cpu_seconds": case.max_seconds if case.isolate else None,
        }
        (folder / "expected.json").write_text(json.dumps(expected, indent=2) + "\n")
        sources = " ".join(expected["sources"])
        print(f"{make.__name__}: tweets-etl build DB {sources} {' '.join(case.args)}".rstrip())


if __name__ == "__main__":
    if len(sys.argv) != 2 or Path(sys.argv[1]).exists():
        sys.exit("usage: python -m tests.corpus OUTDIR   (OUTDIR must not exist yet)")
    main(Path(sys.argv[1]))
