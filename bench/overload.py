"""Overload benchmark: `python bench/overload.py [--duration 30] [--engine espeak|kokoro]`;
`--memory-rounds 6` measures server RSS over rounds of sustained overload instead."""

from __future__ import annotations

import argparse

from voxhub.benchmarks import overload_memory
from voxhub.benchmarks.overload import run

if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--duration", type=float, default=30.0, help="Overload phase seconds (unloaded: a third)."
    )
    parser.add_argument(
        "--engine", default="espeak", help="espeak (fast) or kokoro (slow, ~1 s per 100 chars)."
    )
    parser.add_argument(
        "--memory-rounds", type=int, default=0, help="Rounds of the memory measurement (0: off)."
    )
    args = parser.parse_args()
    if args.memory_rounds:
        overload_memory.run(rounds=args.memory_rounds, seconds=args.duration)
    else:
        run(duration=args.duration, engine=args.engine)
