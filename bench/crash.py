"""Crash recovery benchmark: `python bench/crash.py [--runs 10] [--cluster-runs 3]`."""

from __future__ import annotations

import argparse

from voxhub.benchmarks.crash import run

if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--cluster-runs", type=int, default=3)
    parser.add_argument("--chars", type=int, default=20_000)
    args = parser.parse_args()
    run(runs=args.runs, cluster_runs=args.cluster_runs, chars=args.chars)
