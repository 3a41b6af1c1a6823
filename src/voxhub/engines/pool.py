"""Loads each engine once per process and hands the same instance to every session."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Sequence
from typing import Generic, TypeVar

from voxhub.engines.asr.base import ASREngine
from voxhub.engines.asr.options import ASROptions
from voxhub.engines.base import EngineClass
from voxhub.engines.registry import asr_engine_class, tts_engine_class
from voxhub.engines.tts.base import CataloguedEngine, TTSEngine, Voice
from voxhub.engines.tts.options import EngineOptions
from voxhub.errors import EngineNotFound, EngineUnavailable, VoxhubError

OptionsT = TypeVar("OptionsT")
EngineT = TypeVar("EngineT")


class ModelPool(Generic[OptionsT, EngineT]):
    """The loaded engines of one kind in one process. Owned by the app or CLI, never global.

    Loading takes a lock per engine name, so two first requests for the same engine
    load it once while requests for other engines proceed.
    """

    # names the setting that enables engines of this kind, for error messages
    enabled_setting = "VOXHUB_ENGINES__ENABLED"

    def __init__(self, options: OptionsT, enabled: Iterable[str]) -> None:
        self._options = options
        self._enabled = list(enabled)
        self._engines: dict[str, EngineT] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._locks_guard = threading.Lock()

    @property
    def enabled(self) -> list[str]:
        return list(self._enabled)

    def loaded(self) -> dict[str, EngineT]:
        return dict(self._engines)

    def is_loaded(self, name: str) -> bool:
        return name in self._engines

    def get(self, name: str) -> EngineT:
        """The engine called `name`, loading it on first use."""
        engine = self._engines.get(name)
        if engine is not None:
            return engine
        if name not in self._enabled:
            raise EngineNotFound(
                f"Engine {name!r} is not enabled here; enabled engines: "
                f"{', '.join(self._enabled)} (see {self.enabled_setting})."
            )
        with self._lock_for(name):
            engine = self._engines.get(name)
            if engine is None:
                engine = self._load(name)
                self._engines[name] = engine
        return engine

    def engine_class(self, name: str) -> EngineClass[OptionsT, EngineT]:
        raise NotImplementedError

    def _lock_for(self, name: str) -> threading.Lock:
        with self._locks_guard:
            return self._locks.setdefault(name, threading.Lock())

    def _load(self, name: str) -> EngineT:
        cls = self.engine_class(name)
        try:
            return cls.load(self._options)
        except VoxhubError:
            raise
        except Exception as exc:  # a broken install must surface as a clear 503, not a 500
            raise EngineUnavailable(f"Engine {name!r} failed to load: {exc}") from exc


class EnginePool(ModelPool[EngineOptions, TTSEngine]):
    """The text-to-speech engines of one process."""

    def engine_class(self, name: str) -> EngineClass[EngineOptions, TTSEngine]:
        return tts_engine_class(name)

    def voices(self, name: str) -> Sequence[Voice]:
        """The voices of engine `name`: from the engine when loaded, else from its static
        catalog when it has one (listing voices must not load a model), else loaded."""
        engine = self._engines.get(name)
        if engine is None and name in self._enabled:
            cls = self.engine_class(name)
            if isinstance(cls, CataloguedEngine):
                listed = cls.catalog(self._options)
                if listed is not None:
                    return listed
        return self.get(name).voices()


class ASREnginePool(ModelPool[ASROptions, ASREngine]):
    """The speech recognition engines of one process."""

    enabled_setting = "VOXHUB_ASR__ENABLED"

    def engine_class(self, name: str) -> EngineClass[ASROptions, ASREngine]:
        return asr_engine_class(name)
