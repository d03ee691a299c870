"""A page's contract and the one place it is enforced, as ``admin_api/contract.py`` is
for the API.

A :class:`PageRoute` (one row of ``admin_api/web/routes.py``) says who may open a page;
:func:`bind` turns it into the aiohttp handler that resumes the staff member's session
from its cookie (renewing it while they are active), enforces the role, checks the CSRF
token of every POST before anything runs, and then calls the row's handler with a
:class:`Visit`: who, with what form, and how to answer (render a template, redirect).
A posted body must arrive within ``API_BODY_TIMEOUT_SECONDS``, as the API's do (else 408).
"""

from __future__ import annotations

import asyncio
import functools
import secrets
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import aiohttp_jinja2
from aiohttp import MultipartReader, web
from yarl import URL

from admin_api.contract import ROLES_OF, Access
from admin_api.keys import SETTINGS, SHOP
from admin_api.payloads import within
from admin_api.web import csrf, session
from core.accounts.access import Actor
from core.accounts.errors import AuthenticationFailed
from core.accounts.models import User
from core.accounts.staff_sessions import StaffSession
from core.shop import Shop

PAGE_ACCESS = (Access.PUBLIC, Access.STAFF, Access.ADMIN)


class SignInFirst(Exception):
    """The page needs a staff member: the browser has no session, or it ended."""

    def __init__(self, ended: bool) -> None:
        super().__init__("sign in first")
        self.ended = ended


PageHandler = Callable[["Visit"], Awaitable[web.StreamResponse]]


@dataclass(frozen=True)
class PageRoute:
    """One page or form action, at ``path`` under ``/admin``; ``menu``: the text of its
    link in the navigation (shown to the roles that may open it)."""

    method: Literal["GET", "POST"]
    path: str
    handler: PageHandler
    access: Access = Access.STAFF
    menu: str | None = None

    def __post_init__(self) -> None:
        if self.access not in PAGE_ACCESS:
            raise ValueError(f"a page is public, for staff or for admins, not {self.access}")
        if self.menu is not None and self.method != "GET":
            raise ValueError("only a GET page can have a menu link")

    @property
    def name(self) -> str:
        """The route's name, for ``url(name)`` in templates and ``visit.url(name)``."""
        return self.handler.__name__

    def allows(self, user: User) -> bool:
        roles = ROLES_OF.get(self.access)
        return roles is None or user.role in roles


@dataclass(frozen=True)
class MenuLink:
    text: str
    url: URL
    current: bool


@dataclass(frozen=True)
class Visit:
    """One request of a page, checked against its row."""

    request: web.Request
    shop: Shop
    staff: User | None
    """The signed-in staff member (always set on pages that are not public)."""
    csrf_token: str
    form: Mapping[str, Any]
    """The posted form (its CSRF token checked), empty for a GET or an upload."""
    menu: tuple[PageRoute, ...]
    flash: session.Flash | None = None
    parts: MultipartReader | None = None
    """An upload's multipart body after its CSRF token, for the handler to stream."""
    body_deadline: float = 0.0
    """The event loop's time by which the body must have arrived (``within``)."""
    _cookies: list[Callable[[web.StreamResponse], None]] = field(default_factory=list)

    @property
    def actor(self) -> Actor:
        if self.staff is None:
            raise SignInFirst(ended=False)
        return Actor.of(self.staff)

    @property
    def path_id(self) -> str:
        return self.request.match_info["id"]

    def url(self, name: str, query: Mapping[str, str] | None = None, **parts: str) -> URL:
        url = self.request.app.router[name].url_for(**parts)
        return url.with_query(query) if query else url

    def render(self, template: str, status: int = 200, **context: Any) -> web.Response:
        """``template`` (under ``admin_api/web/templates/``) with ``context`` and what every
        page shows: the staff member, their menu, the CSRF token and the flash message."""
        links = [
            MenuLink(page.menu, url, self._within(str(url)))
            for page in self.menu
            if page.menu and self.staff is not None and page.allows(self.staff)
            for url in (self.url(page.name),)
        ]
        shared = {
            "app": self.request.app,
            "staff": self.staff,
            "menu": links,
            "csrf_token": self.csrf_token,
            "flash": self.flash,
        }
        return aiohttp_jinja2.render_template(
            template, self.request, shared | context, status=status
        )

    def _within(self, section: str) -> bool:
        """Whether this page is ``section``'s page or one below it (an order of Orders)."""
        path = self.request.path
        return path == section or (not section.endswith("/") and path.startswith(section + "/"))

    def redirect(
        self, location: URL | str, message: str | None = None, *, error: bool = False
    ) -> web.Response:
        """See other (post/redirect/get), with a one-line ``message`` for the next page:
        what was done, or (``error``) why nothing was."""
        response = web.Response(status=303, headers={"Location": str(location)})
        if message:
            note = session.Flash(message, error)
            self.on_response(lambda r: session.leave_flash(r, self.request, note))
        return response

    def on_response(self, change: Callable[[web.StreamResponse], None]) -> None:
        """Apply ``change`` (a cookie to set) to whatever response this visit answers."""
        self._cookies.append(change)


async def _resume(request: web.Request, access: Access) -> StaffSession | None:
    token = session.session_token(request)
    if token is None:
        if access is Access.PUBLIC:
            return None
        raise SignInFirst(ended=False)
    try:
        resumed = await request.app[SHOP].staff_sessions.resume(token)
    except AuthenticationFailed:
        if access is Access.PUBLIC:
            return None
        raise SignInFirst(ended=True) from None
    if roles := ROLES_OF.get(access):
        Actor.of(resumed.user).require(*roles)
    return resumed


def bind(
    route: PageRoute, menu: tuple[PageRoute, ...]
) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    """The aiohttp handler that enforces ``route`` and then runs its handler."""

    async def handle(request: web.Request) -> web.StreamResponse:
        patience = request.app[SETTINGS].api_body_timeout_seconds
        deadline = asyncio.get_running_loop().time() + patience  # for the body to arrive
        resumed = await _resume(request, route.access)
        changes: list[Callable[[web.StreamResponse], None]] = []
        binding = resumed.session_id if resumed else session.form_binding(request)
        form: Mapping[str, Any] = csrf.NO_FORM
        parts = None
        if request.method == "POST":
            form, parts = await within(deadline, csrf.checked_form(request, binding))
        if binding is None:
            binding = secrets.token_urlsafe(24)
            changes.append(functools.partial(session.bind_forms, request=request, value=binding))
        message = session.flash(request)
        if message is not None:
            changes.append(lambda r: session.drop_flash(r, request))
        if resumed and resumed.renewed:
            renewed = resumed.renewed
            changes.append(lambda r: session.keep_session(r, request, renewed))
        visit = Visit(
            request,
            request.app[SHOP],
            resumed.user if resumed else None,
            csrf.token_for(request, binding),
            form,
            menu,
            message,
            parts,
            deadline,
            changes,
        )
        response = await route.handler(visit)
        for change in changes:
            change(response)
        return response

    handle.__name__ = handle.__qualname__ = route.name
    return handle
