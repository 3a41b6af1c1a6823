"""Helpers of the IndexTTS conformance tests: a voice's pitch, and a callback receiver."""

from __future__ import annotations

import io
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import numpy as np
import soundfile as sf

# adult voices: men speak around 85-155 Hz, women around 165-255 Hz
GENDER_BOUNDARY_HZ = 165.0


def median_pitch(audio: bytes) -> float:
    """The median fundamental frequency (Hz) of the voiced frames of a recording.

    Autocorrelation per 40 ms frame, searching 70-400 Hz; frames quieter than 5% of the
    peak, or without a clear period, are left out.
    """
    samples, rate = sf.read(io.BytesIO(audio), dtype="float64", always_2d=True)
    mono = samples.mean(axis=1)
    frame, shortest, longest = int(0.04 * rate), int(rate / 400), int(rate / 70)
    loudest = float(np.max(np.abs(mono))) or 1.0
    pitches: list[float] = []
    for start in range(0, len(mono) - frame, frame // 2):
        x = mono[start : start + frame]
        if np.sqrt(np.mean(x * x)) < 0.05 * loudest:
            continue
        x = x - x.mean()
        correlation = np.correlate(x, x, "full")[frame - 1 :]
        if correlation[0] <= 0:
            continue
        correlation = correlation / correlation[0]
        lag = shortest + int(np.argmax(correlation[shortest:longest]))
        if correlation[lag] > 0.5:
            pitches.append(rate / lag)
    assert len(pitches) >= 10, "too little voiced audio to tell a pitch"
    return float(np.median(pitches))


def gender_of(audio: bytes) -> str:
    """What a listener would say: "female" or "male", from the voice's pitch."""
    return "female" if median_pitch(audio) > GENDER_BOUNDARY_HZ else "male"


@contextmanager
def callback_receiver() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """An HTTP server on 127.0.0.1 recording the JSON of every POST; yields (url, bodies)."""
    bodies: list[dict[str, Any]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            bodies.append(json.loads(self.rfile.read(length)))
            self.send_response(204)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/callback", bodies
    finally:
        server.shutdown()
        server.server_close()
