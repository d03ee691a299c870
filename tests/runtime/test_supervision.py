"""What a supervisor (docker-compose.yml) relies on: a bounded wait for the database at
start, and heartbeats that ``python -m runtime.health`` reads."""

from __future__ import annotations

import ast
import asyncio
import itertools
import json
import subprocess
import sys
from pathlib import Path

import pytest

from core.config import ConfigError
from core.shop import Shop
from runtime import health
from runtime.database import DatabaseUnreachable, wait_for_database
from runtime.health import check_heartbeat, heartbeat_file
from runtime.heartbeat import keep_beating
from tests.processes import api_processes, environment, finished, free_port


class FakeTime:
    """A monotonic clock that moves only when the code under test sleeps."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


async def test_a_closed_port_is_tried_with_growing_pauses_up_to_the_wait_then_one_line() -> None:
    port = free_port()
    time = FakeTime()
    with pytest.raises(DatabaseUnreachable) as stopped:
        await wait_for_database(
            f"mongodb://127.0.0.1:{port}/",
            30,
            attempt_seconds=0.1,
            sleep=time.sleep,
            now=time,
        )
    assert str(stopped.value.code).startswith(
        f"error: the database (127.0.0.1:{port}) did not answer within 30 s (DB_WAIT_SECONDS): "
        f"127.0.0.1:{port}: [Errno 111]"
    )
    assert len(time.sleeps) >= 4
    full = time.sleeps[:-1]  # the last pause is cut to what is left of the wait
    assert all(later > earlier for earlier, later in itertools.pairwise(full))
    assert sum(time.sleeps) == pytest.approx(30)


async def test_a_database_that_answers_is_not_waited_for(engine_uri: str) -> None:
    time = FakeTime()
    await wait_for_database(engine_uri, 30, sleep=time.sleep, now=time)
    assert time.sleeps == []


async def test_a_malformed_uri_is_a_configuration_error_at_once() -> None:
    time = FakeTime()
    with pytest.raises(ConfigError, match="MONGODB_URI is not valid: Username and password"):
        await wait_for_database("mongodb://a:b:c@db/", 30, sleep=time.sleep, now=time)
    assert time.sleeps == []


async def test_a_heartbeat_says_the_database_answered_and_goes_when_the_process_stops(
    shop: Shop, tmp_path: Path
) -> None:
    path = heartbeat_file(tmp_path, "bot")
    beating = asyncio.create_task(keep_beating(path, 60, shop.is_ready))
    try:
        async with asyncio.timeout(60):
            while not path.exists():
                await asyncio.sleep(0.01)
        assert json.loads(path.read_text())["database"] is True
        assert check_heartbeat(path) is None
    finally:
        beating.cancel()
        await asyncio.gather(beating, return_exceptions=True)
    assert not path.exists()
    assert check_heartbeat(path) == (
        f"no heartbeat at {path}: the process is starting, or stopped (see its logs)"
    )


async def test_a_stale_heartbeat_or_an_unanswering_database_is_unhealthy(tmp_path: Path) -> None:
    path = heartbeat_file(tmp_path, "notifier")

    async def down() -> bool:
        return False

    beating = asyncio.create_task(keep_beating(path, 10, down, now=lambda: 5000.0))
    try:
        async with asyncio.timeout(60):
            while not path.exists():
                await asyncio.sleep(0.01)
        assert check_heartbeat(path, now=lambda: 5001.0) == (
            "the database did not answer at the last heartbeat"
        )
        assert check_heartbeat(path, now=lambda: 5031.0) == (
            "the last heartbeat is 31 s old (one every 10 s): stuck"
        )
    finally:
        beating.cancel()
        await asyncio.gather(beating, return_exceptions=True)


@pytest.mark.slow
async def test_the_health_command_reads_a_real_process_heartbeat_and_its_readyz(
    mongo_uri: str, shop: Shop, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HEARTBEAT_DIR", str(tmp_path))
    monkeypatch.setenv("HEARTBEAT_SECONDS", "1")
    database = shop.settings.mongodb_database
    async with api_processes(mongo_uri, database, 1) as [url]:
        path = heartbeat_file(tmp_path, "api")
        async with asyncio.timeout(120):
            while check_heartbeat(path) is not None:
                await asyncio.sleep(0.1)
        by_name = await asyncio.to_thread(_health, "api", tmp_path)
        assert (by_name.returncode, by_name.stdout) == (0, "healthy\n"), by_name.stderr
        by_url = await asyncio.to_thread(_health, f"{url}/readyz", tmp_path)
        assert (by_url.returncode, by_url.stdout) == (0, "healthy\n"), by_url.stderr
    stopped = await asyncio.to_thread(_health, "api", tmp_path)
    assert stopped.returncode == 1
    assert stopped.stderr.startswith("unhealthy: no heartbeat at ")
    gone = await asyncio.to_thread(_health, f"{url}/readyz", tmp_path)
    assert gone.returncode == 1 and gone.stderr.startswith(f"unhealthy: {url}/readyz: ")


def _health(target: str, folder: Path) -> subprocess.CompletedProcess[str]:
    env = environment(HEARTBEAT_DIR=str(folder))
    return finished([sys.executable, "-m", "runtime.health", target], env, timeout=60)


async def test_a_heartbeat_folder_that_cannot_be_written_is_a_configuration_error(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "not-a-folder"
    folder.write_text("a file")  # even root cannot write under it

    async def up() -> bool:
        return True

    with pytest.raises(ConfigError) as stopped:
        await keep_beating(heartbeat_file(folder, "bot"), 10, up)
    assert stopped.value.code == (
        f"configuration error: HEARTBEAT_DIR {folder} cannot be written (File exists)"
    )


def test_the_health_command_imports_the_standard_library_only() -> None:
    """Docker runs it every 30 s in every container: no pydantic, no driver, no shop."""
    source = Path(health.__file__).read_text()
    imported = {
        name.split(".")[0]
        for node in ast.walk(ast.parse(source))
        for name in (
            [alias.name for alias in node.names]
            if isinstance(node, ast.Import)
            else [node.module or ""]
            if isinstance(node, ast.ImportFrom)
            else []
        )
    }
    assert imported - {"__future__"} <= sys.stdlib_module_names
