"""``python -m admin_api`` serves the API on its own and stops cleanly on SIGTERM."""

from __future__ import annotations

import asyncio
import json
import signal
import sys
import uuid

import pytest

from core.config import PROJECT_ROOT
from tests.processes import environment, free_port, wait_until_serving

pytestmark = pytest.mark.slow


async def test_serves_until_terminated(mongo_uri: str) -> None:
    port = free_port()
    database = f"test_{uuid.uuid4().hex[:16]}"
    env = environment(MONGODB_URI=mongo_uri, MONGODB_DATABASE=database, API_PORT=str(port))
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "admin_api", cwd=PROJECT_ROOT, env=env, stderr=asyncio.subprocess.PIPE
    )
    try:
        await wait_until_serving(f"http://127.0.0.1:{port}/readyz")
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == 0
    entries = [json.loads(line) for line in stderr.decode().splitlines()]
    assert any(e["message"] == "listening" and e["port"] == port for e in entries)
    assert any(e.get("path") == "/readyz" and e.get("status") == 200 for e in entries)


async def test_a_bad_setting_stops_startup_with_one_line() -> None:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "admin_api",
        cwd=PROJECT_ROOT,
        env=environment(API_PORT="not-a-port"),
        stderr=asyncio.subprocess.PIPE,
    )
    _, stderr = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode != 0
    assert stderr.decode().strip().splitlines() == [
        "configuration error: API_PORT input should be a valid integer, unable to parse "
        "string as an integer"
    ]
