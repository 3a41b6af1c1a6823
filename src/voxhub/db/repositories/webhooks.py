"""Webhook deliveries in the database: one per event, claimed under a lease, retried on a
schedule; safe to use from many processes at once."""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, and_, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from voxhub.db.models import (
    JobEventRow,
    JobRow,
    WebhookAttemptRow,
    WebhookDeliveryRow,
    utcnow,
)
from voxhub.db.repositories.events import TERMINAL_STATUSES, JobEvent, event_from_row

# a message may arrive a little before its countdown by the sender's clock: still due
_EARLY = timedelta(seconds=1)
LOST = "no answer recorded: the worker sending it stopped (restarted or killed)"


@dataclass(frozen=True)
class Attempt:
    attempted_at: datetime
    status_code: int | None
    error: str | None
    duration_ms: int


@dataclass(frozen=True)
class Outcome:
    """How one attempt ended."""

    status_code: int | None
    error: str | None
    duration_ms: int
    # retrying cannot help: the URL or a redirect points where callbacks may not go
    final: bool = False

    @property
    def delivered(self) -> bool:
        code = self.status_code
        return self.error is None and code is not None and 200 <= code < 300


@dataclass(frozen=True)
class Delivery:
    id: str
    job_id: str
    event_id: int
    event: str
    url: str
    body: str
    # pending, delivering, delivered or failed
    status: str
    attempts: int
    next_attempt_at: datetime | None
    last_status_code: int | None
    last_error: str | None
    created_at: datetime
    delivered_at: datetime | None
    history: tuple[Attempt, ...] = ()


class DeliveryStore:
    def __init__(self, engine: Engine, clock: Callable[[], datetime] = utcnow) -> None:
        self._engine = engine
        self._clock = clock

    def create(self, delivery_id: str, event: JobEvent, name: str, url: str, body: str) -> bool:
        """Store a delivery due now; False when the event has one already."""
        now = self._clock()
        try:
            with Session(self._engine) as session, session.begin():
                found = session.scalar(
                    select(WebhookDeliveryRow.id).where(WebhookDeliveryRow.event_id == event.id)
                )
                if found is not None:
                    return False
                session.add(
                    WebhookDeliveryRow(
                        id=delivery_id,
                        job_id=event.job_id,
                        event_id=event.id,
                        event=name,
                        url=url,
                        body=body,
                        status="pending",
                        attempts=0,
                        next_attempt_at=now,
                        created_at=now,
                    )
                )
        except IntegrityError:  # another process stored it first, or the job is gone
            return False
        return True

    def claim(self, delivery_id: str, lease_seconds: float) -> Delivery | None:
        """Take a due delivery for one attempt; None when it is not due, taken or finished."""
        now = self._clock()
        with Session(self._engine) as session, session.begin():
            claimed = session.execute(
                update(WebhookDeliveryRow)
                .where(
                    WebhookDeliveryRow.id == delivery_id,
                    WebhookDeliveryRow.status == "pending",
                    WebhookDeliveryRow.next_attempt_at <= now + _EARLY,
                )
                .values(
                    status="delivering",
                    attempts=WebhookDeliveryRow.attempts + 1,
                    lease_until=now + timedelta(seconds=lease_seconds),
                    next_attempt_at=None,
                )
                .execution_options(synchronize_session=False)
            )
            if _count(claimed) != 1:
                return None
            row = session.get(WebhookDeliveryRow, delivery_id)
            assert row is not None
            return _delivery(row)

    def record(
        self,
        delivery: Delivery,
        outcome: Outcome,
        attempted_at: datetime,
        max_attempts: int,
        backoff: Callable[[int], float],
    ) -> float | None:
        """Store a claimed attempt's outcome: seconds until the retry, or None when done."""
        now = self._clock()
        delay: float | None = None
        values: dict[str, object] = {
            "lease_until": None,
            "last_status_code": outcome.status_code,
            "last_error": outcome.error,
        }
        if outcome.delivered:
            values.update(status="delivered", delivered_at=now)
        elif outcome.final or delivery.attempts >= max_attempts:
            values.update(status="failed")
        else:
            delay = backoff(delivery.attempts)
            values.update(status="pending", next_attempt_at=now + timedelta(seconds=delay))
        try:
            with Session(self._engine) as session, session.begin():
                session.add(
                    WebhookAttemptRow(
                        delivery_id=delivery.id,
                        attempted_at=attempted_at,
                        status_code=outcome.status_code,
                        error=outcome.error,
                        duration_ms=outcome.duration_ms,
                    )
                )
                updated = session.execute(
                    update(WebhookDeliveryRow)
                    .where(
                        WebhookDeliveryRow.id == delivery.id,
                        WebhookDeliveryRow.status == "delivering",
                        # our claim, not a later one made after our lease ran out
                        WebhookDeliveryRow.attempts == delivery.attempts,
                    )
                    .values(**values)
                    .execution_options(synchronize_session=False)
                )
                if _count(updated) != 1:
                    return None
        except IntegrityError:  # the job, and its deliveries, were deleted meanwhile
            return None
        return delay

    def for_job(self, job_id: str) -> list[Delivery]:
        """A job's deliveries in event order, each with its attempts."""
        with Session(self._engine) as session:
            rows = session.scalars(
                select(WebhookDeliveryRow)
                .where(WebhookDeliveryRow.job_id == job_id)
                .order_by(WebhookDeliveryRow.event_id)
            ).all()
            history: dict[str, list[Attempt]] = {row.id: [] for row in rows}
            if history:
                attempts = session.scalars(
                    select(WebhookAttemptRow)
                    .where(WebhookAttemptRow.delivery_id.in_(list(history)))
                    .order_by(WebhookAttemptRow.id)
                )
                for attempt in attempts:
                    history[attempt.delivery_id].append(
                        Attempt(
                            attempt.attempted_at,
                            attempt.status_code,
                            attempt.error,
                            attempt.duration_ms,
                        )
                    )
            return [_delivery(row, tuple(history[row.id])) for row in rows]

    def progress_subscribers(self, job_ids: Collection[str]) -> set[str]:
        """The jobs among `job_ids` that asked for progress callbacks."""
        if not job_ids:
            return set()
        with Session(self._engine) as session:
            rows = session.execute(
                select(JobRow.id, JobRow.request).where(JobRow.id.in_(list(job_ids)))
            )
            return {job_id for job_id, request in rows if request.get("callback_progress")}

    # -- sweep ----------------------------------------------------------------------------

    def missing(self, older_than: float, within: float, limit: int = 100) -> list[JobEvent]:
        """Terminal events of jobs with a callback that have no delivery `older_than` seconds
        after they happened: the process that recorded them stopped before creating it."""
        now = self._clock()
        query = (
            select(JobEventRow, JobRow.callback_url)
            .join(JobRow, JobRow.id == JobEventRow.job_id)
            .outerjoin(WebhookDeliveryRow, WebhookDeliveryRow.event_id == JobEventRow.id)
            .where(
                JobRow.callback_url.is_not(None),
                JobEventRow.kind == "status",
                JobEventRow.status.in_(TERMINAL_STATUSES),
                JobEventRow.created_at < now - timedelta(seconds=older_than),
                JobEventRow.created_at > now - timedelta(seconds=within),
                WebhookDeliveryRow.id.is_(None),
            )
            .order_by(JobEventRow.id)
            .limit(limit)
        )
        with Session(self._engine) as session:
            return [event_from_row(row, url) for row, url in session.execute(query)]

    def recover(self, overdue_after: float, max_attempts: int, limit: int = 200) -> list[str]:
        """Deliveries whose message was lost or whose sender died, made due now; their ids.

        Each is moved forward in the same transaction, so the next sweep leaves it alone
        for another `overdue_after` seconds.
        """
        now = self._clock()
        due_before = now - timedelta(seconds=overdue_after)
        resend: list[str] = []
        with Session(self._engine) as session, session.begin():
            rows = session.scalars(
                select(WebhookDeliveryRow)
                .where(
                    or_(
                        and_(
                            WebhookDeliveryRow.status == "pending",
                            WebhookDeliveryRow.next_attempt_at < due_before,
                        ),
                        and_(
                            WebhookDeliveryRow.status == "delivering",
                            WebhookDeliveryRow.lease_until < now,
                        ),
                    )
                )
                .order_by(WebhookDeliveryRow.next_attempt_at)
                .limit(limit)
            ).all()
            for row in rows:
                if row.status == "delivering":
                    session.add(
                        WebhookAttemptRow(
                            delivery_id=row.id,
                            attempted_at=now,
                            status_code=None,
                            error=LOST,
                            duration_ms=0,
                        )
                    )
                    row.lease_until = None
                    row.last_status_code = None
                    row.last_error = LOST
                    if row.attempts >= max_attempts:
                        row.status = "failed"
                        continue
                    row.status = "pending"
                row.next_attempt_at = now
                resend.append(row.id)
        return resend


def _count(result: Any) -> int:
    return int(result.rowcount)


def _delivery(row: WebhookDeliveryRow, history: tuple[Attempt, ...] = ()) -> Delivery:
    return Delivery(
        id=row.id,
        job_id=row.job_id,
        event_id=row.event_id,
        event=row.event,
        url=row.url,
        body=row.body,
        status=row.status,
        attempts=row.attempts,
        next_attempt_at=row.next_attempt_at,
        last_status_code=row.last_status_code,
        last_error=row.last_error,
        created_at=row.created_at,
        delivered_at=row.delivered_at,
        history=history,
    )
