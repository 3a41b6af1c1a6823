"""The embedded broker never shows a consumer a message that is still being written."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from celery.worker import state as worker_state
from kombu.connection import Connection

from voxhub.tasks.filesystem_broker import TRANSPORT


def _connection(folder: Path) -> Connection:
    options = {
        "data_folder_in": str(folder),
        "data_folder_out": str(folder),
        "control_folder": str(folder / "control"),
    }
    return Connection("filesystem://", transport=TRANSPORT, transport_options=options)


def test_messages_round_trip_in_order(tmp_path: Path) -> None:
    with _connection(tmp_path) as connection:
        queue = connection.SimpleQueue("work")
        for n in range(20):
            queue.put({"n": n})
        received = []
        for _ in range(20):
            message = queue.get(timeout=1)
            received.append(message.payload["n"])
            message.ack()
        queue.close()
    assert received == list(range(20))


def test_a_message_being_written_is_invisible_to_consumers(tmp_path: Path) -> None:
    with _connection(tmp_path) as connection:
        channel = connection.default_channel
        channel._put("work", {"body": "whole"})
        names = [name for name in os.listdir(tmp_path) if name.endswith(".msg")]
        # what a consumer lists: only whole messages, never a partial file under a queue name
        assert len(names) == 1 and names[0].endswith(".work.msg")
        partial = tmp_path / f".{names[0]}.part"
        partial.write_bytes(b"")
        assert channel._get("work") == {"body": "whole"}
        assert partial.exists()


def test_a_worker_told_to_stop_stops_waiting_for_messages(tmp_path: Path) -> None:
    with _connection(tmp_path) as connection:
        queue = connection.SimpleQueue("work")
        worker_state.should_stop = 0  # what a SIGTERM to a worker sets
        try:
            started = time.monotonic()
            with pytest.raises(queue.Empty):
                queue.get(timeout=5)
            waited = time.monotonic() - started
        finally:
            worker_state.should_stop = None
        queue.close()
    # not the 5 s a message would be waited for
    assert waited < 0.5
