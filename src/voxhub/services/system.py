"""Host and process facts for `GET /v1/system` and host load for health, from /proc."""

from __future__ import annotations

import os
import platform
import resource
import shutil
import sys
import time
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from voxhub import __version__
from voxhub.engines.pool import EnginePool

_PACKAGES = ("fastapi", "uvicorn", "celery", "sqlalchemy", "onnxruntime", "kokoro-onnx", "numpy")


def system_facts(data_dir: Path, engines: EnginePool) -> dict[str, Any]:
    disk = shutil.disk_usage(data_dir if data_dir.exists() else ".")
    load = os.getloadavg()
    return {
        "version": __version__,
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "cpu": {
            "count": os.cpu_count(),
            "load_1m": load[0],
            "load_5m": load[1],
            "load_15m": load[2],
        },
        "memory": _memory(),
        "process": {
            "pid": os.getpid(),
            "max_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
            "rss_mb": _rss_mb(),
        },
        "disk": {
            "path": str(data_dir),
            "total_gb": round(disk.total / 1e9, 2),
            "free_gb": round(disk.free / 1e9, 2),
        },
        "engines": {
            name: {"sample_rate": engine.capabilities.sample_rate, "voices": len(engine.voices())}
            for name, engine in engines.loaded().items()
        },
        "packages": {name: _version(name) for name in _PACKAGES},
    }


@dataclass(frozen=True, slots=True)
class HostLoad:
    """How busy the host is, in percent (None where /proc is missing)."""

    cpu_percent: float | None
    memory_percent: float | None


def host_load(window: float = 0.2) -> HostLoad:
    """CPU busy over the next `window` seconds (blocks that long) and memory in use."""
    before = _cpu_times()
    time.sleep(window)
    after = _cpu_times()
    cpu = None
    if before is not None and after is not None and after[1] > before[1]:
        busy, total = after[0] - before[0], after[1] - before[1]
        cpu = round(100 * busy / total, 1)
    memory = _memory()
    used = None
    if memory.get("total_mb"):
        used = round(100 * (1 - memory["available_mb"] / memory["total_mb"]), 1)
    return HostLoad(cpu, used)


def _cpu_times() -> tuple[int, int] | None:
    """(busy, total) clock ticks of all CPUs since boot, from /proc/stat."""
    try:
        first = Path("/proc/stat").read_text().splitlines()[0].split()
        # user nice system idle iowait irq softirq steal; guest time is counted in user
        ticks = [int(value) for value in first[1:9]]
        idle = ticks[3] + ticks[4]
    except (OSError, IndexError, ValueError):
        return None
    return sum(ticks) - idle, sum(ticks)


def _memory() -> dict[str, float]:
    """Total and available memory in MB (Linux /proc/meminfo; empty elsewhere)."""
    values: dict[str, float] = {}
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            key, _, rest = line.partition(":")
            if key in ("MemTotal", "MemAvailable"):
                values[key] = int(rest.split()[0]) / 1024
    except OSError:
        return {}
    return {
        "total_mb": round(values.get("MemTotal", 0.0), 1),
        "available_mb": round(values.get("MemAvailable", 0.0), 1),
    }


def _rss_mb() -> float | None:
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
    except (OSError, IndexError, ValueError):
        return None
    return round(pages * os.sysconf("SC_PAGE_SIZE") / 1e6, 1)


def _version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None
