"""Long-text jobs for the API: validate and submit, look up, cancel, retry."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping, Sequence

from voxhub.access import Access
from voxhub.db.models import JobRow
from voxhub.db.repositories.job_views import JobView
from voxhub.db.repositories.jobs import JobStore
from voxhub.errors import JobNotFound, TextTooLong
from voxhub.services.auth.limits import KeyLimiter
from voxhub.services.jobs.queue import JobQueue
from voxhub.services.jobs.runner import request_to_json
from voxhub.services.synthesis import SynthesisRequest, Synthesizer
from voxhub.services.webhooks.ssrf import CallbackPolicy
from voxhub.settings import JobSettings
from voxhub.text.chunking import chunk_text

log = logging.getLogger("voxhub.jobs")


class JobService:
    """Blocking calls (database, broker); the API runs them in worker threads."""

    def __init__(
        self,
        store: JobStore,
        queue: JobQueue,
        synthesizer: Synthesizer,
        settings: JobSettings,
        callback_policy: CallbackPolicy | None = None,
        limiter: KeyLimiter | None = None,
    ) -> None:
        self._store = store
        self._limiter = limiter
        self._queue = queue
        self._synthesizer = synthesizer
        self._settings = settings
        self._callback_policy = callback_policy or CallbackPolicy()

    def submit(
        self,
        request: SynthesisRequest,
        access: Access,
        callback_url: str | None = None,
        priority: int = 5,
        callback_progress: bool = False,
        labels: Mapping[str, str] | None = None,
    ) -> JobView:
        """`labels` are the caller's own names for the job (read back from `request`)."""
        limit = self._settings.max_chars
        text = request.text.strip()
        if len(text) > limit:
            raise TextTooLong(
                f"Text has {len(text)} characters; a job takes at most {limit:,}. "
                "Split the text into several jobs."
            )
        # everything a worker could trip over is checked now, while the user is waiting
        plan = self._synthesizer.plan(request, access, max_chars=limit)
        resolved = SynthesisRequest(
            text=text,
            voice=plan.voice.id,
            language=plan.language,
            format=plan.format.extension,
            sample_rate=plan.sample_rate,
            params=plan.params,
        )
        if callback_url is not None:
            # a URL reaching inside the network is refused now, not at the first callback
            self._callback_policy.check(callback_url)
        if self._limiter is not None:
            self._limiter.job(access)
            self._limiter.characters(access, len(text))
        chunks = chunk_text(text, self._settings.chunk_chars)
        job_id = uuid.uuid4().hex
        stored = {**request_to_json(resolved), "callback_progress": callback_progress}
        if labels:
            stored["labels"] = dict(labels)
        job = self._store.create(
            job_id, text, stored, chunks, callback_url, priority, owner=access.tenant
        )
        self._send_chunks(job_id, list(enumerate(chunks)), priority)
        return job

    def get(self, job_id: str, access: Access) -> JobView:
        """The job, if `access` may see it; another tenant's job is not found, as if it did
        not exist."""
        job = self._store.get(job_id)
        if not access.sees(job.owner):
            raise JobNotFound(f"No job {job_id!r}; list your jobs with GET /v1/tts/jobs.")
        return job

    def text(self, job_id: str, access: Access) -> str:
        """The text a job speaks, as it was submitted (without edge whitespace)."""
        self.get(job_id, access)
        return str(self._store.get_row_value(job_id, JobRow.text))

    def find(
        self, status: str | Sequence[str] | None, limit: int, offset: int, access: Access
    ) -> tuple[list[JobView], int]:
        return self._store.find(status, limit, offset, owner=access.owner_filter)

    def cancel(self, job_id: str, access: Access) -> JobView:
        self.get(job_id, access)
        return self._store.cancel(job_id)

    def retry(self, job_id: str, access: Access) -> JobView:
        self.get(job_id, access)
        job, indexes = self._store.retry(job_id)
        if indexes:
            texts = self._store.chunk_texts(job_id)
            self._send_chunks(job_id, [(i, texts[i]) for i in indexes], job.priority)
        elif self._store.mark_merge_queued(job_id):
            self._queue.send_merge(job_id)
        return self._store.get(job_id)

    def _send_chunks(self, job_id: str, chunks: list[tuple[int, str]], priority: int) -> None:
        try:
            for index, text in chunks:
                self._queue.send_chunk(job_id, index, len(text), priority=priority)
        except Exception:  # the job is stored: the reconciler sends what the broker missed
            log.exception("job %s: broker unreachable, the reconciler will resend", job_id)
