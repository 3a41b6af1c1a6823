"""Online TTS for the API: synthesize off the event loop, encode, store, and stream."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, AsyncIterator, Callable
from dataclasses import dataclass, field
from functools import partial

import anyio
import numpy as np

from voxhub.access import Access
from voxhub.audio.encode import StreamEncoder, encode
from voxhub.audio.resample import StreamResampler, resample
from voxhub.engines.tts.base import Voice
from voxhub.errors import DeadlineExceeded
from voxhub.objects.results import ResultFiles
from voxhub.services.admission import Admission, Ticket
from voxhub.services.auth.limits import KeyLimiter
from voxhub.services.synthesis import (
    SynthesisPlan,
    SynthesisRequest,
    Synthesizer,
)
from voxhub.subtitles.cues import Cue, CueRules, build_cues
from voxhub.timing import SentenceTiming


@dataclass(frozen=True)
class OnlineResult:
    id: str
    extension: str
    media_type: str
    duration: float
    sample_rate: int
    voice: Voice
    language: str
    sentences: tuple[SentenceTiming, ...]
    cues: tuple[Cue, ...]
    # the encoded file as stored, for routes that answer with the audio itself
    audio: bytes = field(repr=False)


@dataclass(frozen=True)
class AudioStream:
    """A validated streaming request: its media type is known before the first byte."""

    plan: SynthesisPlan
    media_type: str
    chunks: AsyncIterator[bytes]


class OnlineSynthesis:
    """Runs blocking synthesis in worker threads, at most `limiter` at a time."""

    def __init__(
        self,
        synthesizer: Synthesizer,
        results: ResultFiles,
        cue_rules: CueRules,
        limiter: anyio.CapacityLimiter,
        admission: Admission,
        quota: KeyLimiter | None = None,
    ) -> None:
        self._synthesizer = synthesizer
        # per-key characters of the day; None counts nothing
        self._quota = quota
        self._results = results
        self._cue_rules = cue_rules
        self._limiter = limiter
        self._admission = admission

    async def plan(
        self, request: SynthesisRequest, access: Access, max_chars: int | None = None
    ) -> SynthesisPlan:
        """Validate `request` and count its characters against the key's daily allowance;
        `max_chars` replaces the online text limit for callers whose clients expect another
        (the length classes and deadlines still apply)."""

        def plan() -> SynthesisPlan:
            planned = self._synthesizer.plan(request, access, max_chars)
            if self._quota is not None:
                self._quota.characters(access, planned.characters)
            return planned

        # resolving a voice may load an engine the first time: keep it off the loop
        return await anyio.to_thread.run_sync(plan)

    async def synthesize(
        self, request: SynthesisRequest, access: Access, max_chars: int | None = None
    ) -> OnlineResult:
        """Validate, wait for a slot of the text's class, synthesize within the deadline.

        Past the deadline the caller gets DeadlineExceeded at once, while the inference is
        told to stop at its next sentence; its slot frees only when it really has stopped,
        so a burst of timed-out requests never runs more inferences than the limits allow.
        """
        self._admission.precheck(len(request.text.strip()))
        plan = await self.plan(request, access, max_chars)
        characters = plan.characters
        ticket = await self._admission.admit(plan.engine.name, characters, plan.language)
        work = asyncio.ensure_future(
            anyio.to_thread.run_sync(
                partial(self._render, plan, access.tenant, ticket.cancelled.is_set),
                limiter=self._limiter,
            )
        )
        work.add_done_callback(lambda done: _settle(done, ticket))
        try:
            result = await asyncio.wait_for(asyncio.shield(work), ticket.remaining())
        except TimeoutError:
            ticket.cancelled.set()
            self._admission.timed_out(ticket)
            raise DeadlineExceeded(
                f"Synthesis of {characters} characters did not finish within its deadline of "
                f"{ticket.timeout:.0f} s; the server is busy, retry later or use a job "
                "(POST /v1/tts/jobs).",
                timeout=ticket.timeout,
            ) from None
        except asyncio.CancelledError:
            ticket.cancelled.set()  # the caller went away: stop at the next sentence
            raise
        self._admission.observe(ticket, plan.engine.name, characters, plan.language)
        return result

    async def stream(
        self, request: SynthesisRequest, access: Access, max_chars: int | None = None
    ) -> AudioStream:
        """Validate now; the returned chunks synthesize sentence by sentence as they are read."""
        self._admission.precheck(len(request.text.strip()))
        plan = await self.plan(request, access, max_chars)
        ticket = await self._admission.admit(plan.engine.name, plan.characters, plan.language)
        chunks = _released_after(self._chunks(plan), ticket)
        # The first sentence is spoken before the response starts, so an engine that
        # fails outright still gets a proper error status instead of a cut stream.
        first = await anext(chunks, b"")
        return AudioStream(plan, plan.format.media_type(plan.sample_rate), _prepend(first, chunks))

    async def _chunks(self, plan: SynthesisPlan) -> AsyncGenerator[bytes, None]:
        encoder = StreamEncoder(plan.format, plan.sample_rate)
        resampler = (
            StreamResampler(plan.engine_rate, plan.sample_rate)
            if plan.sample_rate != plan.engine_rate
            else None
        )
        sentences = self._synthesizer.sentences(plan)
        # A reader that goes away cancels this generator between sentences; the sentence
        # in progress finishes in its thread first, so no inference outlives its slot.
        while True:
            item = await anyio.to_thread.run_sync(
                partial(next, sentences, None), limiter=self._limiter
            )
            if item is None:
                break
            samples = resampler.process(item.samples) if resampler else item.samples
            data = encoder.feed(samples)
            if data:
                yield data
        tail = resampler.process(np.zeros(0, np.float32), last=True) if resampler else None
        data = (encoder.feed(tail) if tail is not None and len(tail) else b"") + encoder.finish()
        if data:
            yield data

    def _render(
        self, plan: SynthesisPlan, owner: str | None, cancelled: Callable[[], bool]
    ) -> OnlineResult:
        result = self._synthesizer.synthesize(plan, cancelled)
        samples = resample(result.samples, result.sample_rate, plan.sample_rate)
        result_id = self._results.new_id(owner)
        extension = plan.format.extension
        audio = encode(samples, plan.sample_rate, plan.format)
        self._results.save(result_id, extension, audio)
        cues = build_cues(result.sentences, self._cue_rules)
        return OnlineResult(
            id=result_id,
            extension=extension,
            media_type=plan.format.media_type(plan.sample_rate),
            duration=len(samples) / plan.sample_rate,
            sample_rate=plan.sample_rate,
            voice=plan.voice,
            language=plan.language,
            sentences=result.sentences,
            cues=tuple(cues),
            audio=audio,
        )


async def _prepend(first: bytes, rest: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
    if first:
        yield first
    async for chunk in rest:
        yield chunk


def _settle(work: asyncio.Future[OnlineResult], ticket: Ticket) -> None:
    """Free the slot once the inference has ended, however it ended."""
    ticket.release()
    if not work.cancelled():
        work.exception()  # retrieved here when nobody awaits it any more (timed out)


async def _released_after(
    chunks: AsyncGenerator[bytes, None], ticket: Ticket
) -> AsyncIterator[bytes]:
    """Hold the stream's slot until its last sentence is spoken or its reader leaves."""
    try:
        async for chunk in chunks:
            yield chunk
    finally:
        ticket.cancelled.set()
        await chunks.aclose()
        ticket.release()
