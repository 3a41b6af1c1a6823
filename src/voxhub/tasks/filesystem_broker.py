"""The embedded broker: kombu's filesystem transport, with messages that appear atomically."""

from __future__ import annotations

import json
import os
import time
import uuid
from typing import Any

from kombu.exceptions import ChannelError
from kombu.transport import filesystem

TRANSPORT = "voxhub.tasks.filesystem_broker:Transport"


class Channel(filesystem.Channel):
    # kombu's own base classes disagree on this parameter's name (payload, message)
    def _put(self, queue: Any, payload: Any, **kwargs: Any) -> None:  # type: ignore[override]
        """Write the message under a name consumers skip, then rename it into the queue.

        kombu writes straight into the final name, so a consumer polling at that moment
        can take an empty file, fail to decode it and stop the worker; a rename within one
        folder is atomic, so consumers see a whole message or none.
        """
        # consumers take names in sorted order: a zero-padded nanosecond clock keeps two
        # messages sent within one millisecond in the order they were sent
        name = f"{time.monotonic_ns():020d}_{uuid.uuid4()}.{queue}.msg"
        folder = self.data_folder_out
        final = os.path.join(folder, name)
        partial = os.path.join(folder, f".{name}.part")
        try:
            with open(partial, "wb") as handle:
                handle.write(json.dumps(payload).encode())
            os.replace(partial, final)
        except OSError as exc:
            raise ChannelError(f"Cannot add message {name!r} to {folder!r}: {exc}") from exc


class Transport(filesystem.Transport):
    Channel = Channel

    @property
    def default_connection_params(self) -> dict[str, Any]:
        # folders, not a host: kombu would warn "No hostname was supplied" on each connection
        return {}
