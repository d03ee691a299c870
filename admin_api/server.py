"""How the API meets the network: connection caps, timeouts, and problem details for
requests that aiohttp refuses before the application sees them.

- **Caps.** At most ``API_MAX_CONNECTIONS`` open connections (fewer if the process may not
  open that many files; it raises its soft limit to the hard one), and at most
  ``API_MAX_CONNECTIONS_PER_ADDRESS`` from one client address (IPv6: per /64; not applied with
  ``TRUST_FORWARDED_FOR``, where every connection comes from the proxy). A connection past
  either is closed as soon as it is accepted, so one client cannot use up the process's
  file descriptors or memory, and ``/healthz`` keeps answering others.
- **Timeouts.** A connection that has not sent a whole request head within
  ``API_IDLE_TIMEOUT_SECONDS`` of opening, or of its previous answer, is closed (aiohttp's
  keep-alive timer). A body must arrive within ``API_BODY_TIMEOUT_SECONDS`` (see
  ``admin_api.contract``), else 408. What is left of a body unread after the answer (a
  408, a 413) aiohttp reads for at most that long again, and ``LINGERING_SECONDS`` at
  most, before it closes the connection.
- **Refusals.** A request aiohttp cannot parse (a header line past ``MAX_FIELD_BYTES``, a
  malformed request line) gets a problem+json like every other error, logged as one line.
"""

from __future__ import annotations

import asyncio
import logging
import resource
from collections import Counter
from collections.abc import Callable
from typing import Any, cast

from aiohttp import web
from aiohttp.http_exceptions import LineTooLong

from admin_api.config import ApiSettings
from admin_api.middlewares import SECURITY_HEADERS, SERVER_NAME
from admin_api.problems import problem_response
from core.accounts.throttle import client_block

log = logging.getLogger(__name__)

RESERVED_FILES = 64
"""Open files kept for what is not a client connection: the database pool, the logs."""
MAX_FIELD_BYTES = 8190  # aiohttp's limit on a request line and on each header line
LINGERING_SECONDS = 5.0


class ConnectionGate:
    """Counts open connections, in all and per address, and refuses those past a cap."""

    def __init__(self, most: int, most_per_address: int | None) -> None:
        self.most = most
        self.most_per_address = most_per_address
        self.open = 0
        self.refused = 0
        self._by_address: Counter[str] = Counter()

    def admit(self, address: str) -> bool:
        per_address = self.most_per_address
        if self.open >= self.most or (
            per_address is not None and self._by_address[address] >= per_address
        ):
            self.refused += 1
            return False
        self.open += 1
        self._by_address[address] += 1
        return True

    def release(self, address: str) -> None:
        self.open -= 1
        self._by_address[address] -= 1
        if not self._by_address[address]:
            del self._by_address[address]


class _Gated(asyncio.Protocol):
    """One connection: handed to aiohttp's protocol (made only then) if the gate admits it,
    else closed."""

    __slots__ = ("_address", "_gate", "_handler", "_inner")

    def __init__(self, handler: Callable[[], web.RequestHandler], gate: ConnectionGate) -> None:
        self._handler = handler
        self._inner: web.RequestHandler | None = None
        self._gate = gate
        self._address = ""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        peer = transport.get_extra_info("peername")
        self._address = client_block(str(peer[0])) if peer else "unknown"
        if not self._gate.admit(self._address):
            cast(asyncio.Transport, transport).abort()
            log.warning(
                "connection refused: too many open",
                extra={"client": self._address, "open": self._gate.open},
            )
            return
        self._inner = self._handler()
        self._inner.connection_made(transport)

    def connection_lost(self, exc: Exception | None) -> None:
        if self._inner is not None:
            self._gate.release(self._address)
            self._inner.connection_lost(exc)
            self._inner = None

    def data_received(self, data: bytes) -> None:
        if self._inner is not None:
            self._inner.data_received(data)

    def eof_received(self) -> None:
        if self._inner is not None:
            self._inner.eof_received()

    def pause_writing(self) -> None:
        if self._inner is not None:
            self._inner.pause_writing()

    def resume_writing(self) -> None:
        if self._inner is not None:
            self._inner.resume_writing()


class _ProblemHandler(web.RequestHandler):
    """aiohttp's protocol, answering what it refuses with a problem+json."""

    def handle_error(
        self,
        request: web.BaseRequest,
        status: int = 500,
        exc: BaseException | None = None,
        message: str | None = None,
    ) -> web.StreamResponse:
        if request.writer.output_size > 0:  # as aiohttp: an answer is on its way already
            raise ConnectionError("the response has started; the connection is dropped")
        if isinstance(exc, LineTooLong):
            status, code = 431, "headers-too-large"
            detail = f"The request line or a header is longer than {MAX_FIELD_BYTES} bytes."
        elif status < 500:
            code, detail = "malformed-request", "The request is not valid HTTP/1.1."
        else:
            code, detail = "internal-error", "Something went wrong on our side."
        log.log(
            logging.ERROR if status >= 500 else logging.WARNING,
            "request refused before the application",
            extra={"client": request.remote, "status": status, "error": type(exc).__name__},
            exc_info=exc if status >= 500 else None,
        )
        headers = {**SECURITY_HEADERS, "Server": SERVER_NAME}
        response = problem_response(request, status, code, detail, headers=headers)
        response.force_close()
        return response


def room_for(connections: int) -> int:
    """``connections``, or fewer if the process may not open that many files. The soft
    open-file limit is raised to the hard one first."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and (hard == resource.RLIM_INFINITY or soft < hard):
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
        soft = hard
    if soft == resource.RLIM_INFINITY or connections <= soft - RESERVED_FILES:
        return connections
    room = max(1, soft - RESERVED_FILES)
    log.warning(
        "API_MAX_CONNECTIONS lowered to fit the open-file limit",
        extra={"connections": room, "fileLimit": soft},
    )
    return room


def handler_options(settings: ApiSettings) -> dict[str, Any]:
    """What aiohttp's protocol is told: its timeouts and limits."""
    return {
        "access_log": None,
        "keepalive_timeout": settings.api_idle_timeout_seconds,
        "lingering_time": min(LINGERING_SECONDS, settings.api_body_timeout_seconds),
        "max_line_size": MAX_FIELD_BYTES,
        "max_field_size": MAX_FIELD_BYTES,
    }


async def listen(runner: web.AppRunner, settings: ApiSettings) -> asyncio.Server:
    """Serve ``runner``'s application on ``API_HOST:API_PORT`` through the gate."""
    per_address = None if settings.trust_forwarded_for else settings.api_max_connections_per_address
    gate = ConnectionGate(room_for(settings.api_max_connections), per_address)
    server = runner.server
    assert server is not None, "set the runner up first"
    loop = asyncio.get_running_loop()
    options = handler_options(settings)

    def handler() -> web.RequestHandler:
        return _ProblemHandler(server, loop=loop, **options)

    def connection() -> asyncio.Protocol:
        return _Gated(handler, gate)

    return await loop.create_server(connection, settings.api_host, settings.api_port)
