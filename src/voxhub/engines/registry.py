"""Find engine classes by name through entry points, importing each only when asked for."""

from __future__ import annotations

from importlib.metadata import entry_points
from typing import Protocol

from voxhub.engines.base import EngineOptions, TTSEngine
from voxhub.errors import EngineNotFound

TTS_GROUP = "voxhub.tts_engines"

# Used when the package metadata is missing (running from a source tree without install)
_BUILTIN_TTS = {
    "kokoro": "voxhub.engines.kokoro:KokoroEngine",
    "espeak": "voxhub.engines.espeak:EspeakEngine",
    "fake": "voxhub.engines.fake:FakeEngine",
    "remote": "voxhub.engines.remote:RemoteEngine",
    "piper": "voxhub.engines.piper:PiperEngine",
}


class TTSEngineClass(Protocol):
    def load(self, options: EngineOptions) -> TTSEngine: ...


def available_tts_engines() -> list[str]:
    """Names of every TTS engine this installation knows of."""
    names = {ep.name for ep in entry_points(group=TTS_GROUP)} | set(_BUILTIN_TTS)
    return sorted(names)


def tts_engine_class(name: str) -> TTSEngineClass:
    """Import and return the class registered under `name`."""
    for ep in entry_points(group=TTS_GROUP):
        if ep.name == name:
            cls: TTSEngineClass = ep.load()
            return cls
    if name in _BUILTIN_TTS:
        module_name, _, attr = _BUILTIN_TTS[name].partition(":")
        module = __import__(module_name, fromlist=[attr])
        builtin: TTSEngineClass = getattr(module, attr)
        return builtin
    known = ", ".join(available_tts_engines())
    raise EngineNotFound(f"Unknown TTS engine {name!r}; installed engines: {known}.")
