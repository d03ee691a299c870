"""Raw Bot API calls for the tests that play the bot themselves."""

from typing import Any

import aiohttp

from sandbox import SandboxServer


async def call(
    http: aiohttp.ClientSession, server: SandboxServer, method: str, **params: Any
) -> tuple[int, dict[str, Any]]:
    """POST a Bot API call as JSON; the HTTP status and the decoded body."""
    url = f"{server.url}/bot{server.sandbox.token}/{method}"
    async with http.post(url, json=params) as response:
        return response.status, await response.json()


async def ok(http: aiohttp.ClientSession, server: SandboxServer, method: str, **params: Any) -> Any:
    """The ``result`` of a call that must succeed."""
    status, body = await call(http, server, method, **params)
    assert status == 200, body
    return body["result"]
