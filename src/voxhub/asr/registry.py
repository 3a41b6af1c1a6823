"""Find speech recognition engine classes by name through entry points, imported lazily."""

from __future__ import annotations

from importlib.metadata import entry_points

from voxhub.asr.base import ASREngine
from voxhub.asr.options import ASROptions
from voxhub.engines.pool import EngineClass
from voxhub.errors import EngineNotFound

ASR_GROUP = "voxhub.asr_engines"

# Used when the package metadata is missing (running from a source tree without install)
_BUILTIN_ASR = {
    "whisper": "voxhub.asr.whisper:WhisperEngine",
    "pocketsphinx": "voxhub.asr.pocketsphinx:PocketsphinxEngine",
    # fault and limit tests only
    "fake": "voxhub.asr.fake:FakeASREngine",
}


def available_asr_engines() -> list[str]:
    """Names of every speech recognition engine this installation knows of."""
    names = {ep.name for ep in entry_points(group=ASR_GROUP)} | set(_BUILTIN_ASR)
    return sorted(names)


def asr_engine_class(name: str) -> EngineClass[ASROptions, ASREngine]:
    """Import and return the class registered under `name`."""
    for ep in entry_points(group=ASR_GROUP):
        if ep.name == name:
            cls: EngineClass[ASROptions, ASREngine] = ep.load()
            return cls
    if name in _BUILTIN_ASR:
        module_name, _, attr = _BUILTIN_ASR[name].partition(":")
        module = __import__(module_name, fromlist=[attr])
        builtin: EngineClass[ASROptions, ASREngine] = getattr(module, attr)
        return builtin
    known = ", ".join(available_asr_engines())
    raise EngineNotFound(f"Unknown speech recognition engine {name!r}; installed: {known}.")
