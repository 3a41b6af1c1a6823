"""Online TTS benchmark: `python bench/online_tts.py [--engine kokoro] [--repeat 5]`."""

from __future__ import annotations

import argparse

from voxhub.benchmarks.online import run

if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--engine", default="kokoro")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    run(engine=args.engine, repeat=args.repeat)
