"""CLI start-up benchmark: `python bench/cli.py [--repeat 7]`."""

from __future__ import annotations

import argparse
import shlex
import sys

from voxhub.benchmarks.cli import run

if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    run(repeat=args.repeat, command=shlex.join(["python", *sys.argv]))
