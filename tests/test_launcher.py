"""``python -m shop`` (what ``./run`` starts): API and offline bot in one process."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from core.accounts.commands import TelegramSignup
from core.config import PROJECT_ROOT
from core.shop import Shop
from runtime.process import CONFIG_ERROR_EXIT
from tests.processes import environment, free_port, taken_port, wait_until_serving

pytestmark = pytest.mark.slow


@contextlib.asynccontextmanager
async def shop_on_the_sandbox(
    mongo_uri: str, stop: signal.Signals, database: str | None = None
) -> AsyncIterator[tuple[str, list[str]]]:
    """``python -m shop`` on the offline sandbox (over ``database``, else a new one),
    serving: the sandbox's control API URL and, once the block ends and ``stop`` stopped
    the shop, its stderr lines."""
    api, sandbox = free_port(), free_port()
    env = environment(
        MONGODB_URI=mongo_uri,
        MONGODB_DATABASE=database or f"test_{uuid.uuid4().hex[:16]}",
        API_PORT=str(api),
        SANDBOX_PORT=str(sandbox),
    )
    env.pop("BOT_TOKEN", None)
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "shop", cwd=PROJECT_ROOT, env=env, stderr=asyncio.subprocess.PIPE
    )
    lines: list[str] = []
    try:
        await wait_until_serving(f"http://127.0.0.1:{api}/readyz")
        yield f"http://127.0.0.1:{sandbox}/sandbox", lines
    finally:
        process.send_signal(stop)
        _, stderr = await asyncio.wait_for(process.communicate(), 30)
        lines.extend(stderr.decode().splitlines())
    assert process.returncode == 0, "\n".join(lines[-20:])


async def chat_with_the_bot(chat_url: str) -> list[dict[str, Any]]:
    """A new user sends /start and the bot answers: the chat's messages."""
    async with aiohttp.ClientSession() as http:
        await http.post(f"{chat_url}/users", json={"id": 4242, "first_name": "Ann"})
        await http.post(f"{chat_url}/users/4242/messages", json={"text": "/start"})
        async with asyncio.timeout(60):
            while True:
                async with http.get(f"{chat_url}/chats/4242") as reply:
                    messages: list[dict[str, Any]] = (await reply.json())["messages"]
                if any(m["from_bot"] for m in messages):
                    return messages
                await asyncio.sleep(0.05)


async def test_the_shop_serves_the_api_and_the_offline_bot(mongo_uri: str) -> None:
    async with shop_on_the_sandbox(mongo_uri, signal.SIGTERM) as (chat_url, _):
        messages = await chat_with_the_bot(chat_url)
    assert any(m["from_bot"] and "name" in m.get("text", "") for m in messages), messages


async def test_ctrl_c_stops_the_shop_quietly(mongo_uri: str) -> None:
    """Polling stops before the sandbox goes, and every HTTP client session is closed."""
    async with shop_on_the_sandbox(mongo_uri, signal.SIGINT) as (chat_url, stderr):
        await chat_with_the_bot(chat_url)  # the bot is polling again: a getUpdates is open
    noise = [
        line
        for line in stderr
        if any(word in line for word in ("Unclosed", "getUpdates failed", "Traceback", "ERROR"))
    ]
    assert noise == [], "\n".join(stderr)


async def test_new_users_of_a_restarted_sandbox_are_not_taken_for_old_accounts(
    mongo_uri: str, shop: Shop
) -> None:
    """The sandbox forgets its users when the shop restarts; the accounts stay linked."""
    for telegram_id, name in ((1001, "Dan"), (1002, "Erin")):
        signup = TelegramSignup(telegram_id=telegram_id, name=name, email=f"{name}@example.com")
        await shop.users.sign_up_telegram(signup)
    database = shop.settings.mongodb_database
    async with (
        shop_on_the_sandbox(mongo_uri, signal.SIGTERM, database) as (chat_url, _),
        aiohttp.ClientSession() as http,
        http.post(f"{chat_url}/users", json={"first_name": "Frank"}) as reply,
    ):
        frank = await reply.json()
    assert frank["id"] == 1003


async def test_a_busy_port_stops_the_shop_with_one_line(mongo_uri: str) -> None:
    with taken_port() as port:
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
    assert process.returncode == CONFIG_ERROR_EXIT  # the settings must change: no restart
    last = stderr.decode().strip().splitlines()[-1]
    assert last.startswith(f"cannot serve the API on 127.0.0.1:{port}: ")
    assert last.endswith("(set API_HOST or API_PORT)")


def _children(pid: int) -> list[int]:
    tasks = Path(f"/proc/{pid}/task")
    return [int(c) for t in tasks.iterdir() for c in (t / "children").read_text().split()]


async def test_a_killed_embedded_engine_is_started_again(tmp_path: Path) -> None:
    """What ``./run`` does without MONGODB_URI: the API answers again once the engine is back."""
    api = free_port()
    env = environment(DATA_DIR=str(tmp_path), API_PORT=str(api), LOG_FORMAT="json")
    env.pop("MONGODB_URI", None)
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "admin_api", cwd=PROJECT_ROOT, env=env, stderr=asyncio.subprocess.PIPE
    )
    try:
        await wait_until_serving(f"http://127.0.0.1:{api}/readyz")
        [engine] = _children(process.pid)
        os.kill(engine, signal.SIGKILL)
        async with asyncio.timeout(120):
            while _children(process.pid) in ([], [engine]):
                await asyncio.sleep(0.1)
        await wait_until_serving(f"http://127.0.0.1:{api}/readyz")
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == 0, stderr.decode()[-2000:]
    assert b"the embedded database stopped; starting it again" in stderr
