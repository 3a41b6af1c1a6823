"""The Celery settings that make delivery safe, per broker."""

from __future__ import annotations

from pathlib import Path

from voxhub.services.jobs.runner import chunk_time_limit, retry_delay
from voxhub.settings import JobSettings, Settings
from voxhub.tasks.celery_app import DEAD_LETTER_EXCHANGE, make_celery


def _settings(tmp_path: Path, broker: str) -> Settings:
    return Settings(data_dir=tmp_path, jobs=JobSettings(broker_url=broker))


def test_delivery_is_acknowledged_late_one_message_at_a_time(tmp_path: Path) -> None:
    for broker in ["", "redis://127.0.0.1:6379/0", "amqp://guest:guest@127.0.0.1//"]:
        conf = make_celery(_settings(tmp_path, broker)).conf
        assert conf.task_acks_late is True
        assert conf.task_reject_on_worker_lost is True
        assert conf.worker_prefetch_multiplier == 1


def test_embedded_broker_lives_in_the_data_directory(tmp_path: Path) -> None:
    conf = make_celery(_settings(tmp_path, "")).conf
    assert conf.broker_url == "filesystem://"
    options = conf.broker_transport_options
    assert options["data_folder_in"] == options["data_folder_out"]
    assert Path(options["data_folder_in"]).is_relative_to(tmp_path)


def test_redis_visibility_timeout_exceeds_every_time_limit(tmp_path: Path) -> None:
    settings = _settings(tmp_path, "redis://127.0.0.1:6379/0")
    conf = make_celery(settings).conf
    largest = chunk_time_limit(settings.jobs, settings.jobs.chunk_chars)
    assert conf.broker_transport_options["visibility_timeout"] > largest


def test_rabbitmq_work_queue_dead_letters_to_a_declared_queue(tmp_path: Path) -> None:
    conf = make_celery(_settings(tmp_path, "amqp://guest:guest@127.0.0.1//")).conf
    queues = {q.name: q for q in conf.task_queues}
    assert queues["voxhub"].queue_arguments["x-dead-letter-exchange"] == DEAD_LETTER_EXCHANGE
    assert queues["voxhub.dead"].exchange.name == DEAD_LETTER_EXCHANGE


def test_backoff_grows_exponentially_up_to_its_cap() -> None:
    jobs = JobSettings(retry_initial=2, retry_multiplier=3, retry_max=30)
    assert [retry_delay(jobs, n) for n in range(1, 6)] == [2, 6, 18, 30, 30]
    assert chunk_time_limit(jobs, 250) > chunk_time_limit(jobs, 10)
