"""The job queue's length as each broker tells it: what finds messages a broker lost."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.support.backends import RABBITMQ, REDIS, require_server
from voxhub.settings import JobSettings, Settings
from voxhub.tasks.celery_app import make_celery
from voxhub.tasks.queue import QUEUE, CeleryJobQueue


@pytest.mark.parametrize("broker", ["embedded", "redis", "rabbitmq"])
def test_waiting_counts_the_messages_the_broker_holds(broker: str, tmp_path: Path) -> None:
    url = {"embedded": "", "redis": REDIS.replace("/0", "/7"), "rabbitmq": RABBITMQ}[broker]
    if url:
        require_server(url)
    settings = Settings(data_dir=tmp_path, jobs=JobSettings(broker_url=url))
    app = make_celery(settings)
    queue = CeleryJobQueue(app, settings.jobs)
    with app.connection_for_write() as connection:
        # an empty queue first (on Redis an empty queue has no key at all)
        app.amqp.queues[QUEUE](connection.default_channel).declare()
        connection.default_channel.queue_purge(QUEUE)
    assert queue.waiting() == 0
    queue.send_chunk("j" * 32, 0, 100)
    queue.send_merge("j" * 32)
    # RabbitMQ counts a message once it has routed it, a moment after the publish returned
    deadline = time.monotonic() + 5
    while queue.waiting() != 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert queue.waiting() == 2
    with app.connection_for_write() as connection:
        connection.default_channel.queue_purge(QUEUE)
    assert queue.waiting() == 0


def test_an_unreachable_broker_is_an_unknown_length(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, jobs=JobSettings(broker_url="redis://127.0.0.1:1/0"))
    assert CeleryJobQueue(make_celery(settings), settings.jobs).waiting() is None
