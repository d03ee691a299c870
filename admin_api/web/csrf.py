"""CSRF tokens: an HMAC of what the browser holds (its session id, or before signing in
its form cookie) under the shop's secret; every POST must send it back, as the form field
``csrf_token`` or (htmx requests) the ``X-CSRF-Token`` header, and is refused before
anything runs otherwise.

A file upload (``multipart/form-data``) is not read into memory first: its token comes in
the header or as the form's first field (put the hidden ``csrf_token`` input first), and
the rest of the body is left to the page's handler to stream (``Visit.parts``).
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from typing import Any

from aiohttp import BodyPartReader, MultipartReader, web
from aiohttp.http_exceptions import HttpProcessingError
from multidict import MultiDict, MultiDictProxy

from admin_api.keys import SHOP

FIELD = "csrf_token"
HEADER = "X-CSRF-Token"
MULTIPART = "multipart/form-data"
MAX_TOKEN_BYTES = 128
NO_FORM: MultiDictProxy[Any] = MultiDictProxy(MultiDict())


class CsrfRefused(Exception):
    """A state-changing request without the token of the browser's session."""


def token_for(request: web.Request, binding: str) -> str:
    secret = request.app[SHOP].settings.jwt_secret.get_secret_value().encode()
    return hmac.new(secret, b"csrf:" + binding.encode(), hashlib.sha256).hexdigest()


def _check(request: web.Request, sent: object, binding: str | None) -> None:
    if (
        binding is None
        or not isinstance(sent, str)
        or not hmac.compare_digest(sent.encode(), token_for(request, binding).encode())
    ):
        raise CsrfRefused()


async def checked_form(
    request: web.Request, binding: str | None
) -> tuple[Mapping[str, Any], MultipartReader | None]:
    """The posted form once its token (bound to ``binding``) is checked, or
    ``CsrfRefused``; for an upload, no form but the rest of the multipart body."""
    if request.content_type != MULTIPART:
        form = await request.post()
        _check(request, form.get(FIELD) or request.headers.get(HEADER), binding)
        return form, None
    try:
        parts = await request.multipart()
        sent: object = request.headers.get(HEADER)
        if sent is None:
            first = await parts.next()
            if isinstance(first, BodyPartReader) and first.name == FIELD:
                sent = (await first.read_chunk(MAX_TOKEN_BYTES)).decode("ascii", "replace")
    except (ValueError, AssertionError, HttpProcessingError):
        raise web.HTTPBadRequest(reason="The form cannot be read") from None
    _check(request, sent, binding)
    return NO_FORM, parts
