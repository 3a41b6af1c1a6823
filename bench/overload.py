"""Overload benchmark: `python bench/overload.py [--duration 30] [--engine espeak|kokoro]`."""

from __future__ import annotations

import argparse

from voxhub.benchmarks.overload import run

if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--duration", type=float, default=30.0, help="Overload phase seconds (unloaded: a third)."
    )
    parser.add_argument(
        "--engine", default="espeak", help="espeak (fast) or kokoro (slow, ~1 s per 100 chars)."
    )
    args = parser.parse_args()
    run(duration=args.duration, engine=args.engine)
