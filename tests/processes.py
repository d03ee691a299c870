"""Running the project's entry points as real child processes in tests."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import aiohttp

from core.config import PROJECT_ROOT
from tests.settings import TEST_SECRET


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def taken_port() -> Iterator[int]:
    """A port something already listens on, for the block."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        yield int(taken.getsockname()[1])


def finished(
    command: list[str], env: dict[str, str] | None = None, stdin: str = "", timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    """``command`` run in the project's folder to its end (``timeout`` is for a hang); its
    output as text."""
    return subprocess.run(
        command,
        input=stdin,
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


async def module_run(
    module: str, env: dict[str, str], *args: str, timeout: float = 120
) -> tuple[int, str, str]:
    """``python -m module *args`` to its end, awaited (so that what this test serves, a
    sandbox say, keeps answering it): its exit status, standard output and standard error."""
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        module,
        *args,
        cwd=PROJECT_ROOT,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(child.communicate(), timeout)
    assert child.returncode is not None
    return child.returncode, out.decode(), err.decode()


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


@contextlib.asynccontextmanager
async def api_processes(mongo_uri: str, database: str, count: int) -> AsyncIterator[list[str]]:
    """``count`` ``python -m admin_api`` processes on one database, serving; their base URLs.
    They are terminated (SIGTERM) when the block ends."""
    ports = [free_port() for _ in range(count)]
    processes = []
    try:
        for port in ports:
            env = environment(MONGODB_URI=mongo_uri, MONGODB_DATABASE=database, API_PORT=str(port))
            processes.append(
                await asyncio.create_subprocess_exec(
                    sys.executable,
                    "-m",
                    "admin_api",
                    cwd=PROJECT_ROOT,
                    env=env,
                    stderr=asyncio.subprocess.DEVNULL,
                )
            )
        urls = [f"http://127.0.0.1:{port}" for port in ports]
        for url in urls:
            await wait_until_serving(f"{url}/readyz")
        yield urls
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            await asyncio.wait_for(process.wait(), 30)


async def wait_until_listening(port: int, timeout: float = 120) -> None:
    """Poll until something accepts connections on 127.0.0.1:``port``."""
    try:
        async with asyncio.timeout(timeout):
            while True:
                try:
                    _, writer = await asyncio.open_connection("127.0.0.1", port)
                except OSError:
                    await asyncio.sleep(0.1)
                    continue
                writer.close()
                await writer.wait_closed()
                return
    except TimeoutError:
        raise AssertionError(f"nothing listens on port {port}") from None


class Children:
    """Entry points started as child processes, each logging to its own file."""

    def __init__(self, log_dir: Path) -> None:
        self._log_dir = log_dir
        self._started: list[tuple[str, asyncio.subprocess.Process, Path]] = []

    async def start(self, name: str, module: str, env: dict[str, str]) -> None:
        """``python -m module`` with ``env``; its stderr goes to ``<log_dir>/<name>.log``."""
        log = self._log_dir / f"{name}.log"
        with log.open("wb") as stderr:
            process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", module, cwd=PROJECT_ROOT, env=env, stderr=stderr
            )
        self._started.append((name, process, log))

    async def kill(self, name: str) -> None:
        """End the child ``name`` as a crash would (SIGKILL)."""
        for started, process, _ in self._started:
            if started == name and process.returncode is None:
                process.kill()
                await process.wait()

    def check_alive(self) -> None:
        """Fail, showing its log, if any child has exited."""
        for name, process, log in self._started:
            if process.returncode is not None:
                tail = log.read_text(errors="replace")[-3000:]
                raise AssertionError(f"{name} exited with {process.returncode}:\n{tail}")

    async def stop(self) -> None:
        for _, process, _ in self._started:
            if process.returncode is None:
                process.terminate()
        for _, process, _ in self._started:
            try:
                await asyncio.wait_for(process.wait(), 30)
            except TimeoutError:
                process.kill()
                await process.wait()


@contextlib.asynccontextmanager
async def children(log_dir: Path) -> AsyncIterator[Children]:
    """``Children`` that are all stopped (SIGTERM, then SIGKILL after 30 s) on exit."""
    started = Children(log_dir)
    try:
        yield started
    finally:
        await started.stop()
