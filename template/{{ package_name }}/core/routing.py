"""The app's routes as one list, built once from the routers that registered them.

Since FastAPI 0.137 an included router stays a node of the app's routes, matched on
every request, once more at each level of inclusion and without skipping by prefix
(FastAPI pull request 16159 would add that). The API's routes sit two or three levels
deep (the app, `api_router` or the project's router, a resource's router), which cost
a list request about a quarter of its Python calls. `flatten_routes` puts in their
place the routes FastAPI resolved for each inclusion (full path, dependencies, tags,
responses, body limit), as `include_router` itself did before 0.137. Routers stay
where routes are registered; tests/test_routing.py proves the app's routes, OpenAPI
and answers (404, 405 and its `Allow`) are the same either way.

Starlette still tries the routes in order, and each try of an API route costs about
ten calls: a flat route first compares the path with the text before its first
parameter, so one whose path cannot match costs four, however many resources a
project adds.
"""

from collections.abc import Callable, Sequence
from typing import Any

from fastapi import FastAPI
from fastapi import routing as fastapi_routing
from fastapi.routing import APIRoute
from starlette._utils import get_route_path
from starlette.routing import BaseRoute, Match
from starlette.types import Scope


class FlatRoute(APIRoute):
    """An API route that turns a path away at once when its literal start differs."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **options: Any) -> None:
        super().__init__(path, endpoint, **options)
        # Every path the route's pattern matches starts with the text before its
        # first parameter (all of it, for a path without one).
        self.literal_prefix = path.split("{", 1)[0]

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        """Match as an APIRoute does, once the path's start could match."""
        # The path as Starlette matches it (less the root path), by its own helper.
        if get_route_path(scope).startswith(self.literal_prefix):
            return super().matches(scope)
        return Match.NONE, {}


def flatten_routes(app: FastAPI) -> bool:
    """Replace the app's included routers by their routes; False if it cannot.

    A router this cannot resolve as FastAPI would (form limits of an inclusion,
    low-priority or frontend routes, mounts, websockets, or a FastAPI without the
    structures read here) leaves every route as it was: correct, only slower.
    """
    flat = _resolved(app.router.routes)
    if flat is None:
        return False
    app.router.routes[:] = flat
    return True


def _resolved(routes: Sequence[object]) -> list[BaseRoute] | None:
    included = getattr(fastapi_routing, "_IncludedRouter", None)
    if included is None:
        return None
    flat: list[BaseRoute] = []
    for route in routes:
        if isinstance(route, included):
            context = getattr(route, "include_context", None)
            router = getattr(route, "original_router", None)
            candidates = getattr(route, "effective_candidates", None)
            if context is None or router is None or candidates is None:
                return None
            # Limits an inclusion applies to the request as it enters the router.
            if getattr(context, "form_limits", True):
                return None
            if getattr(router, "_low_priority_routes", True):
                return None
            inner = _resolved(candidates())
            if inner is None:
                return None
            flat += inner
        elif isinstance(route, BaseRoute):
            flat.append(route)  # the app's own route, matched as it is
        else:
            resolved = _api_route(route)
            if resolved is None:
                return None
            flat.append(resolved)
    return flat


def _api_route(context: object) -> FlatRoute | None:
    """A route of its own for FastAPI's resolution of an included API route."""
    original = getattr(context, "original_route", None)
    if not isinstance(original, APIRoute) or not hasattr(context, "dependencies"):
        return None
    route: APIRoute = context  # type: ignore[assignment]  # the same attributes
    return FlatRoute(
        route.path,
        original.endpoint,
        response_model=route.response_model,
        status_code=route.status_code,
        tags=route.tags,
        dependencies=route.dependencies,
        summary=route.summary,
        description=route.description,
        response_description=route.response_description,
        responses=route.responses,
        deprecated=route.deprecated,
        name=route.name,
        methods=route.methods,
        operation_id=route.operation_id,
        response_model_include=route.response_model_include,
        response_model_exclude=route.response_model_exclude,
        response_model_by_alias=route.response_model_by_alias,
        response_model_exclude_unset=route.response_model_exclude_unset,
        response_model_exclude_defaults=route.response_model_exclude_defaults,
        response_model_exclude_none=route.response_model_exclude_none,
        include_in_schema=route.include_in_schema,
        response_class=route.response_class,
        dependency_overrides_provider=route.dependency_overrides_provider,
        callbacks=route.callbacks,
        openapi_extra=route.openapi_extra,
        generate_unique_id_function=route.generate_unique_id_function,
        strict_content_type=route.strict_content_type,
        max_body_size=route.max_body_size,
        form_limits=getattr(original, "form_limits", None),
    )
