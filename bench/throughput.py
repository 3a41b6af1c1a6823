"""Throughput benchmark: `python bench/throughput.py [--clients 4] [--duration 60]
[--parts tts,asr] [--asr-streams 1,8]`."""

from __future__ import annotations

import argparse

from voxhub.benchmarks.throughput import run

if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--engine", default="kokoro")
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--duration", type=float, default=60.0)
    parser.add_argument("--parts", default="tts,asr", help="tts, asr or both, comma-separated")
    parser.add_argument("--asr-streams", default="1,8", help="concurrent long turns per phase")
    args = parser.parse_args()
    run(
        engine=args.engine,
        clients=args.clients,
        duration=args.duration,
        parts=args.parts.split(","),
        asr_streams=[int(n) for n in args.asr_streams.split(",") if n],
    )
