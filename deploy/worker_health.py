"""Health of the `voxhub worker` on this host: exit 0 when it answers a ping over the broker.

The compose stack and the image run it as the worker containers' healthcheck; any host
with a worker can run it too (`python worker_health.py`, with the worker's VOXHUB_
environment). A worker of another host answering does not count.
"""

from __future__ import annotations

import socket
import sys

from voxhub.settings import Settings
from voxhub.tasks.celery_app import make_celery


def main() -> int:
    settings = Settings()
    if not settings.jobs.broker_url:
        print(
            "no VOXHUB_JOBS__BROKER_URL: embedded workers are checked by /health", file=sys.stderr
        )
        return 1
    app = make_celery(settings)
    replies = app.control.ping(timeout=3.0) or []
    host = socket.gethostname()
    names = [name for reply in replies for name in reply]
    if any(name.endswith(f"@{host}") for name in names):
        return 0
    print(f"no worker on {host} answered (answers: {names or 'none'})", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
