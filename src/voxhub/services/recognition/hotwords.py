"""Hotwords: names and terms a caller expects, checked and turned into the recognizer's prompt."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence

from voxhub.errors import InvalidHotwords

MAX_HOTWORDS = 100
MAX_HOTWORD_CHARS = 64
# whisper reads about 220 prompt tokens; a longer prompt only costs decode time
MAX_PROMPT_CHARS = 500
# a form field lists words one per line or separated by commas (ASCII or Chinese);
# spaces stay inside a term ("New York")
_SEPARATORS = re.compile(r"[,，、;；\n]+")


def parse_hotwords(value: str) -> tuple[str, ...]:
    """Words of a form field: "Kubernetes, 司马懿" or FunASR's '{"阿里巴巴": 20}' (no weights)."""
    text = value.strip()
    if text.startswith("{"):
        try:
            weights = json.loads(text)
        except ValueError:
            weights = None
        if isinstance(weights, dict):
            return tuple(str(word).strip() for word in weights)
    return tuple(word.strip() for word in _SEPARATORS.split(text) if word.strip())


def hotword_problem(words: Sequence[str]) -> str | None:
    """What is wrong with a list of hotwords, said so that a caller can fix it; None if fine."""
    if len(words) > MAX_HOTWORDS:
        return f"At most {MAX_HOTWORDS} hotwords, got {len(words)}."
    for word in words:
        if not word.strip() or len(word) > MAX_HOTWORD_CHARS:
            return (
                f"Hotwords must be non-empty and at most {MAX_HOTWORD_CHARS} characters; "
                f"got {word!r}."
            )
    return None


def hotwords_prompt(words: Sequence[str]) -> str | None:
    """The words as one prompt the recognizer is primed with; None for no words."""
    return ", ".join(word.strip() for word in words if word.strip()) or None


def caller_prompt(text: str | None) -> str | None:
    """A caller's free prompt (OpenAI's `prompt`): its end, which whisper weighs most."""
    text = (text or "").strip()
    return text[-MAX_PROMPT_CHARS:] or None


def form_hotwords_prompt(value: str | None) -> str | None:
    """A file route's `hotwords` field as a prompt; InvalidHotwords says what to fix."""
    words = parse_hotwords(value or "")
    problem = hotword_problem(words)
    if problem is not None:
        raise InvalidHotwords(problem)
    return hotwords_prompt(words)
