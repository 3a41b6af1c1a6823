"""Files of long-text jobs: chunk outputs under deterministic names, and the merged results."""

from __future__ import annotations

import json
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from voxhub.engines.base import Samples
from voxhub.errors import NotFound
from voxhub.timing import SentenceTiming, WordTiming

_JOB_ID = re.compile(r"^[0-9a-f]{32}$")
RESULT_NAMES = ("subtitles.srt", "subtitles.vtt", "timings.json")


@dataclass(frozen=True)
class ChunkOutput:
    samples: Samples
    sample_rate: int
    sentences: tuple[SentenceTiming, ...]


class JobFiles:
    """`{root}/{job}/chunks/{index}.pcm|.json` while a job runs, `{root}/{job}/…` results."""

    def __init__(self, root: Path) -> None:
        self._root = root

    def job_dir(self, job_id: str) -> Path:
        if not _JOB_ID.match(job_id):
            raise NotFound(f"No job {job_id!r}; job ids are 32 hexadecimal characters.")
        return self._root / job_id

    def save_chunk(self, job_id: str, index: int, output: ChunkOutput) -> None:
        """Idempotent: a redelivered chunk overwrites its own files, atomically."""
        folder = self.job_dir(job_id) / "chunks"
        folder.mkdir(parents=True, exist_ok=True)
        audio = folder / f"{index:05d}.pcm"
        meta = folder / f"{index:05d}.json"
        # 16-bit like every output format: half the disk of float32 for long jobs
        pcm = np.round(np.clip(output.samples, -1.0, 1.0) * 32767.0).astype("<i2")
        _atomic_write(audio, pcm.tobytes())
        document = {
            "sample_rate": output.sample_rate,
            "sentences": [sentence_to_json(s) for s in output.sentences],
        }
        _atomic_write(meta, json.dumps(document, ensure_ascii=False).encode())

    def load_chunk(self, job_id: str, index: int) -> ChunkOutput:
        folder = self.job_dir(job_id) / "chunks"
        document = json.loads((folder / f"{index:05d}.json").read_text(encoding="utf-8"))
        pcm = np.fromfile(folder / f"{index:05d}.pcm", dtype="<i2")
        samples = (pcm.astype(np.float32) / 32767.0).astype(np.float32)
        sentences = tuple(sentence_from_json(s) for s in document["sentences"])
        return ChunkOutput(samples, int(document["sample_rate"]), sentences)

    def remove_chunks(self, job_id: str) -> None:
        shutil.rmtree(self.job_dir(job_id) / "chunks", ignore_errors=True)

    def result_path(self, job_id: str, name: str) -> Path:
        folder = self.job_dir(job_id)
        folder.mkdir(parents=True, exist_ok=True)
        return folder / name

    def find_result(self, job_id: str, name: str) -> Path:
        path = self.job_dir(job_id) / name
        if not path.is_file():
            raise NotFound(f"Job {job_id} has no {name} yet; results exist once it succeeded.")
        return path

    def write_result(self, job_id: str, name: str, data: bytes) -> None:
        _atomic_write(self.result_path(job_id, name), data)

    def remove(self, job_id: str) -> None:
        shutil.rmtree(self.job_dir(job_id), ignore_errors=True)


def sentence_to_json(sentence: SentenceTiming) -> dict[str, Any]:
    return {
        "text": sentence.text,
        "start": round(sentence.start, 4),
        "end": round(sentence.end, 4),
        "words": [
            {"text": w.text, "start": round(w.start, 4), "end": round(w.end, 4)}
            for w in sentence.words
        ],
    }


def sentence_from_json(data: dict[str, Any]) -> SentenceTiming:
    return SentenceTiming(
        text=data["text"],
        start=float(data["start"]),
        end=float(data["end"]),
        words=tuple(
            WordTiming(w["text"], float(w["start"]), float(w["end"])) for w in data["words"]
        ),
    )


def _atomic_write(path: Path, data: bytes) -> None:
    partial = path.with_name(f"{path.name}.{os.getpid()}.part")
    partial.write_bytes(data)
    os.replace(partial, path)
