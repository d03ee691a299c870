"""The back office's cookies: the session (a short-lived token of
``core/accounts/staff_sessions.py``), the form cookie that binds the sign-in form's CSRF
token before there is a session, and the one-line message shown after a redirect."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote, unquote

from aiohttp import web

from admin_api.keys import SETTINGS
from core.accounts.tokens import IssuedToken
from core.base import clock

PATH = "/admin"
SESSION = "shop_admin_session"
FORM = "shop_admin_form"
FLASH = "shop_admin_flash"
MAX_FLASH = 300
DONE, ERROR = "d", "e"


def is_https(request: web.Request) -> bool:
    """Whether the browser reached us over HTTPS: directly, or through a trusted proxy
    that says so (``TRUST_FORWARDED_FOR`` trusts its ``X-Forwarded-Proto`` too)."""
    if request.secure:
        return True
    settings = request.app[SETTINGS]
    forwarded = request.headers.get("X-Forwarded-Proto", "")
    return settings.trust_forwarded_for and forwarded.rsplit(",", 1)[-1].strip().lower() == "https"


def _set(
    response: web.StreamResponse,
    request: web.Request,
    name: str,
    value: str,
    max_age: int | None = None,
) -> None:
    response.set_cookie(
        name,
        value,
        path=PATH,
        max_age=max_age,
        httponly=True,
        samesite="Strict",
        secure=request.app[SETTINGS].admin_web_secure_cookies or is_https(request),
    )


def _clear(response: web.StreamResponse, request: web.Request, name: str) -> None:
    _set(response, request, name, "", max_age=0)


def session_token(request: web.Request) -> str | None:
    return request.cookies.get(SESSION) or None


def keep_session(response: web.StreamResponse, request: web.Request, issued: IssuedToken) -> None:
    """Hand the browser ``issued`` (a new or renewed session), to drop when it expires."""
    lifetime = max(1, int((issued.expires_at - clock.now()).total_seconds()))
    _set(response, request, SESSION, issued.token, max_age=lifetime)


def end_session(response: web.StreamResponse, request: web.Request) -> None:
    _clear(response, request, SESSION)


def form_binding(request: web.Request) -> str | None:
    return request.cookies.get(FORM) or None


def bind_forms(response: web.StreamResponse, request: web.Request, value: str) -> None:
    _set(response, request, FORM, value)


@dataclass(frozen=True)
class Flash:
    """A one-line message for the next page: what was done, or (``error``) what was not."""

    text: str
    error: bool = False


def flash(request: web.Request) -> Flash | None:
    """The message the previous page left for this one, if any."""
    raw = request.cookies.get(FLASH)
    if not raw:
        return None
    kind, text = raw[:1], unquote(raw[1:])[:MAX_FLASH]
    return Flash(text, error=kind == ERROR) if text else None


def leave_flash(response: web.StreamResponse, request: web.Request, message: Flash) -> None:
    kind = ERROR if message.error else DONE
    _set(response, request, FLASH, kind + quote(message.text[:MAX_FLASH]))


def drop_flash(response: web.StreamResponse, request: web.Request) -> None:
    _clear(response, request, FLASH)
