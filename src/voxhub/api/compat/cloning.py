"""The cloning backend's routes: template synthesis, tasks, retry, events, system."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["compatibility"])
