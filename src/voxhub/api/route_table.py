"""The app's HTTP routes as they are served: included routers' prefixes and dependencies on."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI
from fastapi import routing as fastapi_routing
from fastapi.dependencies.models import Dependant
from starlette.routing import BaseRoute, Route


@dataclass(frozen=True)
class HTTPRoute:
    # as declared: its class says which error family it belongs to (api/errors.py)
    declared: BaseRoute
    path_format: str
    methods: frozenset[str]
    path_regex: re.Pattern[str]
    # None for plain Starlette routes
    dependant: Dependant | None
    include_in_schema: bool


def http_routes(app: FastAPI) -> Iterator[HTTPRoute]:
    for declared, served in _contexts(app.router.routes):
        methods = getattr(served, "methods", None)
        regex = getattr(served, "path_regex", None)
        if not methods or regex is None:
            continue
        yield HTTPRoute(
            declared=declared,
            path_format=served.path_format,
            methods=frozenset(methods),
            path_regex=regex,
            dependant=getattr(served, "dependant", None),
            include_in_schema=bool(getattr(served, "include_in_schema", True)),
        )


def _contexts(routes: Iterable[BaseRoute]) -> Iterator[tuple[BaseRoute, Any]]:
    """(the route as declared, the route as served) for every route."""
    iterate = getattr(fastapi_routing, "iter_route_contexts", None)
    if iterate is None:
        # FastAPI before 0.13x copies included routes into the app, prefixes applied
        for route in routes:
            if isinstance(route, Route):
                yield route, route
        return
    for context in iterate(list(routes)):
        yield context.original_route, context
