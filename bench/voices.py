"""English voices benchmark: `python bench/voices.py [--repeat 5] [--threads 0]`."""

from __future__ import annotations

import argparse
import shlex
import sys

from voxhub.benchmarks.voices import run

if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--threads", type=int, default=0, help="inference threads; 0 = all cores")
    args = parser.parse_args()
    run(repeat=args.repeat, threads=args.threads, command=shlex.join(["python", *sys.argv]))
