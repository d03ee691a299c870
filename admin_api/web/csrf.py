"""CSRF tokens: an HMAC of what the browser holds (its session id, or before signing in
its form cookie) under the shop's secret; every POST must send it back, as the form field
``csrf_token`` or (htmx requests) the ``X-CSRF-Token`` header."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from typing import Any

from aiohttp import web

from admin_api.keys import SHOP

FIELD = "csrf_token"
HEADER = "X-CSRF-Token"


class CsrfRefused(Exception):
    """A state-changing request without the token of the browser's session."""


def token_for(request: web.Request, binding: str) -> str:
    secret = request.app[SHOP].settings.jwt_secret.get_secret_value().encode()
    return hmac.new(secret, b"csrf:" + binding.encode(), hashlib.sha256).hexdigest()


def check(request: web.Request, form: Mapping[str, Any], binding: str | None) -> None:
    """Raise ``CsrfRefused`` unless the request carries the token bound to ``binding``."""
    sent = form.get(FIELD) or request.headers.get(HEADER)
    if (
        binding is None
        or not isinstance(sent, str)
        or not hmac.compare_digest(sent.encode(), token_for(request, binding).encode())
    ):
        raise CsrfRefused()
