"""A job store listener: turns the events a job's callback wants into deliveries and tasks."""

from __future__ import annotations

import logging
import uuid

from voxhub.db.repositories.events import JobEvent
from voxhub.db.repositories.webhooks import DeliveryStore
from voxhub.services.webhooks.payload import event_name, render
from voxhub.services.webhooks.queue import WebhookQueue

log = logging.getLogger("voxhub.webhooks")


def wants_terminal(event: JobEvent) -> bool:
    # a chunk finishing after its job was cancelled records a "progress" event with the
    # terminal status: only the status change itself ends the job
    return event.kind == "status" and event.terminal


class WebhookDispatcher:
    """Runs in whichever process made the change, after it committed (API or worker)."""

    def __init__(self, deliveries: DeliveryStore, queue: WebhookQueue, public_url: str) -> None:
        self._deliveries = deliveries
        self._queue = queue
        self._public_url = public_url

    def __call__(self, events: list[JobEvent]) -> None:
        called = [event for event in events if event.callback_url]
        progress = [event for event in called if not event.terminal]
        subscribers = self._deliveries.progress_subscribers({e.job_id for e in progress})
        for event in called:
            if wants_terminal(event) or (not event.terminal and event.job_id in subscribers):
                self.dispatch(event)

    def dispatch(self, event: JobEvent) -> bool:
        """Create the event's delivery and send its task; False when it existed already."""
        assert event.callback_url is not None
        delivery_id = uuid.uuid4().hex
        body = render(delivery_id, event, self._public_url)
        if not self._deliveries.create(
            delivery_id, event, event_name(event), event.callback_url, body
        ):
            return False
        try:
            self._queue.send(delivery_id)
        except Exception:  # the delivery is stored: the sweep sends what the broker missed
            log.exception("webhook %s: broker unreachable, the sweep will resend", delivery_id)
        return True
