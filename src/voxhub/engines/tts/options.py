"""How engines load: threads, local model files, and the remote engine's service; built from
settings by the container."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal

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


@dataclass(frozen=True, slots=True)
class EngineOptions:
    """How to load an engine; built from Settings at the entry point."""

    # threads for one inference; 0 lets the runtime use every core
    threads: int = 0
    # a directory of local model files, for engines that can use one
    model_dir: str | None = None
    # the fake engine's fault plan, shared by every process that loads it (tests only)
    fault_file: str | None = None
    # where the remote engine's synthesis service is and how to call it
    remote: RemoteEngineOptions | None = None
