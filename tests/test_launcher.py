"""``python -m shop`` (what ``./run`` starts): API and offline bot in one process."""

from __future__ import annotations

import asyncio
import signal
import socket
import sys
import uuid

import aiohttp
import pytest

from core.config import PROJECT_ROOT
from tests.processes import environment, free_port, wait_until_serving

pytestmark = pytest.mark.slow


async def test_the_shop_serves_the_api_and_the_offline_bot(mongo_uri: str) -> None:
    api, sandbox = free_port(), free_port()
    env = environment(
        MONGODB_URI=mongo_uri,
        MONGODB_DATABASE=f"test_{uuid.uuid4().hex[:16]}",
        API_PORT=str(api),
        SANDBOX_PORT=str(sandbox),
    )
    env.pop("BOT_TOKEN", None)
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "shop", cwd=PROJECT_ROOT, env=env, stderr=asyncio.subprocess.PIPE
    )
    try:
        await wait_until_serving(f"http://127.0.0.1:{api}/readyz")
        chat_url = f"http://127.0.0.1:{sandbox}/sandbox"
        async with aiohttp.ClientSession() as http:
            await http.post(f"{chat_url}/users", json={"id": 4242, "first_name": "Ann"})
            await http.post(f"{chat_url}/users/4242/messages", json={"text": "/start"})
            async with asyncio.timeout(60):
                while True:
                    async with http.get(f"{chat_url}/chats/4242") as reply:
                        messages = (await reply.json())["messages"]
                    if any(m["from_bot"] for m in messages):
                        break
                    await asyncio.sleep(0.05)
        assert any(m["from_bot"] and "name" in m.get("text", "") for m in messages), messages
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == 0, stderr.decode()[-2000:]


async def test_a_busy_port_stops_the_shop_with_one_line(mongo_uri: str) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = environment(
            MONGODB_URI=mongo_uri,
            MONGODB_DATABASE=f"test_{uuid.uuid4().hex[:16]}",
            API_PORT=str(port),
            SANDBOX_PORT=str(free_port()),
        )
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "shop", cwd=PROJECT_ROOT, env=env, stderr=asyncio.subprocess.PIPE
        )
        _, stderr = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 1
    last = stderr.decode().strip().splitlines()[-1]
    assert last.startswith(f"cannot serve the API on 127.0.0.1:{port}: ")
    assert last.endswith("(set API_HOST or API_PORT)")
