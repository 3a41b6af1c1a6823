"""Quality benchmark: `python bench/quality.py [--voices kokoro:jm_kumo,espeak:cmn]`."""

from __future__ import annotations

import argparse

from voxhub.benchmarks.quality import run

if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--voices", default="", help="Comma-separated voices (default: all).")
    args = parser.parse_args()
    run(voices=[v for v in args.voices.split(",") if v])
