"""Engines are found by name, loaded lazily and once per pool."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from voxhub.engines.pool import EnginePool
from voxhub.engines.registry import available_tts_engines, tts_engine_class
from voxhub.engines.tts.base import TTSEngine
from voxhub.engines.tts.options import EngineOptions
from voxhub.errors import EngineNotFound


def test_registry_lists_and_finds_engines() -> None:
    assert {"kokoro", "espeak", "fake"} <= set(available_tts_engines())
    assert tts_engine_class("fake").__name__ == "FakeEngine"  # type: ignore[attr-defined]
    with pytest.raises(EngineNotFound, match="installed engines"):
        tts_engine_class("nope")


def test_pool_loads_lazily_and_once_under_concurrency() -> None:
    pool = EnginePool(EngineOptions(), enabled=["fake", "espeak"])
    assert pool.loaded() == {}
    with ThreadPoolExecutor(8) as executor:
        engines = list(executor.map(lambda _: pool.get("fake"), range(16)))
    first = engines[0]
    assert all(e is first for e in engines)
    assert isinstance(first, TTSEngine)
    assert set(pool.loaded()) == {"fake"}


def test_pool_refuses_engines_not_enabled() -> None:
    pool = EnginePool(EngineOptions(), enabled=["fake"])
    with pytest.raises(EngineNotFound, match="VOXHUB_ENGINES__ENABLED"):
        pool.get("espeak")


@pytest.mark.parametrize("name", ["kokoro", "piper"])
def test_listing_voices_loads_no_model_and_matches_the_loaded_engine(name: str) -> None:
    pool = EnginePool(EngineOptions(threads=1), enabled=[name])
    listed = list(pool.voices(name))
    assert not pool.is_loaded(name)
    assert listed == list(pool.get(name).voices())


def test_an_engine_without_a_catalog_is_loaded_to_list_its_voices() -> None:
    pool = EnginePool(EngineOptions(threads=1), enabled=["espeak"])
    assert "espeak:en-us" in [voice.id for voice in pool.voices("espeak")]
    assert pool.is_loaded("espeak")
