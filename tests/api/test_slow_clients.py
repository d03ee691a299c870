"""Clients that hold connections without finishing their requests, or hold too many: each
is cut off (by a timeout or a cap) while everyone else is still served; and requests that
aiohttp refuses before the application get problem details too. On loopback only, a
handful of connections; the load-sized measurement is ``bench/slow_clients.py``."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import aiohttp

from tests.api.client import Listen

ATTACKER, OTHER = "127.0.0.2", "127.0.0.3"  # loopback addresses besides 127.0.0.1
WAIT = 30.0
"""Generous bound on every wait for the server to act (it acts within a fraction of it)."""
Connection = tuple[asyncio.StreamReader, asyncio.StreamWriter]


async def connect(port: int, source: str = ATTACKER) -> Connection:
    return await asyncio.open_connection("127.0.0.1", port, local_addr=(source, 0))


async def until_closed(reader: asyncio.StreamReader) -> bytes:
    """What the server sent until it closed the connection (b"" if it reset it)."""
    async with asyncio.timeout(WAIT):
        try:
            return await reader.read()
        except ConnectionResetError:
            return b""


async def answer(reader: asyncio.StreamReader) -> tuple[str, dict[str, Any]]:
    """The status line and the JSON body of one answer."""
    async with asyncio.timeout(WAIT):
        head = (await reader.readuntil(b"\r\n\r\n")).decode()
        length = next(
            int(line.split(":")[1])
            for line in head.split("\r\n")
            if line.lower().startswith("content-length")
        )
        body = json.loads(await reader.readexactly(length))
    assert "application/problem+json" in head or body.get("status") == "ok", head
    return head.split("\r\n")[0], body


async def healthz(connection: Connection) -> str:
    reader, writer = connection
    writer.write(b"GET /healthz HTTP/1.1\r\nHost: shop\r\n\r\n")
    status, _ = await answer(reader)
    return status


async def test_a_body_that_does_not_arrive_in_time_gets_408_and_the_connection_closes(
    listen: Listen,
) -> None:
    port = await listen(api_body_timeout_seconds=0.2)
    reader, writer = await connect(port)
    writer.write(
        b"POST /api/auth/register HTTP/1.1\r\nHost: shop\r\nContent-Type: application/json\r\n"
        b"Content-Length: 1000\r\n\r\n{"
    )
    status, body = await answer(reader)
    assert (status, body["code"]) == ("HTTP/1.1 408 Request Timeout", "body-timeout")
    assert await until_closed(reader) == b""
    writer.close()


async def test_a_body_declared_past_the_limit_is_refused_before_it_arrives(
    listen: Listen,
) -> None:
    port = await listen(api_body_timeout_seconds=WAIT * 10)  # no timeout could answer in time
    reader, writer = await connect(port)
    writer.write(
        b"POST /api/auth/register HTTP/1.1\r\nHost: shop\r\nContent-Type: application/json\r\n"
        b"Content-Length: 100000\r\n\r\n{"
    )
    status, body = await answer(reader)
    assert (status, body["code"]) == ("HTTP/1.1 413 Request Entity Too Large", "body-too-large")
    writer.close()


async def test_idle_connections_and_unfinished_heads_are_closed(listen: Listen) -> None:
    port = await listen(api_idle_timeout_seconds=0.2)
    silent_reader, silent = await connect(port)
    slow_reader, slow = await connect(port)
    slow.write(b"GET /healthz HTTP/1.1\r\nHo")
    used = await connect(port)
    assert await healthz(used) == "HTTP/1.1 200 OK"  # then idle after its answer
    for reader in (silent_reader, slow_reader, used[0]):
        assert await until_closed(reader) == b""
    for writer in (silent, slow, used[1]):
        writer.close()


async def test_one_address_cannot_hold_more_than_its_share_of_connections(
    listen: Listen,
) -> None:
    port = await listen(api_max_connections_per_address=3)
    held = [await connect(port) for _ in range(3)]
    assert [await healthz(connection) for connection in held] == ["HTTP/1.1 200 OK"] * 3
    reader, writer = await connect(port)
    assert await until_closed(reader) == b""  # closed as soon as it was accepted
    writer.close()
    url = f"http://127.0.0.1:{port}/healthz"  # another client is served meanwhile
    async with aiohttp.ClientSession() as http, http.get(url) as reply:
        assert reply.status == 200
    held.pop()[1].close()
    async with asyncio.timeout(WAIT):  # the freed slot is taken by the next connection
        while True:
            again = await connect(port)
            try:
                assert await healthz(again) == "HTTP/1.1 200 OK"
                break
            except (ConnectionResetError, asyncio.IncompleteReadError):
                again[1].close()
                await asyncio.sleep(0.05)
    for _, connection in [*held, again]:
        connection.close()


async def test_no_more_connections_than_the_cap_are_kept_open(listen: Listen) -> None:
    port = await listen(api_max_connections=2)
    held = [await connect(port) for _ in range(2)]
    assert [await healthz(connection) for connection in held] == ["HTTP/1.1 200 OK"] * 2
    reader, writer = await connect(port, source=OTHER)
    assert await until_closed(reader) == b""
    for _, connection in [*held, (reader, writer)]:
        connection.close()


async def test_what_aiohttp_refuses_is_a_problem_too(listen: Listen) -> None:
    port = await listen()
    cases = [
        (b"GET /healthz HTTP/1.1\r\nX-Padding: " + b"a" * 10_000 + b"\r\n\r\n", 431),
        (b"GET /" + b"a" * 10_000 + b" HTTP/1.1\r\n\r\n", 431),
        (b"POST /api/orders HTTP/1.1\r\nIdempotency-Key: " + b"k" * 10_240 + b"\r\n\r\n", 431),
        (b"\x16\x03\x01 not HTTP at all\r\n\r\n", 400),
    ]
    for request, status in cases:
        reader, writer = await connect(port, source="127.0.0.1")
        writer.write(request)
        line, body = await answer(reader)
        assert (int(line.split()[1]), body["status"]) == (status, status)
        assert body["type"].startswith("urn:telegram-shop:problem:")
        writer.close()
