"""Running the project's entry points as real child processes in tests."""

from __future__ import annotations

import asyncio
import os
import socket

import aiohttp

from tests.conftest import TEST_SECRET


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def environment(**values: str) -> dict[str, str]:
    """This process's environment with test settings and ``values`` on top."""
    return {**os.environ, "JWT_SECRET": TEST_SECRET, "BCRYPT_ROUNDS": "4", **values}


async def wait_until_serving(url: str, timeout: float = 120) -> None:
    """Poll ``url`` until it answers 200 (a child process starting up, however slowly)."""
    async with aiohttp.ClientSession() as http:
        try:
            async with asyncio.timeout(timeout):
                while True:
                    try:
                        async with http.get(url) as reply:
                            if reply.status == 200:
                                return
                    except aiohttp.ClientConnectionError:
                        pass
                    await asyncio.sleep(0.1)
        except TimeoutError:
            raise AssertionError(f"nothing answered at {url}") from None
