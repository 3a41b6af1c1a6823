"""Where voxhub keeps its files when nothing says otherwise: the user's data and cache homes."""

from __future__ import annotations

from pathlib import Path

import platformdirs

APP = "voxhub"


def default_data_dir() -> Path:
    """~/.local/share/voxhub on Linux (XDG_DATA_HOME honoured), its equivalent elsewhere."""
    return platformdirs.user_data_path(APP, appauthor=False)


def default_model_cache() -> Path:
    """~/.cache/voxhub/models on Linux (XDG_CACHE_HOME honoured)."""
    return platformdirs.user_cache_path(APP, appauthor=False) / "models"
