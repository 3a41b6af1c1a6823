"""Loads each engine once per process and hands the same instance to every session."""

from __future__ import annotations

import threading
from collections.abc import Iterable

from voxhub.engines.base import EngineOptions, TTSEngine
from voxhub.engines.registry import tts_engine_class
from voxhub.errors import EngineNotFound, EngineUnavailable, VoxhubError


class EnginePool:
    """The loaded engines of one process. Owned by the app or CLI, never global.

    Loading takes a lock per engine name, so two first requests for the same engine
    load it once while requests for other engines proceed.
    """

    def __init__(self, options: EngineOptions, enabled: Iterable[str]) -> None:
        self._options = options
        self._enabled = list(enabled)
        self._engines: dict[str, TTSEngine] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._locks_guard = threading.Lock()

    @property
    def enabled(self) -> list[str]:
        return list(self._enabled)

    def loaded(self) -> dict[str, TTSEngine]:
        return dict(self._engines)

    def is_loaded(self, name: str) -> bool:
        return name in self._engines

    def get(self, name: str) -> TTSEngine:
        """The engine called `name`, loading it on first use."""
        engine = self._engines.get(name)
        if engine is not None:
            return engine
        if name not in self._enabled:
            raise EngineNotFound(
                f"Engine {name!r} is not enabled here; enabled engines: "
                f"{', '.join(self._enabled)} (see VOXHUB_ENGINES__ENABLED)."
            )
        with self._lock_for(name):
            engine = self._engines.get(name)
            if engine is None:
                engine = self._load(name)
                self._engines[name] = engine
        return engine

    def _lock_for(self, name: str) -> threading.Lock:
        with self._locks_guard:
            return self._locks.setdefault(name, threading.Lock())

    def _load(self, name: str) -> TTSEngine:
        cls = tts_engine_class(name)
        try:
            return cls.load(self._options)
        except VoxhubError:
            raise
        except Exception as exc:  # a broken install must surface as a clear 503, not a 500
            raise EngineUnavailable(f"Engine {name!r} failed to load: {exc}") from exc
