"""Signing in with email and password (throttled as the API's login is) and signing out."""

from __future__ import annotations

from aiohttp import web
from yarl import URL

from admin_api.middlewares import client_address
from admin_api.web import session
from admin_api.web.visit import Visit
from core.accounts.commands import Credentials
from core.accounts.errors import AuthenticationFailed, TooManyAttempts
from core.base.commands import parse
from core.base.errors import InvalidInput

HOME = "dashboard"
PREFIX = "/admin/"


def _next(visit: Visit, value: object) -> URL:
    """Where to go after signing in: a back-office path the form carried, else home."""
    if isinstance(value, str) and value.startswith(PREFIX) and "\\" not in value:
        target = URL(value)
        if not target.is_absolute() and target.path.startswith(PREFIX):
            return target
    return visit.url(HOME)


async def sign_in_form(visit: Visit) -> web.StreamResponse:
    if visit.staff is not None:
        return visit.redirect(_next(visit, visit.request.query.get("next")))
    return visit.render(
        "sign_in.html", email="", error=None, next=visit.request.query.get("next", "")
    )


async def sign_in(visit: Visit) -> web.StreamResponse:
    email, password = visit.form.get("email", ""), visit.form.get("password", "")
    target = visit.form.get("next", "")
    try:
        credentials = parse(Credentials, {"email": email, "password": password})
        _, issued = await visit.shop.staff_sessions.sign_in(
            credentials, address=client_address(visit.request)
        )
    except (InvalidInput, AuthenticationFailed, TooManyAttempts) as exc:
        status = 422 if isinstance(exc, InvalidInput) else 401
        headers = {}
        if isinstance(exc, TooManyAttempts):
            status, headers = 429, {"Retry-After": str(exc.retry_after)}
        error = "Enter an email and a password." if status == 422 else exc.message
        page = visit.render(
            "sign_in.html",
            status,
            email=email if isinstance(email, str) else "",
            error=error,
            next=target if isinstance(target, str) else "",
        )
        page.headers.update(headers)
        return page
    response = visit.redirect(_next(visit, target))
    visit.on_response(lambda r: session.keep_session(r, visit.request, issued))
    return response


async def sign_out(visit: Visit) -> web.StreamResponse:
    token = session.session_token(visit.request)
    if token is not None:
        await visit.shop.staff_sessions.sign_out(token)
    response = visit.redirect(visit.url("sign_in_form"), "You are signed out.")
    visit.on_response(lambda r: session.end_session(r, visit.request))
    return response
