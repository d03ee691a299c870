"""A route's contract, and the one place it is enforced.

A :class:`Route` row says who may call an operation, what body and query it takes and what
it answers; the OpenAPI document is generated from the same rows. :func:`bind` turns a row
into the aiohttp handler that enforces it: it refuses a body the operation does not take,
identifies the caller as the access level requires, validates body and query, and only
then calls the row's handler with a :class:`Call` holding all of it. A handler therefore
never parses or checks anything itself: it calls one core service and answers.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Generic, TypeVar

from aiohttp import web
from pydantic import BaseModel

from admin_api.auth import visitor
from admin_api.keys import SETTINGS, SHOP
from admin_api.payloads import (
    read_body,
    read_form,
    read_query,
    read_upload,
    refuse_body,
    within,
)
from core.accounts.access import Actor
from core.accounts.errors import AuthenticationFailed
from core.accounts.models import STAFF, Role, User
from core.base.commands import Command, CommandT
from core.shop import Shop

BodyT = TypeVar("BodyT")
QueryT = TypeVar("QueryT")


class Access(StrEnum):
    PUBLIC = "public"
    OPTIONAL = "optional"  # public, but a token (if sent) must be valid and may show more
    SIGNED_IN = "signed-in"
    STAFF = "staff"
    ADMIN = "admin"


ROLES_OF: dict[Access, frozenset[Role]] = {
    Access.STAFF: STAFF,
    Access.ADMIN: frozenset({Role.ADMIN}),
}


@dataclass(frozen=True)
class Call(Generic[BodyT, QueryT]):
    """One call of an operation, checked against its route: who, with what."""

    request: web.Request
    shop: Shop
    caller: User | None
    body: BodyT
    query: QueryT

    @property
    def user(self) -> User:
        """The signed-in caller (a route that is not public guarantees one)."""
        if self.caller is None:
            raise AuthenticationFailed("Sign in first: send 'Authorization: Bearer <token>'.")
        return self.caller

    @property
    def actor(self) -> Actor:
        return Actor.of(self.user)

    @property
    def viewer(self) -> Actor | None:
        """Who is looking, if anyone signed in (public operations may show them more)."""
        return None if self.caller is None else Actor.of(self.caller)

    @property
    def path_id(self) -> str:
        return self.request.match_info["id"]


Handler = Callable[[Call[Any, Any]], Awaitable[web.StreamResponse]]


@dataclass(frozen=True)
class Upload:
    """A ``multipart/form-data`` body carrying one file in ``field``; the handler gets its
    bytes, at most ``limit(shop)`` of them (no more is read)."""

    field: str
    media_types: tuple[str, ...]
    limit: Callable[[Shop], int]
    required: bool = True
    """In a ``Form``: whether the file must be sent."""


@dataclass(frozen=True)
class Form:
    """A ``multipart/form-data`` body of several files (``uploads``) and small text fields
    validated into ``fields``; the handler gets a :class:`Submitted`."""

    uploads: tuple[Upload, ...]
    fields: type[Command]


@dataclass(frozen=True)
class Submitted(Generic[CommandT]):
    """A ``Form`` as sent: its files' bytes by field, and its text fields."""

    files: dict[str, bytes]
    fields: CommandT


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    handler: Handler
    summary: str
    tag: str
    access: Access = Access.PUBLIC
    body: type[Command] | None = None
    body_optional: bool = False
    """A request without a body is served too (the handler gets ``None``)."""
    query: type[Command] | None = None
    response: type[BaseModel] | None = None
    status: int = 200
    media_type: str = "application/json"
    problems: tuple[int, ...] = ()
    idempotent: bool = False
    upload: Upload | None = None
    form: Form | None = None
    files: tuple[str, ...] = ()
    """The answer is a file of one of these media types (instead of ``media_type``), with an
    ``ETag``; a matching ``If-None-Match`` gets 304."""
    download: bool = False
    """The answer is a file to save (``Content-Disposition: attachment``) of ``media_type``,
    streamed while it is read."""


async def _caller(request: web.Request, access: Access) -> User | None:
    if access is Access.PUBLIC:
        return None
    user = await visitor(request)
    if access is Access.OPTIONAL:
        return user
    if user is None:
        raise AuthenticationFailed("Sign in first: send 'Authorization: Bearer <token>'.")
    if roles := ROLES_OF.get(access):
        Actor.of(user).require(*roles)
    return user


async def _read_form(request: web.Request, form: Form) -> Submitted[Any]:
    shop = request.app[SHOP]
    limits = {upload.field: upload.limit(shop) for upload in form.uploads}
    required = frozenset(upload.field for upload in form.uploads if upload.required)
    files, fields = await read_form(request, limits, required, form.fields)
    return Submitted(files, fields)


def bind(route: Route) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    """The aiohttp handler that enforces ``route`` and then runs its handler."""

    async def handle(request: web.Request) -> web.StreamResponse:
        patience = request.app[SETTINGS].api_body_timeout_seconds
        deadline = asyncio.get_running_loop().time() + patience  # for the body to arrive
        if route.body is None and route.upload is None and route.form is None:
            await within(deadline, refuse_body(request))
        caller = await _caller(request, route.access)
        body: Any = None
        if route.body is not None and (request.body_exists or not route.body_optional):
            body = await within(deadline, read_body(request, route.body))
        elif route.upload is not None:
            limit = route.upload.limit(request.app[SHOP])
            body = await within(deadline, read_upload(request, route.upload.field, limit))
        elif route.form is not None:
            body = await within(deadline, _read_form(request, route.form))
        query = None if route.query is None else read_query(request, route.query)
        return await route.handler(Call(request, request.app[SHOP], caller, body, query))

    handle.__name__ = handle.__qualname__ = route.handler.__name__
    return handle
