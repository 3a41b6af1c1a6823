"""How the `remote` engine reaches its synthesis service; built from settings at the entry point."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from voxhub.settings import RemoteEngineSettings

RemoteProtocol = Literal["replicate", "openai"]

# What voxhub sends a Replicate-style model, and the input field each value goes in by default.
# The defaults are those of the cloning model the replaced backend called (CosyVoice 2 on
# Replicate: source_audio, source_transcript, tts_text, task, instruction).
DEFAULT_INPUTS: Mapping[str, str] = MappingProxyType(
    {
        "text": "tts_text",
        "audio": "source_audio",
        "transcript": "source_transcript",
        "instruction": "instruction",
        "task": "task",
        "voice": "",
        "language": "",
        "speed": "",
        "temperature": "temperature",
        "top_p": "top_p",
        "top_k": "top_k",
    }
)


@dataclass(frozen=True, slots=True)
class RemoteEngineOptions:
    """Everything the remote engine needs; the token never appears in its repr."""

    protocol: RemoteProtocol = "replicate"
    base_url: str = ""
    token: str = field(default="", repr=False)
    model: str = ""
    version: str = ""
    voices: tuple[str, ...] = ("alloy",)
    languages: tuple[str, ...] = ("zh", "en")
    sample_rate: int = 24_000
    connect_timeout: float = 10.0
    read_timeout: float = 60.0
    prediction_timeout: float = 300.0
    poll_interval: float = 1.0
    wait: int = 0
    max_retries: int = 3
    retry_initial: float = 0.5
    retry_max: float = 30.0
    max_concurrency: int = 4
    inputs: Mapping[str, str] = field(default_factory=lambda: DEFAULT_INPUTS)
    clone_task: str = "zero-shot voice clone"
    instruct_task: str = "Instructed Voice Generation"

    def input_name(self, value: str) -> str:
        """The model's input field for one of DEFAULT_INPUTS' keys; "" leaves the value out."""
        return self.inputs.get(value, DEFAULT_INPUTS.get(value, ""))


def remote_options(settings: RemoteEngineSettings) -> RemoteEngineOptions:
    """The engine's options from its settings (called where Settings are read)."""
    return RemoteEngineOptions(
        protocol=settings.protocol,
        base_url=settings.base_url,
        token=settings.token.get_secret_value(),
        model=settings.model,
        version=settings.version,
        voices=tuple(settings.voices),
        languages=tuple(settings.languages),
        sample_rate=settings.sample_rate,
        connect_timeout=settings.connect_timeout,
        read_timeout=settings.read_timeout,
        prediction_timeout=settings.prediction_timeout,
        poll_interval=settings.poll_interval,
        wait=settings.wait,
        max_retries=settings.max_retries,
        retry_initial=settings.retry_initial,
        retry_max=settings.retry_max,
        max_concurrency=settings.max_concurrency,
        inputs=MappingProxyType({**DEFAULT_INPUTS, **settings.inputs}),
        clone_task=settings.clone_task,
        instruct_task=settings.instruct_task,
    )
