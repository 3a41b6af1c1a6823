"""What the delivery task does: claim a due delivery, POST it signed, record, schedule a retry."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from voxhub.db.models import utcnow
from voxhub.db.repositories.webhooks import DeliveryStore
from voxhub.services.webhooks.queue import WebhookQueue
from voxhub.services.webhooks.sender import Sender
from voxhub.services.webhooks.signing import delivery_headers
from voxhub.settings import WebhookSettings

log = logging.getLogger("voxhub.webhooks")

# a delivery's lease outlasts the task's hard time limit by this much, so a live sender
# never sees its delivery taken over by the sweep
LEASE_MARGIN = 30.0


def backoff(settings: WebhookSettings, attempt: int) -> float:
    """Seconds before the retry that follows failed attempt number `attempt` (from 1)."""
    delay = settings.retry_initial * settings.retry_multiplier ** (attempt - 1)
    return float(min(delay, settings.retry_max))


class Courier:
    def __init__(
        self,
        deliveries: DeliveryStore,
        sender: Sender,
        queue: WebhookQueue,
        settings: WebhookSettings,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._deliveries = deliveries
        self._sender = sender
        self._queue = queue
        self._settings = settings
        self._clock = clock

    @property
    def lease_seconds(self) -> float:
        return self._sender.time_limit + LEASE_MARGIN

    def run(self, delivery_id: str) -> None:
        """One attempt, if the delivery is due and nobody else holds it; idempotent."""
        delivery = self._deliveries.claim(delivery_id, self.lease_seconds)
        if delivery is None:
            return
        body = delivery.body.encode()
        started = self._clock()
        headers = delivery_headers(
            self._settings.secret,
            delivery.id,
            delivery.event,
            delivery.attempts,
            body,
            int(started.timestamp()),
        )
        outcome = self._sender.post(delivery.url, body, headers)
        retry_in = self._deliveries.record(
            delivery,
            outcome,
            started,
            self._settings.max_attempts,
            lambda attempt: backoff(self._settings, attempt),
        )
        if outcome.delivered:
            log.info("webhook %s (%s) delivered", delivery.id, delivery.event)
            return
        log.warning(
            "webhook %s (%s) attempt %d failed: %s",
            delivery.id,
            delivery.event,
            delivery.attempts,
            outcome.error,
        )
        if retry_in is not None:
            # lost with the broker or a restarted worker, the sweep sends it again
            self._queue.send(delivery.id, delay=retry_in)
