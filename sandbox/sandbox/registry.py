"""The table of Bot API methods: each module registers its handlers with :func:`api_method`.

A handler takes the :class:`~sandbox.state.Sandbox` and the request's
:class:`~sandbox.params.Params` and returns the ``result`` or raises
:class:`~sandbox.errors.ApiError`.
"""

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from aiohttp import web

from sandbox.params import Params
from sandbox.state import Sandbox

SANDBOX_KEY = web.AppKey("sandbox", Sandbox)
"""Where the aiohttp application keeps its sandbox."""

Handler = Callable[[Sandbox, Params], Awaitable[Any]]
H = TypeVar("H", bound=Handler)

METHODS: dict[str, Handler] = {}
"""Lower-case method name -> handler."""


def api_method(name: str) -> Callable[[H], H]:
    """Register the decorated coroutine as the Bot API method ``name``."""

    def register(handler: H) -> H:
        METHODS[name.lower()] = handler
        return handler

    return register
