"""Files of long-text jobs in the object store: chunk outputs under deterministic keys, results."""

from __future__ import annotations

import json
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from voxhub.engines.tts.base import Samples
from voxhub.errors import NotFound, ObjectNotFound
from voxhub.objects.base import Download, ObjectStore, locate
from voxhub.timing import SentenceTiming, WordTiming

_JOB_ID = re.compile(r"^[0-9a-f]{32}$")
# the results besides the audio, with the media types they are served as
RESULT_TYPES = {
    "subtitles.srt": "application/x-subrip; charset=utf-8",
    "subtitles.vtt": "text/vtt; charset=utf-8",
    "timings.json": "application/json",
}
RESULT_NAMES = tuple(RESULT_TYPES)


@dataclass(frozen=True)
class ChunkOutput:
    samples: Samples
    sample_rate: int
    sentences: tuple[SentenceTiming, ...]


@dataclass(frozen=True)
class StoredChunk:
    pcm: npt.NDArray[np.int16]
    sample_rate: int
    sentences: tuple[SentenceTiming, ...]


class JobFiles:
    """`jobs/{job}/chunks/{index}.pcm|.json` while a job runs, `jobs/{job}/{name}` results.

    Every worker reads and writes the same store, so with S3 the chunks one machine
    synthesized are merged on another.
    """

    def __init__(self, store: ObjectStore, scratch: Path | None = None) -> None:
        """`scratch` holds the merge's temporary audio file (the system's temp dir if None)."""
        self._store = store
        self._scratch = scratch

    def key(self, job_id: str, name: str) -> str:
        if not _JOB_ID.match(job_id):
            raise NotFound(f"No job {job_id!r}; job ids are 32 hexadecimal characters.")
        return f"jobs/{job_id}/{name}"

    def save_chunk(self, job_id: str, index: int, output: ChunkOutput) -> None:
        """Idempotent: a redelivered chunk overwrites its own objects, each atomically."""
        # 16-bit like every output format: half the storage of float32 for long jobs
        pcm = np.round(np.clip(output.samples, -1.0, 1.0) * 32767.0).astype("<i2")
        document = {
            "sample_rate": output.sample_rate,
            "sentences": [sentence_to_json(s) for s in output.sentences],
        }
        self._store.put_bytes(self._chunk_key(job_id, index, "pcm"), pcm.tobytes())
        self._store.put_bytes(
            self._chunk_key(job_id, index, "json"),
            json.dumps(document, ensure_ascii=False).encode(),
        )

    def load_chunk(self, job_id: str, index: int) -> ChunkOutput:
        stored = self.load_chunk_pcm16(job_id, index)
        samples = (stored.pcm.astype(np.float32) / 32767.0).astype(np.float32)
        return ChunkOutput(samples, stored.sample_rate, stored.sentences)

    def load_chunk_pcm16(self, job_id: str, index: int) -> StoredChunk:
        """The chunk with its audio as stored: no conversion for a merge that needs none."""
        document = json.loads(self._store.get_bytes(self._chunk_key(job_id, index, "json")))
        pcm = np.frombuffer(self._store.get_bytes(self._chunk_key(job_id, index, "pcm")), "<i2")
        sentences = tuple(sentence_from_json(s) for s in document["sentences"])
        return StoredChunk(
            pcm.astype(np.int16, copy=False), int(document["sample_rate"]), sentences
        )

    def remove_chunks(self, job_id: str) -> int:
        return self._store.delete_prefix(self.key(job_id, "chunks"))

    @contextmanager
    def scratch(self) -> Iterator[Path]:
        """A private local folder for a result written piece by piece; removed afterwards."""
        if self._scratch is not None:
            self._scratch.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix="merge-", dir=self._scratch) as folder:
            yield Path(folder)

    def upload_result(self, job_id: str, name: str, path: Path, media_type: str) -> None:
        """Store a result from a local file it takes over, streamed so memory stays flat."""
        key = self.key(job_id, name)
        self._store.move_file(key, path, media_type, download_name(job_id, name))

    def write_result(self, job_id: str, name: str, data: bytes) -> None:
        key = self.key(job_id, name)
        self._store.put_bytes(key, data, RESULT_TYPES.get(name), download_name(job_id, name))

    def find_result(self, job_id: str, name: str) -> Download:
        """A presigned URL (S3) or the local file (local storage) of a result."""
        try:
            return locate(self._store, self.key(job_id, name))
        except ObjectNotFound as exc:
            raise NotFound(
                f"Job {job_id} has no {name} yet; results exist once it succeeded."
            ) from exc

    def read_result(self, job_id: str, name: str) -> bytes:
        """The bytes of a small result (subtitles, timings), for answers that carry it inline."""
        try:
            return self._store.get_bytes(self.key(job_id, name))
        except ObjectNotFound as exc:
            raise NotFound(
                f"Job {job_id} has no {name} yet; results exist once it succeeded."
            ) from exc

    def remove(self, job_id: str) -> int:
        """Every object of the job; returns how many there were."""
        return self._store.delete_prefix(self.key(job_id, ""))

    def _chunk_key(self, job_id: str, index: int, extension: str) -> str:
        return self.key(job_id, f"chunks/{index:05d}.{extension}")


def download_name(job_id: str, name: str) -> str:
    """What a download of result `name` is saved as: `{job}.wav`, `{job}.subtitles.srt`."""
    if name.startswith("audio."):
        return f"{job_id}.{name.removeprefix('audio.')}"
    return f"{job_id}.{name}"


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
