"""What every engine kind shares: a class that loads a model from options."""

from __future__ import annotations

from typing import Protocol, TypeVar

OptionsT_contra = TypeVar("OptionsT_contra", contravariant=True)
EngineT_co = TypeVar("EngineT_co", covariant=True)


class EngineClass(Protocol[OptionsT_contra, EngineT_co]):
    """An engine class as the registry finds it: `load` builds the one model of a process."""

    def load(self, options: OptionsT_contra) -> EngineT_co: ...
