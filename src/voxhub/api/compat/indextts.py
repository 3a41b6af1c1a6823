"""The IndexTTS server's routes: online and long-text synthesis, status, voices."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["compatibility"])
