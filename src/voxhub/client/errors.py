"""Errors the voxhub client raises."""

from __future__ import annotations


class VoxhubClientError(Exception):
    """Base of every error the client raises."""


class VoxhubAPIError(VoxhubClientError):
    """The server answered with an error: its HTTP status and its `{"error": …}` body."""

    def __init__(
        self, status: int, code: str, message: str, retry_after: float | None = None
    ) -> None:
        super().__init__(f"{message} ({code}, HTTP {status})")
        self.status = status
        self.code = code
        self.message = message
        # seconds to wait before trying again, when the server said so (429, 503)
        self.retry_after = retry_after


class VoxhubConnectionError(VoxhubClientError):
    """The server could not be reached, or the connection broke and could not be resumed."""


class VoxhubTimeoutError(VoxhubClientError, TimeoutError):
    """A job did not end within the time the caller allowed."""
