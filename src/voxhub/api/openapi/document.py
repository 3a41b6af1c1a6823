"""The app's OpenAPI document, completed: errors in each family's shape, keys, limits, links."""

from __future__ import annotations

from collections.abc import Iterator
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI
from pydantic import BaseModel

from voxhub.api.errors import ErrorOut
from voxhub.api.openapi.links import add_links
from voxhub.api.openapi.statuses import (
    MALFORMED_CODE,
    VALIDATION_CODE,
    by_status,
    checks_key,
    raised,
    takes_body,
    validates,
)
from voxhub.api.route_table import HTTPRoute, http_routes
from voxhub.api.schemas.fields import MAX_CHARS
from voxhub.errors import Forbidden, Overloaded, RateLimited, Unauthenticated, VoxhubError
from voxhub.settings import Settings

_REF = "#/components/schemas/{model}"
# FastAPI's own validation error bodies: voxhub answers in each family's shape instead
_FASTAPI_ERRORS = ("HTTPValidationError", "ValidationError")
_FORMS = ("multipart/form-data", "application/x-www-form-urlencoded")
# on S3 storage, downloads redirect to a presigned URL of the file
_REDIRECTS = (
    "GET /v1/tts/audio/{name}",
    "GET /v1/tts/jobs/{job_id}/audio",
    "GET /v1/tts/jobs/{job_id}/subtitles.srt",
    "GET /v1/tts/jobs/{job_id}/subtitles.vtt",
    "GET /v1/tts/jobs/{job_id}/timings.json",
)
# what some codes mean, said once in the document
_NOTES: dict[type[VoxhubError], str] = {
    Unauthenticated: "unauthenticated: no valid API key or token (keys are checked when "
    "VOXHUB_AUTH__MODE=keys).",
    Forbidden: "forbidden: the key's scopes do not cover the route, or it may not change "
    "what it names.",
    RateLimited: "rate_limited: a per-key limit is used up (VOXHUB_AUTH__MODE=keys).",
}
SECURITY_SCHEMES: dict[str, Any] = {
    "bearer": {
        "type": "http",
        "scheme": "bearer",
        "description": "An API key (vxk_…) or a minted token: Authorization: Bearer ….",
    },
    "apiKey": {"type": "apiKey", "in": "header", "name": "X-API-Key"},
    "token": {
        "type": "apiKey",
        "in": "query",
        "name": "token",
        "description": "A short-lived token from POST /v1/auth/tokens, for clients that "
        "cannot send headers (EventSource, <audio src>).",
    },
}


def install_openapi(app: FastAPI, settings: Settings) -> None:
    """`app.openapi()` (and /openapi.json) answer the completed document, built once."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = complete(generate(), app, settings)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def complete(document: dict[str, Any], app: FastAPI, settings: Settings) -> dict[str, Any]:
    """FastAPI's document with every operation's error statuses in its family's body,
    security, redirects, forms and queries without nulls, text limits and links."""
    components = document.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    components["securitySchemes"] = SECURITY_SCHEMES
    # with keys off every route is open: the key is then optional, not ignored
    requirements: list[dict[str, list[str]]] = [{name: []} for name in SECURITY_SCHEMES]
    if settings.auth.mode != "keys":
        requirements.append({})
    operations: dict[str, dict[str, Any]] = {}
    for route, method, operation in _operations(app, document):
        key = f"{method} {route.path_format}"
        operations[key] = operation
        responses = operation.setdefault("responses", {})
        responses.pop("422", None)
        body: type[BaseModel] | None = getattr(route.declared, "error_body", ErrorOut)
        ref = _add_model(schemas, body) if body is not None else {"type": "object"}
        renamed: dict[int, int] = getattr(route.declared, "error_statuses", {})
        errors = by_status(raised(route, method), renamed)
        codes: dict[int, list[str]] = {}
        if validates(route):
            codes.setdefault(renamed.get(422, 422), []).append(VALIDATION_CODE)
        if takes_body(route):
            codes.setdefault(400, []).append(MALFORMED_CODE)
        for status in codes:
            errors.setdefault(status, [])
        for status, classes in sorted(errors.items()):
            given = codes.get(status, [])
            responses.setdefault(str(status), _error_response(status, given, classes, ref))
        if key in _REDIRECTS:
            responses["307"] = {
                "description": "On S3 storage: a redirect to a presigned URL of the file.",
                "headers": {"Location": {"schema": {"type": "string", "format": "uri"}}},
            }
        if checks_key(route.dependant):
            operation["security"] = requirements
        _without_nulls(operation, schemas)
    for name in _FASTAPI_ERRORS:
        schemas.pop(name, None)
    _apply_limits(document, settings)
    add_links(operations)
    return document


def _operations(
    app: FastAPI, document: dict[str, Any]
) -> Iterator[tuple[HTTPRoute, str, dict[str, Any]]]:
    paths = document.get("paths", {})
    for route in http_routes(app):
        if not route.include_in_schema:
            continue
        for method in sorted(route.methods):
            operation = paths.get(route.path_format, {}).get(method.lower())
            if operation is not None:
                yield route, method, operation


def _add_model(schemas: dict[str, Any], model: type[BaseModel]) -> dict[str, str]:
    schema = model.model_json_schema(ref_template=_REF)
    schemas.update(schema.pop("$defs", {}))
    schemas[model.__name__] = schema
    return {"$ref": _REF.format(model=model.__name__)}


def _error_response(
    status: int, given: list[str], classes: list[type[VoxhubError]], schema: dict[str, Any]
) -> dict[str, Any]:
    codes = list(dict.fromkeys([*given, *(cls.code for cls in classes)]))
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = "Error"
    description = f"{phrase}: {', '.join(codes)}." if codes else f"{phrase}."
    notes = [note for cls, note in _NOTES.items() if cls in classes]
    if notes:
        description += " " + " ".join(notes)
    response: dict[str, Any] = {
        "description": description,
        "content": {"application/json": {"schema": schema}},
    }
    headers: dict[str, Any] = {}
    if any(issubclass(cls, Unauthenticated) for cls in classes):
        headers["WWW-Authenticate"] = {"schema": {"type": "string"}}
    if any(issubclass(cls, Overloaded) for cls in classes):
        headers["Retry-After"] = {
            "description": "Seconds to wait before trying again.",
            "schema": {"type": "integer"},
        }
    if any(issubclass(cls, RateLimited) for cls in classes):
        for name in ("X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset"):
            headers[name] = {"description": "With a per-key limit.", "schema": {"type": "integer"}}
    if headers:
        response["headers"] = headers
    return response


def _without_nulls(operation: dict[str, Any], schemas: dict[str, Any]) -> None:
    """Query strings, headers and forms carry text: an optional value there is left out,
    never null (FastAPI documents `T | None` parameters as nullable)."""
    for parameter in operation.get("parameters", []):
        parameter["schema"] = _not_null(parameter.get("schema", {}))
    for media_type, body in operation.get("requestBody", {}).get("content", {}).items():
        if media_type not in _FORMS:
            continue
        ref = body.get("schema", {}).get("$ref", "")
        form = schemas.get(ref.rsplit("/", 1)[-1], body.get("schema", {}))
        for name, field in form.get("properties", {}).items():
            form["properties"][name] = _not_null(field)


def _not_null(schema: dict[str, Any]) -> dict[str, Any]:
    alternatives = schema.get("anyOf")
    if not alternatives:
        return schema
    kept = [s for s in alternatives if s.get("type") != "null"]
    rest = {k: v for k, v in schema.items() if k != "anyOf"}
    if rest.get("default", 0) is None:
        del rest["default"]
    if len(kept) == 1:
        return {**kept[0], **rest}
    return {**rest, "anyOf": kept}


def _apply_limits(node: Any, settings: Settings) -> None:
    """Each text's character limit from settings, where a schema names it (MAX_CHARS)."""
    limits = {
        "online": settings.online.max_chars,
        "jobs": settings.jobs.max_chars,
        "glmtts": settings.compat.glmtts_max_chars or settings.online.max_chars,
    }
    if isinstance(node, dict):
        if MAX_CHARS in node:
            node["maxLength"] = limits[node.pop(MAX_CHARS)]
        for value in node.values():
            _apply_limits(value, settings)
    elif isinstance(node, list):
        for value in node:
            _apply_limits(value, settings)
