"""What wraps every request: its id and access log line, CORS, and the security headers."""

from __future__ import annotations

import logging
import re
import time
import uuid

from aiohttp import web
from aiohttp.typedefs import Handler

from admin_api.keys import ANSWER_STARTED, REQUEST_ID, SETTINGS
from admin_api.metrics import count_request
from core.logs import current_request_id

log = logging.getLogger("admin_api.access")

REQUEST_ID_HEADER = "X-Request-Id"
_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")

CORS_METHODS = "GET, POST, PUT, PATCH, DELETE"
CORS_HEADERS = f"Authorization, Content-Type, Idempotency-Key, {REQUEST_ID_HEADER}"
CORS_EXPOSED = f"{REQUEST_ID_HEADER}, Retry-After, Location"

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cache-Control": "no-store",
}
API_POLICY = "default-src 'none'; frame-ancestors 'none'"
DOCS_POLICY = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; "
    "frame-ancestors 'none'"
)
DOCS_PREFIX = "/api/docs"
SERVER_NAME = "telegram-shop"


def client_address(request: web.Request) -> str:
    """The caller's address; the proxy-appended X-Forwarded-For entry when trusted."""
    forwarded = request.headers.get("X-Forwarded-For", "")
    if request.app[SETTINGS].trust_forwarded_for and forwarded:
        return forwarded.rsplit(",", 1)[-1].strip()
    return request.remote or "unknown"


@web.middleware
async def request_context(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Give the request an id (the caller's, if well-formed), log one line for it and count
    it (``admin_api/metrics.py``)."""
    incoming = request.headers.get(REQUEST_ID_HEADER, "")
    request_id = incoming if _VALID_REQUEST_ID.match(incoming) else uuid.uuid4().hex
    request[REQUEST_ID] = request_id
    reset = current_request_id.set(request_id)
    started = time.perf_counter()
    try:
        response = await handler(request)
    except BaseException:
        _account(request, 499, started)  # the client went away mid-request
        raise
    finally:
        current_request_id.reset(reset)
    if isinstance(response, web.FileResponse):
        request[ANSWER_STARTED] = started  # its status (404, 304, 206) comes when prepared
    else:
        _account(request, response.status, started)
    return response


def _account(request: web.Request, status: int, started: float) -> None:
    """Log one line for the request and count it."""
    seconds = time.perf_counter() - started
    count_request(request, status, seconds)
    log.info(
        "request",
        extra={
            "requestId": request[REQUEST_ID],
            "method": request.method,
            "path": request.path,
            "status": status,
            "durationMs": round(seconds * 1000, 2),
            "client": client_address(request),
        },
    )


def _allowed_origin(request: web.Request) -> str | None:
    origin = request.headers.get("Origin")
    allowed = request.app[SETTINGS].cors_origins
    if origin is None or not allowed:
        return None
    if "*" in allowed:
        return "*"
    return origin if origin in allowed else None


@web.middleware
async def cors_preflight(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Answer preflights from allowed origins; the rest go on (and meet a 405)."""
    if (
        request.method == "OPTIONS"
        and "Access-Control-Request-Method" in request.headers
        and _allowed_origin(request) is not None
    ):
        return web.Response(
            status=204,
            headers={
                "Access-Control-Allow-Methods": CORS_METHODS,
                "Access-Control-Allow-Headers": CORS_HEADERS,
                "Access-Control-Max-Age": "600",
            },
        )
    return await handler(request)


async def add_headers(request: web.Request, response: web.StreamResponse) -> None:
    """Signal handler: request id, security and CORS headers on every response (and a
    file answer's log line and count, now that its status is known)."""
    if (started := request.get(ANSWER_STARTED)) is not None:
        _account(request, response.status, started)
    if request_id := request.get(REQUEST_ID):
        response.headers[REQUEST_ID_HEADER] = request_id
    for name, value in SECURITY_HEADERS.items():  # a handler may set its own caching
        response.headers.setdefault(name, value)
    response.headers["Server"] = SERVER_NAME
    docs = request.path == DOCS_PREFIX or request.path.startswith(DOCS_PREFIX + "/")
    response.headers["Content-Security-Policy"] = DOCS_POLICY if docs else API_POLICY
    if origin := _allowed_origin(request):
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Access-Control-Expose-Headers"] = CORS_EXPOSED
        response.headers.add("Vary", "Origin")
