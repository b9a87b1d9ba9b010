"""How long a `realist` command takes to start, against the floor of what it needs.

Every CLI call pays Python's start-up and its imports; coding excerpt by excerpt from the
shell pays it each time. Issue 10's goals, as ratios measured in the same run (machines
differ, ratios hold):

- ``realist --version`` within 1.5x of ``python -c "import click"``;
- ``realist status`` on the demo review within 1.5x of
  ``python -c "import click, rich, sqlalchemy"``.

Commands run interleaved (one of each per round) so a busy moment on the machine hits all of
them alike; the figure is the median of the rounds (the minimum is printed too).

    python bench/startup.py              # 15 rounds
    python bench/startup.py --rounds 30
"""

from __future__ import annotations

import argparse
import compileall
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BIN = Path(sys.executable).parent
REALIST = str(BIN / "realist")


# Python caches compiled modules (__pycache__) as an installed program's users have them;
# a shell that sets PYTHONDONTWRITEBYTECODE would make every run compile Realist afresh and
# measure the compiler instead of the start-up.
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def _time(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   env=ENV)  # fmt: skip
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    import realist

    compileall.compile_dir(Path(realist.__file__).parent, quiet=1)  # as an install does
    with tempfile.TemporaryDirectory() as folder:
        demo = str(Path(folder) / "demo.realist")
        subprocess.run([REALIST, "demo", "--no-serve", "--db", demo], check=True,
                       stdout=subprocess.DEVNULL)  # fmt: skip
        commands = {
            "python -c 'import click'": [sys.executable, "-c", "import click"],
            "python -c 'import click, rich, sqlalchemy'": [
                sys.executable, "-c", "import click, rich, sqlalchemy"],
            "realist --version": [REALIST, "--version"],
            "realist status (demo)": [REALIST, "--db", demo, "status"],
            "realist theories (demo)": [REALIST, "--db", demo, "theories"],
            "realist --help": [REALIST, "--help"],
        }  # fmt: skip
        for command in commands.values():  # warm the file cache once
            _time(command)
        times: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(args.rounds):
            for name, command in commands.items():
                times[name].append(_time(command))
    median = {name: statistics.median(t) for name, t in times.items()}
    print(f"{args.rounds} rounds, median (min) wall time per command:")
    for name, t in times.items():
        print(f"  {name:44} {1000 * median[name]:7.1f} ms ({1000 * min(t):.1f})")
    goals = [
        ("realist --version", "python -c 'import click'"),
        ("realist status (demo)", "python -c 'import click, rich, sqlalchemy'"),
    ]
    ok = True
    print("Goals (ratio of medians, same run):")
    for command, floor in goals:
        ratio = median[command] / median[floor]
        met = ratio <= 1.5
        ok &= met
        print(f"  {command} / {floor}: {ratio:.2f}x (goal <= 1.5x: {'met' if met else 'MISSED'})")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
