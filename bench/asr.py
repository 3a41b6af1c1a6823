"""Real-time recognition benchmark: `python bench/asr.py [--engines pocketsphinx,whisper]
[--streams 1,2,4,8,16] [--rounds 2] [--all-streams] [--api-workers 1]`."""

from __future__ import annotations

import argparse

from voxhub.benchmarks.asr import ENGINES, STREAMS, run


def _numbers(text: str) -> list[int]:
    return [int(part) for part in text.split(",") if part]


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--engines", default=",".join(ENGINES), help="Comma-separated engine names."
    )
    parser.add_argument(
        "--streams",
        type=_numbers,
        default=list(STREAMS),
        help="Concurrent real-time streams per phase, comma-separated.",
    )
    parser.add_argument("--rounds", type=int, default=2, help="Utterances per stream.")
    parser.add_argument(
        "--all-streams",
        action="store_true",
        help="Measure every N even after one is over the latency target.",
    )
    parser.add_argument(
        "--api-workers",
        type=int,
        default=1,
        help="API processes of the server (serve --workers); limits apply per process.",
    )
    args = parser.parse_args()
    run(
        engines=[e for e in args.engines.split(",") if e],
        streams=args.streams,
        rounds=args.rounds,
        all_streams=args.all_streams,
        api_workers=args.api_workers,
    )
