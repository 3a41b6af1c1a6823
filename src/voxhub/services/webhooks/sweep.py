"""The reconciler's webhook pass: deliveries a dead process never created, messages lost."""

from __future__ import annotations

import logging

from voxhub.db.repositories.webhooks import DeliveryStore
from voxhub.services.webhooks.dispatcher import WebhookDispatcher
from voxhub.services.webhooks.queue import WebhookQueue
from voxhub.settings import WebhookSettings

log = logging.getLogger("voxhub.webhooks")

# terminal events older than this are not looked at: an upgrade or a long outage must not
# flood receivers with callbacks for jobs that ended long ago
MISSING_WITHIN = 24 * 3600.0


class WebhookSweep:
    def __init__(
        self,
        deliveries: DeliveryStore,
        dispatcher: WebhookDispatcher,
        queue: WebhookQueue,
        settings: WebhookSettings,
    ) -> None:
        self._deliveries = deliveries
        self._dispatcher = dispatcher
        self._queue = queue
        self._settings = settings

    def run_once(self) -> int:
        """One pass; returns how many delivery messages were sent."""
        wait = self._settings.resend_after
        created = sum(
            self._dispatcher.dispatch(event)
            for event in self._deliveries.missing(wait, MISSING_WITHIN)
        )
        resent = self._deliveries.recover(wait, self._settings.max_attempts)
        for delivery_id in resent:
            self._queue.send(delivery_id)
        if created or resent:
            log.warning(
                "webhook sweep: created %d missing deliveries, resent %d", created, len(resent)
            )
        return created + len(resent)
