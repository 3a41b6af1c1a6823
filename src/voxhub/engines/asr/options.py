"""How speech recognition engines load; built from Settings at the entry point."""

from __future__ import annotations

from dataclasses import dataclass, field

from voxhub.engines.asr.vad import VadConfig


@dataclass(frozen=True, slots=True)
class ASROptions:
    # threads for one decode; 0 lets the runtime choose
    threads: int = 0
    # a directory of local model files, for engines that can use one
    model_dir: str | None = None
    # where engines keep files they assemble (whisper's model.bin); None: a temporary directory
    cache_dir: str | None = None
    # decodes of one model that may run at once (whisper loads a replica each); 0: one per core
    workers: int = 0
    # beam size of streaming finals (partials always use 1) and of whole files
    beam_size: int = 1
    file_beam_size: int = 5
    vad: VadConfig = field(default_factory=VadConfig)
