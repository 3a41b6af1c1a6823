"""Builds the long-lived parts of voxhub (engines, services, stores) from Settings."""

from __future__ import annotations

from dataclasses import dataclass

from voxhub.engines.base import EngineOptions
from voxhub.engines.pool import EnginePool
from voxhub.services.synthesis import Synthesizer
from voxhub.services.voices import VoiceCatalog
from voxhub.settings import Settings
from voxhub.store.files import ResultFiles
from voxhub.subtitles.cues import CueRules


@dataclass
class Container:
    """What one process holds: one model per engine, shared by every request."""

    settings: Settings
    engines: EnginePool
    voices: VoiceCatalog
    synthesizer: Synthesizer
    results: ResultFiles
    cue_rules: CueRules

    @classmethod
    def build(cls, settings: Settings, engines: EnginePool | None = None) -> Container:
        """Everything from settings; pass `engines` to share already-loaded models."""
        engines = engines or EnginePool(
            EngineOptions(threads=settings.engines.threads, model_dir=settings.engines.model_dir),
            enabled=settings.engines.enabled,
        )
        voices = VoiceCatalog(engines, settings.engines.default)
        synthesizer = Synthesizer(
            voices,
            max_chars=settings.online.max_chars,
            max_sentence_chars=settings.online.max_sentence_chars,
            sentence_pause=settings.online.sentence_pause,
        )
        rules = CueRules(
            max_lines=settings.subtitles.max_lines,
            cjk_chars_per_line=settings.subtitles.cjk_chars_per_line,
            latin_chars_per_line=settings.subtitles.latin_chars_per_line,
        )
        return cls(
            settings=settings,
            engines=engines,
            voices=voices,
            synthesizer=synthesizer,
            results=ResultFiles(settings.audio_dir),
            cue_rules=rules,
        )

    def preload(self) -> None:
        """Load the engines named in settings now (blocking), so first requests are fast."""
        for name in self.settings.engines.preload:
            if name in self.engines.enabled:
                self.engines.get(name)
