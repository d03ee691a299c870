"""Child processes under measurement: started with a settings environment, stopped by
SIGTERM, and asked for their peak resident memory (``VmHWM``) while still alive."""

from __future__ import annotations

import asyncio
import contextlib
import os
import resource
import signal
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import IO

from core.config import PROJECT_ROOT

STOP_SECONDS = 20


class Child:
    """``python -m <module>`` from the project root, its output in ``log``."""

    def __init__(
        self,
        module: str,
        env: dict[str, str],
        log: Path,
        *,
        cwd: Path = PROJECT_ROOT,
        file_limit: int | None = None,
    ) -> None:
        self.module = module
        self._env = env
        self._log_path = log
        self._cwd = cwd
        self._file_limit = file_limit
        self._log: IO[bytes] | None = None
        self._process: asyncio.subprocess.Process | None = None

    async def start(self, ready: Callable[[], Awaitable[bool]], timeout: float = 60) -> None:  # noqa: ASYNC109
        """Start the process and wait until ``ready()`` says it serves."""
        self._log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log = self._log_path.open("wb")
        self._process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            self.module,
            cwd=self._cwd,
            env={**os.environ, **self._env},
            stdout=self._log,
            stderr=self._log,
            preexec_fn=self._limit_files,
        )
        deadline = asyncio.get_running_loop().time() + timeout
        while not await ready():
            if self._process.returncode is not None:
                raise RuntimeError(f"{self.module} exited; see {self._log_path}")
            if asyncio.get_running_loop().time() > deadline:
                raise RuntimeError(f"{self.module} did not start; see {self._log_path}")
            await asyncio.sleep(0.1)

    def _limit_files(self) -> None:
        """In the child, before it runs: its open-file limit, if one was asked for."""
        if self._file_limit is not None:
            resource.setrlimit(resource.RLIMIT_NOFILE, (self._file_limit, self._file_limit))

    @property
    def pid(self) -> int:
        if self._process is None:
            raise RuntimeError(f"{self.module} is not running")
        return self._process.pid

    def peak_rss_mib(self) -> float:
        """The most memory the process has held resident so far (the kernel's high-water mark)."""
        status = Path(f"/proc/{self.pid}/status").read_text()
        line = next(line for line in status.splitlines() if line.startswith("VmHWM:"))
        return int(line.split()[1]) / 1024

    async def stop(self) -> None:
        process, self._process = self._process, None
        if process is not None and process.returncode is None:
            process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(process.wait(), STOP_SECONDS)
            except TimeoutError:
                process.kill()
                await process.wait()
        if self._log is not None:
            self._log.close()


@contextlib.asynccontextmanager
async def running(
    module: str, env: dict[str, str], log: Path, ready: Callable[[], Awaitable[bool]]
) -> AsyncIterator[Child]:
    """``module`` started and serving for the duration of the block."""
    child = Child(module, env, log)
    try:
        await child.start(ready)
        yield child
    finally:
        await child.stop()
