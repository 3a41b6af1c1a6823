"""The Python client's voice registry calls against a real uvicorn."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import make_settings
from tests.support.voice_audio import TRANSCRIPT, reference_wav
from voxhub.client import AsyncClient, Client, VoxhubAPIError
from voxhub.engines.pool import EnginePool
from voxhub.settings import Settings


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path, default="espeak")


def test_register_find_change_and_delete_a_voice(
    live_server: str, engine_pool: EnginePool, tmp_path: Path
) -> None:
    with Client(live_server) as voxhub:
        voice = voxhub.register_voice(
            "Narrator", engine_voice="espeak:en-us", aliases=["narrator", "7"], speed=1.4
        )
        assert voice.kind == "registered" and voice.aliases == ["7", "narrator"]
        assert voice.defaults is not None and voice.defaults["speed"] == 1.4
        assert voxhub.get_voice("narrator").id == voice.id
        assert voice.id in {v.id for v in voxhub.list_voices(engine="espeak")}
        changed = voxhub.update_voice(voice.id, name="Reader", defaults={"speed": 0.9})
        assert changed.name == "Reader" and changed.defaults is not None
        assert changed.defaults["speed"] == 0.9
        assert voxhub.synthesize("Hello there.", voice="7").voice == "espeak:en-us"

        # a template's recording goes up as a file; no engine here can clone it
        recording = tmp_path / "reader.wav"
        recording.write_bytes(reference_wav(engine_pool))
        with pytest.raises(VoxhubAPIError) as refused:
            voxhub.register_voice("Clone", recording, transcript=TRANSCRIPT, engine="espeak")
        assert refused.value.status == 422 and refused.value.code == "cloning_not_supported"

        voxhub.delete_voice(voice.id)
        with pytest.raises(VoxhubAPIError) as gone:
            voxhub.get_voice(voice.id)
        assert gone.value.status == 404


async def test_the_async_client_registers_voices(live_server: str) -> None:
    async with AsyncClient(live_server) as voxhub:
        voice = await voxhub.register_voice("Mandarin", engine_voice="espeak:cmn", aliases="zh-1")
        assert voice.language == "zh" and (await voxhub.get_voice("zh-1")).id == voice.id
        changed = await voxhub.update_voice(voice.id, aliases=["zh-2"])
        assert changed.aliases == ["zh-2"]
        await voxhub.delete_voice(voice.id)
        with pytest.raises(VoxhubAPIError) as gone:
            await voxhub.get_voice("zh-2")
        assert gone.value.code == "voice_not_found"
