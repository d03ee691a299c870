"""The load generator: wrk (Debian's ``wrk`` package) driven by the scripts in ``lua/``."""

from __future__ import annotations

import asyncio
import json
import shutil
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from bench.seed import Customer

LUA = Path(__file__).parent / "lua"


@dataclass(frozen=True)
class Load:
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    max_ms: float
    non_2xx: int
    socket_errors: int

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds


def write_lines(path: Path, lines: Iterable[object]) -> Path:
    """One item a line, for a wrk script to read."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(f"{line}\n" for line in lines))
    return path


def identities(customers: Iterable[Customer]) -> list[str]:
    """``lua/identities.lua``'s lines: a token and the user id."""
    return [f"{customer.token} {customer.user_id}" for customer in customers]


async def run(
    url: str,
    script: str,
    *,
    seconds: float,
    connections: int,
    threads: int = 1,
    **env: str,
) -> Load:
    """Run ``lua/<script>.lua`` against ``url``; ``env`` reaches the script as BENCH_*."""
    wrk = shutil.which("wrk")
    if wrk is None:
        raise RuntimeError("wrk is missing: apt-get install wrk (./run bench installs it)")
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch) / "load.json"
        process = await asyncio.create_subprocess_exec(
            wrk,
            f"--threads={threads}",
            f"--connections={connections}",
            f"--duration={max(1, round(seconds))}s",
            "--timeout=10s",
            f"--script={LUA / script}.lua",
            url,
            env={
                "BENCH_OUT": str(out),
                "BENCH_LUA_DIR": str(LUA),
                **{f"BENCH_{name.upper()}": value for name, value in env.items()},
            },
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
        )
        _, stderr = await process.communicate()
        if process.returncode != 0 or not out.exists():
            raise RuntimeError(f"wrk failed: {stderr.decode()[-2000:]}")
        return Load(**json.loads(out.read_text()))
