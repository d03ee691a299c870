"""The aiohttp application and a server that runs it on a loopback port."""

import socket
from typing import Self

from aiohttp import web

from sandbox import control, control_payments
from sandbox.botapi import handle_request
from sandbox.chat_page import add_chat_page
from sandbox.media import download
from sandbox.registry import SANDBOX_KEY
from sandbox.state import Sandbox


def bound_socket(host: str = "127.0.0.1", port: int = 0) -> socket.socket:
    """A TCP socket bound to ``host``; port 0 picks a free one (see ``getsockname()``)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    return sock


def build_app(sandbox: Sandbox) -> web.Application:
    """Bot API under ``/bot<token>/<method>`` (files under ``/file/bot<token>/``), control API
    under ``/sandbox/``, the chat page at ``/``."""
    app = web.Application(middlewares=[control.json_errors])
    app[SANDBOX_KEY] = sandbox
    app.router.add_route("*", "/bot{token}/{method}", handle_request)
    app.router.add_get("/file/bot{token}/{path:.+}", download)
    app.router.add_routes(control.routes)
    app.router.add_routes(control_payments.routes)
    add_chat_page(app)

    async def release_long_polls(app: web.Application) -> None:
        await sandbox.close()

    app.on_shutdown.append(release_long_polls)
    return app


class SandboxServer:
    """A started sandbox: ``url`` for the bot, ``sandbox`` for the test.

    Use ``async with SandboxServer(Sandbox()) as server:``; port 0 picks a free port.
    """

    def __init__(self, sandbox: Sandbox, host: str = "127.0.0.1", port: int = 0) -> None:
        self.sandbox = sandbox
        self.host, self.port = host, port
        self._runner = web.AppRunner(build_app(sandbox), shutdown_timeout=1)

    @property
    def url(self) -> str:
        """The base URL: ``TelegramAPIServer.from_base(server.url)``."""
        return f"http://{self.host}:{self.port}"

    async def start(self) -> None:
        sock = bound_socket(self.host, self.port)
        self.port = sock.getsockname()[1]
        await self._runner.setup()
        await web.SockSite(self._runner, sock).start()

    async def stop(self) -> None:
        await self.sandbox.close()
        await self._runner.cleanup()

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()
