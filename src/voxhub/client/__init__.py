"""A Python client of the voxhub HTTP API, blocking (`Client`) and asynchronous (`AsyncClient`)."""

from voxhub.client.aio import AsyncClient
from voxhub.client.errors import (
    VoxhubAPIError,
    VoxhubClientError,
    VoxhubConnectionError,
    VoxhubTimeoutError,
)
from voxhub.client.models import (
    Cue,
    Job,
    JobEvent,
    JobPage,
    JobProgress,
    JobUrls,
    Progress,
    PurgeReport,
    Sentence,
    Speech,
    Token,
    Voice,
    Word,
)
from voxhub.client.sse import ServerSentEvent, SSEDecoder
from voxhub.client.sync import Client

__all__ = [
    "AsyncClient",
    "Client",
    "Cue",
    "Job",
    "JobEvent",
    "JobPage",
    "JobProgress",
    "JobUrls",
    "Progress",
    "PurgeReport",
    "SSEDecoder",
    "Sentence",
    "ServerSentEvent",
    "Speech",
    "Token",
    "Voice",
    "VoxhubAPIError",
    "VoxhubClientError",
    "VoxhubConnectionError",
    "VoxhubTimeoutError",
    "Word",
]
