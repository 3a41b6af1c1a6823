"""Find engine classes by name through entry points, importing each only when asked for."""

from __future__ import annotations

from collections.abc import Mapping
from importlib.metadata import entry_points
from typing import Any

from voxhub.engines.asr.base import ASREngine
from voxhub.engines.asr.options import ASROptions
from voxhub.engines.base import EngineClass
from voxhub.engines.tts.base import TTSEngine
from voxhub.engines.tts.options import EngineOptions
from voxhub.errors import EngineNotFound

TTS_GROUP = "voxhub.tts_engines"
ASR_GROUP = "voxhub.asr_engines"

# Used when the package metadata is missing (running from a source tree without install)
_BUILTIN_TTS = {
    "kokoro": "voxhub.engines.tts.kokoro.engine:KokoroEngine",
    "espeak": "voxhub.engines.tts.espeak:EspeakEngine",
    "fake": "voxhub.engines.tts.fake:FakeEngine",
    "remote": "voxhub.engines.tts.remote.engine:RemoteEngine",
    "piper": "voxhub.engines.tts.piper.engine:PiperEngine",
}
_BUILTIN_ASR = {
    "whisper": "voxhub.engines.asr.whisper.engine:WhisperEngine",
    "pocketsphinx": "voxhub.engines.asr.pocketsphinx:PocketsphinxEngine",
    # fault and limit tests only
    "fake": "voxhub.engines.asr.fake:FakeASREngine",
}


def available_tts_engines() -> list[str]:
    """Names of every TTS engine this installation knows of."""
    return _available(TTS_GROUP, _BUILTIN_TTS)


def available_asr_engines() -> list[str]:
    """Names of every speech recognition engine this installation knows of."""
    return _available(ASR_GROUP, _BUILTIN_ASR)


def tts_engine_class(name: str) -> EngineClass[EngineOptions, TTSEngine]:
    """Import and return the TTS engine class registered under `name`."""
    found: EngineClass[EngineOptions, TTSEngine] | None = _find(TTS_GROUP, _BUILTIN_TTS, name)
    if found is None:
        known = ", ".join(available_tts_engines())
        raise EngineNotFound(f"Unknown TTS engine {name!r}; installed engines: {known}.")
    return found


def asr_engine_class(name: str) -> EngineClass[ASROptions, ASREngine]:
    """Import and return the speech recognition engine class registered under `name`."""
    found: EngineClass[ASROptions, ASREngine] | None = _find(ASR_GROUP, _BUILTIN_ASR, name)
    if found is None:
        known = ", ".join(available_asr_engines())
        raise EngineNotFound(f"Unknown speech recognition engine {name!r}; installed: {known}.")
    return found


def _available(group: str, builtins: Mapping[str, str]) -> list[str]:
    return sorted({ep.name for ep in entry_points(group=group)} | set(builtins))


def _find(group: str, builtins: Mapping[str, str], name: str) -> Any:
    for ep in entry_points(group=group):
        if ep.name == name:
            return ep.load()
    if name in builtins:
        module_name, _, attr = builtins[name].partition(":")
        module = __import__(module_name, fromlist=[attr])
        return getattr(module, attr)
    return None
