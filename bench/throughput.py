"""Throughput benchmark: `python bench/throughput.py [--clients 4] [--duration 60]`."""

from __future__ import annotations

import argparse

from voxhub.benchmarks.throughput import run

if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--engine", default="kokoro")
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--duration", type=float, default=60.0)
    args = parser.parse_args()
    run(engine=args.engine, clients=args.clients, duration=args.duration)
