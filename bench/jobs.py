"""Long-text jobs benchmark: `python bench/jobs.py [--kokoro-chars 600] [--fake-chunks 1000]`."""

from __future__ import annotations

import argparse

from voxhub.benchmarks.jobs import run

if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--kokoro-chars", type=int, default=600)
    parser.add_argument("--fake-chunks", type=int, default=1000)
    args = parser.parse_args()
    run(kokoro_chars=args.kokoro_chars, fake_chunks=args.fake_chunks)
