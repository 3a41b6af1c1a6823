"""Quality benchmark: `python bench/quality.py [--voices kokoro:jm_kumo] [--parts voices,mixed]`.

Parts: voices, mixed (the voices chosen by --voices), normalization (text only), recognition
(whisper on fixed source voices, file and stream paths, short phrases, hotwords).
"""

from __future__ import annotations

import argparse

from voxhub.benchmarks.quality import PARTS, run

if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--voices", default="", help="Comma-separated voices (default: all).")
    parser.add_argument(
        "--parts", default=",".join(PARTS), help=f"Comma-separated, of {', '.join(PARTS)}."
    )
    args = parser.parse_args()
    run(voices=[v for v in args.voices.split(",") if v], parts=args.parts.split(","))
