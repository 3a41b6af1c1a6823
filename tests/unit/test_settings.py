"""The replaced services' variable names are accepted as aliases of voxhub's settings."""

from __future__ import annotations

import pytest

from voxhub.settings import Settings


def test_glm_tts_and_funasr_names(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in {
        "SHORT_TEXT_CONCURRENCY": "5",
        "TEXT_LENGTH_THRESHOLD": "150",
        "LONG_TEXT_TIMEOUT": "900",
        "WORKERS": "3",
        "MAX_CONNECTIONS": "40",
        "WS_TIMEOUT": "120",
    }.items():
        monkeypatch.setenv(name, value)
    settings = Settings()
    assert settings.admission.short_concurrency == 5
    assert settings.admission.threshold == 150
    assert settings.admission.long_timeout == 900.0
    assert settings.server.workers == 3
    assert settings.asr.max_connections == 40
    assert settings.asr.idle_timeout == 120.0


def test_without_aliases_the_defaults_stand(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("MAX_CONNECTIONS", "WS_TIMEOUT", "WORKERS"):
        monkeypatch.delenv(name, raising=False)
    settings = Settings()
    assert settings.asr.max_connections == 20 and settings.asr.idle_timeout == 300.0
    assert settings.server.workers == 1


def test_a_lease_shorter_than_two_heartbeats_is_refused() -> None:
    from pydantic import ValidationError

    from voxhub.settings import JobSettings

    assert JobSettings(heartbeat=1, lease=2).lease == 2
    with pytest.raises(ValidationError, match="at least two heartbeats"):
        JobSettings(heartbeat=5, lease=6)


def test_online_concurrency_defaults_from_the_core_count(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("os.cpu_count", lambda: 8)
    settings = Settings()
    assert (settings.admission.short_concurrency, settings.admission.long_concurrency) == (8, 4)
    # every admitted synthesis gets a thread
    assert settings.inference_slots == 12
    monkeypatch.setattr("os.cpu_count", lambda: 1)
    one_core = Settings()
    assert (one_core.admission.short_concurrency, one_core.admission.long_concurrency) == (1, 1)
    monkeypatch.setenv("VOXHUB_ONLINE__INFERENCE_THREADS", "3")
    assert Settings().inference_slots == 3
