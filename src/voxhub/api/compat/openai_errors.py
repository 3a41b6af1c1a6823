"""OpenAI's error object, `{"error": {"message", "type", "param", "code"}}`, for its routes."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# the request field each voxhub error is about, as OpenAI's `param` names it
_PARAM_OF_CODE: Mapping[str, str] = {
    "empty_text": "input",
    "text_too_long": "input",
    "voice_not_found": "voice",
    "cloning_not_supported": "voice",
    "unsupported_format": "response_format",
    "model_not_found": "model",
    "engine_not_found": "model",
    "unsupported_language": "language",
    "undecodable_audio": "file",
    "payload_too_large": "file",
}


def error_type(status: int) -> str:
    """OpenAI's error `type`: the caller's mistake, too many requests, or the server's."""
    if status == 429:
        return "rate_limit_error"
    if status >= 500 or status == 408:
        return "server_error"
    return "invalid_request_error"


def openai_shape(status: int, code: str, message: str) -> dict[str, Any]:
    """The body of an error on the OpenAI-compatible routes; `code` is voxhub's own code."""
    return {"error": error_object(status, code, message)}


def error_object(status: int, code: str, message: str) -> dict[str, Any]:
    return {
        "message": message,
        "type": error_type(status),
        "param": _PARAM_OF_CODE.get(code),
        "code": code,
    }
