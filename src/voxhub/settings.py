"""One Settings tree from the environment (VOXHUB_ prefix, "__" nesting), read once."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class EngineSettings(BaseModel):
    """Which TTS engines run in this process and how they load."""

    default: str = "kokoro"
    # engines loaded at start-up; others named in a request are loaded on first use
    preload: list[str] = Field(default_factory=lambda: ["kokoro", "espeak"])
    # engines a request may name; "fake" exists for fault-injection tests only
    enabled: list[str] = Field(default_factory=lambda: ["kokoro", "espeak"])
    # threads per inference; 0 lets the runtime use every core
    threads: int = 0
    model_dir: str | None = None


class OnlineSettings(BaseModel):
    """Limits of the online (synchronous) synthesis routes."""

    max_chars: int = 300
    # a sentence longer than this is broken at a comma or word boundary
    max_sentence_chars: int = 120
    # silence inserted between sentences, in seconds
    sentence_pause: float = 0.25
    # threads running blocking inference for the event loop
    inference_threads: int = 4


class SubtitleSettings(BaseModel):
    max_lines: int = 2
    cjk_chars_per_line: int = 20
    latin_chars_per_line: int = 42


class ServerSettings(BaseModel):
    host: str = "127.0.0.1"
    port: int = 8000
    # a URL prefix for links the API returns, when it sits behind a proxy
    public_url: str = ""


class Settings(BaseSettings):
    """Everything voxhub reads from its environment. Built once, then passed down."""

    model_config = SettingsConfigDict(
        env_prefix="VOXHUB_", env_nested_delimiter="__", env_file=None, extra="ignore"
    )

    data_dir: Path = Path("data")
    log_level: str = "INFO"
    server: ServerSettings = Field(default_factory=ServerSettings)
    engines: EngineSettings = Field(default_factory=EngineSettings)
    online: OnlineSettings = Field(default_factory=OnlineSettings)
    subtitles: SubtitleSettings = Field(default_factory=SubtitleSettings)

    @property
    def audio_dir(self) -> Path:
        return self.data_dir / "tts"
