"""The speech recognition engines of one process, each loaded once and shared by sessions."""

from __future__ import annotations

from voxhub.asr.base import ASREngine
from voxhub.asr.options import ASROptions
from voxhub.asr.registry import asr_engine_class
from voxhub.engines.pool import EngineClass, ModelPool


class ASREnginePool(ModelPool[ASROptions, ASREngine]):
    enabled_setting = "VOXHUB_ASR__ENABLED"

    def engine_class(self, name: str) -> EngineClass[ASROptions, ASREngine]:
        return asr_engine_class(name)
