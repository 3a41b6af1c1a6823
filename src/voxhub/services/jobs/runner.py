"""What workers do: synthesize one chunk, and merge a finished job's chunks into its results."""

from __future__ import annotations

import itertools
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from voxhub.audio.encode import AudioFileWriter
from voxhub.audio.formats import parse_format
from voxhub.db.repositories.job_views import ACTIVE
from voxhub.db.repositories.jobs import JobStore
from voxhub.engines.tts.base import SynthesisParams
from voxhub.errors import StorageUnavailable, SynthesisCancelled, VoxhubError
from voxhub.services.jobs.files import ChunkOutput, JobFiles, sentence_to_json
from voxhub.services.jobs.lease import LeaseKeeper
from voxhub.services.synthesis import SynthesisRequest, Synthesizer, merge_silent
from voxhub.settings import JobSettings
from voxhub.subtitles.cues import CueRules, build_cues
from voxhub.subtitles.formats import to_json, to_srt, to_vtt
from voxhub.timing import SentenceTiming

log = logging.getLogger("voxhub.jobs")


@dataclass(frozen=True)
class ChunkOutcome:
    """What the task must do next after running a chunk."""

    # this chunk was the last one: enqueue the merge
    merge: bool = False
    # seconds until the chunk is sent again: it failed and may retry, or (0) a worker that
    # is stopping gave it back
    retry_in: float | None = None
    # retries ran out: the job failed and the message goes to the dead-letter queue
    dead: bool = False
    # length of the chunk's text, which sets the time limit of its next attempt
    characters: int = 0


def request_to_json(request: SynthesisRequest) -> dict[str, Any]:
    """The parts of a validated request a worker needs, as stored with the job."""
    p = request.params
    return {
        "voice": request.voice,
        "language": request.language,
        "format": request.format,
        "sample_rate": request.sample_rate,
        "speed": p.speed,
        "temperature": p.temperature,
        "top_p": p.top_p,
        "top_k": p.top_k,
        "instruction": p.instruction,
    }


def request_from_json(text: str, data: dict[str, Any]) -> SynthesisRequest:
    return SynthesisRequest(
        text=text,
        voice=data["voice"],
        language=data["language"],
        format=data["format"],
        sample_rate=data["sample_rate"],
        params=SynthesisParams(
            speed=data["speed"],
            temperature=data["temperature"],
            top_p=data["top_p"],
            top_k=data["top_k"],
            instruction=data["instruction"],
        ),
    )


def chunk_time_limit(settings: JobSettings, characters: int) -> float:
    """The hard time limit of one chunk, scaled by its length."""
    return settings.time_limit_base + settings.time_limit_per_char * characters


def soft_time_limit(hard: float) -> float:
    """When a chunk is told to stop: early enough to record its failure and schedule its
    retry before the hard limit kills the process (a process killed while it hands back a
    result can leave its pool's shared lock taken, stalling the other processes)."""
    return hard - min(5.0, hard / 2)


def retry_delay(settings: JobSettings, attempt: int) -> float:
    """Exponential backoff: initial * multiplier^(attempt-1), capped."""
    delay = settings.retry_initial * settings.retry_multiplier ** max(attempt - 1, 0)
    return float(min(delay, settings.retry_max))


class JobRunner:
    """Runs chunk and merge steps against the store; every step is safe to run twice."""

    def __init__(
        self,
        store: JobStore,
        files: JobFiles,
        synthesizer: Synthesizer,
        settings: JobSettings,
        cue_rules: CueRules,
        chunk_pause: float,
    ) -> None:
        self._store = store
        self._files = files
        self._synthesizer = synthesizer
        self._settings = settings
        self._cue_rules = cue_rules
        self._chunk_pause = chunk_pause

    def run_chunk(
        self, job_id: str, index: int, stopping: Callable[[], bool] = lambda: False
    ) -> ChunkOutcome:
        """Synthesize one chunk. When `stopping` turns true (its worker is told to stop) the
        chunk goes back to the queue untouched at its next sentence, or at once when it had
        not started, and the outcome says to send it again now."""
        settings = self._settings
        if stopping():
            # a stopping worker takes no new work: the chunk keeps its attempts for another
            text = self._store.chunk(job_id, index).text
            return ChunkOutcome(retry_in=0.0, characters=len(text))
        claimed = self._store.claim_chunk(job_id, index, settings.lease)
        if claimed is None:
            # already done, taken by another worker, or the job stopped: nothing to do
            return ChunkOutcome()
        checks = itertools.count()
        keeper = LeaseKeeper(
            self._store, job_id, index, claimed.attempts, settings.heartbeat, settings.lease
        )

        def stopped() -> bool:
            # the claim just saw the job active: ask the database from the 2nd sentence on
            return (
                stopping()
                or keeper.lost
                or (next(checks) > 0 and not self._store.is_active(job_id))
            )

        try:
            assert claimed.request is not None
            request = request_from_json(claimed.text, claimed.request)
            with keeper:
                # planning may load the engine: the lease is kept from here on
                plan = self._synthesizer.plan(request, max_chars=len(claimed.text) + 1)
                result = self._synthesizer.synthesize(plan, cancelled=stopped)
                self._files.save_chunk(
                    job_id, index, ChunkOutput(result.samples, result.sample_rate, result.sentences)
                )
        except SynthesisCancelled:
            # not when the lease was lost: the chunk may be another worker's now
            self._store.release_chunk(job_id, index, claimed.attempts)
            if stopping() and not keeper.lost:
                # released, not left to its lease: another worker takes it right away
                return ChunkOutcome(retry_in=0.0, characters=len(claimed.text))
            return ChunkOutcome()
        except Exception as exc:  # any failure of one attempt is retried, then dead-lettered
            message = (
                exc.message if isinstance(exc, VoxhubError) else f"{type(exc).__name__}: {exc}"
            )
            log.warning(
                "job %s chunk %s attempt %s failed: %s", job_id, index, claimed.attempts, message
            )
            delay = self._store.fail_chunk(
                job_id,
                index,
                message,
                self._settings.max_retries,
                lambda attempt: retry_delay(self._settings, attempt),
            )
            return ChunkOutcome(retry_in=delay, dead=delay is None, characters=len(claimed.text))
        merge = self._store.complete_chunk(job_id, index, len(result.samples) / result.sample_rate)
        return ChunkOutcome(merge=merge)

    def merge(self, job_id: str) -> bool:
        """Write audio and subtitles from the chunk files; True when the job succeeded."""
        job = self._store.get(job_id)
        if job.status not in ACTIVE:
            return False
        try:
            duration = self._write_results(job_id, job.request, job.chunks_total)
        except Exception as exc:  # a merge that cannot complete fails the job visibly
            log.exception("job %s merge failed", job_id)
            self._store.fail_job(job_id, f"Merging the chunks failed: {exc}")
            return False
        if self._store.finish_job(job_id, duration):
            try:
                self._files.remove_chunks(job_id)
            except StorageUnavailable as exc:
                # the job succeeded regardless; leftover chunks go when the job is purged
                log.warning("job %s: removing its chunks failed: %s", job_id, exc.message)
            return True
        return False

    def _write_results(self, job_id: str, request: dict[str, Any], chunks: int) -> float:
        fmt = parse_format(request["format"])
        name = f"audio.{fmt.extension}"
        # the audio grows in a local file, then goes to the store in parts: memory stays flat
        with self._files.scratch() as folder:
            duration, sample_rate, sentences = self._write_audio(
                job_id, request, chunks, folder / name
            )
            self._files.upload_result(
                job_id, name, folder / name, fmt.media_type(request["sample_rate"])
            )
        merged = merge_silent(sentences)
        cues = build_cues(merged, self._cue_rules)
        self._files.write_result(job_id, "subtitles.srt", to_srt(cues).encode())
        self._files.write_result(job_id, "subtitles.vtt", to_vtt(cues).encode())
        timings = {
            "duration": round(duration, 4),
            "sample_rate": sample_rate,
            "sentences": [sentence_to_json(s) for s in merged],
            "cues": to_json(cues),
        }
        self._files.write_result(
            job_id, "timings.json", json.dumps(timings, ensure_ascii=False).encode()
        )
        return duration

    def _write_audio(
        self, job_id: str, request: dict[str, Any], chunks: int, path: Path
    ) -> tuple[float, int, list[SentenceTiming]]:
        """The chunks' audio into one file at `path`: its duration, sample rate and timings."""
        fmt = parse_format(request["format"])
        writer: AudioFileWriter | None = None
        sentences: list[SentenceTiming] = []
        written = 0
        rate = 0
        try:
            for index in range(chunks):
                # one chunk in memory at a time: memory stays flat whatever the text length
                # 16-bit as stored: the writer converts only when it must resample
                output = self._files.load_chunk_pcm16(job_id, index)
                rate = output.sample_rate
                if writer is None:
                    writer = AudioFileWriter(path, fmt, request["sample_rate"] or rate, rate)
                samples = output.pcm
                if written and len(samples):
                    pause = np.zeros(round(self._chunk_pause * rate), dtype=np.int16)
                    writer.write_pcm16(pause)
                    written += len(pause)
                offset = written / rate
                sentences.extend(s.shifted(offset) for s in output.sentences)
                writer.write_pcm16(samples)
                written += len(samples)
            if writer is None:
                raise VoxhubError(f"Job {job_id} has no chunks to merge.")
            writer.close()
        except BaseException:
            if writer is not None:
                writer.abort()
            raise
        return written / rate, writer.sample_rate, sentences
