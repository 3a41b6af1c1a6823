"""The Celery app built from settings: embedded filesystem broker, Redis or RabbitMQ."""

from __future__ import annotations

from celery import Celery
from kombu.entity import Exchange, Queue

from voxhub.settings import Settings
from voxhub.tasks.filesystem_broker import TRANSPORT
from voxhub.tasks.queue import QUEUE

DEAD_LETTER_EXCHANGE = "voxhub.dlx"
DEAD_LETTER_QUEUE = "voxhub.dead"
# largest countdown or ETA a message may wait in a worker, beyond any time limit
_VISIBILITY_MARGIN = 3600


def make_celery(settings: Settings) -> Celery:
    """A Celery app for `settings.broker`; the same function serves API and workers."""
    broker = settings.broker
    app = Celery("voxhub", broker=broker, set_as_current=False)
    largest_limit = (
        settings.jobs.time_limit_base
        + settings.jobs.time_limit_per_char * settings.jobs.chunk_chars
    )
    app.conf.update(
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_ignore_result=True,
        task_default_queue=QUEUE,
        task_serializer="json",
        accept_content=["json"],
        broker_connection_retry_on_startup=True,
        worker_hijack_root_logger=False,
        worker_cancel_long_running_tasks_on_connection_loss=True,
    )
    if broker.startswith("filesystem"):
        folder = settings.broker_dir / "messages"
        processed = settings.broker_dir / "processed"
        folder.mkdir(parents=True, exist_ok=True)
        processed.mkdir(parents=True, exist_ok=True)
        app.conf.broker_transport = TRANSPORT
        app.conf.broker_transport_options = {
            "data_folder_in": str(folder),
            "data_folder_out": str(folder),
            # a rename inside one directory tree is atomic: two workers never get one message
            "processed_folder": str(processed),
            # exchange bindings: kombu's default is ./control in the working directory
            "control_folder": str(settings.broker_dir / "control"),
            "store_processed": True,
            "polling_interval": settings.jobs.poll_interval,
        }
        # the filesystem transport has no fanout exchanges for remote control
        app.conf.worker_enable_remote_control = False
    elif broker.startswith(("redis", "rediss")):
        app.conf.broker_transport_options = {
            # an unacknowledged message comes back only after this: above every time limit
            "visibility_timeout": int(largest_limit + _VISIBILITY_MARGIN),
        }
    elif broker.startswith(("amqp", "pyamqp")):
        app.conf.task_queues = [work_queue(), dead_letter_queue()]
        app.conf.task_queue_max_priority = 10
    return app


def work_queue() -> Queue:
    return Queue(
        QUEUE,
        Exchange(QUEUE, type="direct"),
        routing_key=QUEUE,
        queue_arguments={
            "x-dead-letter-exchange": DEAD_LETTER_EXCHANGE,
            "x-dead-letter-routing-key": DEAD_LETTER_QUEUE,
            "x-max-priority": 10,
        },
    )


def dead_letter_queue() -> Queue:
    return Queue(
        DEAD_LETTER_QUEUE,
        Exchange(DEAD_LETTER_EXCHANGE, type="direct"),
        routing_key=DEAD_LETTER_QUEUE,
    )


def declare_queues(app: Celery) -> None:
    """On RabbitMQ, declare the work and dead-letter queues before anything is sent."""
    if not str(app.conf.broker_url).startswith(("amqp", "pyamqp")):
        return
    with app.connection_for_write() as connection:
        channel = connection.default_channel
        for queue in (dead_letter_queue(), work_queue()):
            queue.bind(channel).declare()
