"""OpenAI's error object, `{"error": {"message", "type", "param", "code"}}`, for its routes."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, Field

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


class OpenAIErrorObject(BaseModel):
    message: str
    type: str = Field(description="invalid_request_error, rate_limit_error or server_error")
    param: str | None = Field(description="The request field the error is about, if one.")
    code: str = Field(description="voxhub's error code, e.g. voice_not_found.")


class OpenAIErrorOut(BaseModel):
    """OpenAI's error body, which its SDK raises as an APIError."""

    error: OpenAIErrorObject


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
