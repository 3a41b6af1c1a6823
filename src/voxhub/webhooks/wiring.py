"""The webhook parts of one process, built from settings."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import Engine

from voxhub.settings import Settings
from voxhub.webhooks.courier import Courier
from voxhub.webhooks.deliveries import DeliveryStore
from voxhub.webhooks.dispatcher import WebhookDispatcher
from voxhub.webhooks.queue import CeleryWebhookQueue
from voxhub.webhooks.sender import Sender
from voxhub.webhooks.ssrf import CallbackPolicy
from voxhub.webhooks.sweep import WebhookSweep

if TYPE_CHECKING:
    from celery import Celery


@dataclass
class Webhooks:
    policy: CallbackPolicy
    deliveries: DeliveryStore
    # a job store listener, in the API and in every worker
    dispatcher: WebhookDispatcher
    # runs the delivery task, in workers
    courier: Courier
    # run by the reconciler, in the API
    sweep: WebhookSweep

    @classmethod
    def build(cls, settings: Settings, database: Engine, celery: Celery) -> Webhooks:
        config = settings.webhooks
        policy = CallbackPolicy(config.allow_hosts)
        deliveries = DeliveryStore(database)
        sender = Sender(policy, config.timeout)
        queue = CeleryWebhookQueue(celery, sender.time_limit)
        dispatcher = WebhookDispatcher(deliveries, queue, settings.server.public_url)
        return cls(
            policy=policy,
            deliveries=deliveries,
            dispatcher=dispatcher,
            courier=Courier(deliveries, sender, queue, config),
            sweep=WebhookSweep(deliveries, dispatcher, queue, config),
        )
