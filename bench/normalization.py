"""Text normalization benchmark: `python bench/normalization.py [--failures]`."""

from __future__ import annotations

import argparse

from voxhub.benchmarks.normalization import report

if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--failures", action="store_true", help="list the sentences read wrong")
    args = parser.parse_args()
    report(show_failures=args.failures)
