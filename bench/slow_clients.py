"""``python -m bench.slow_clients``: slow clients against one API process (about 1.5 min).

One client (127.0.0.2) keeps ``--connections`` connections open, each sending the head of a
``POST /api/auth/register`` with ``Content-Length: 100000``, one byte of body, then nothing;
a connection the server cuts off is opened again at once. Meanwhile another client
(127.0.0.1) asks ``/healthz`` twice a second. The API runs as ``python -m admin_api`` with
its open-file limit set to ``--file-limit``, so a few thousand connections reproduce what
20,000 did to a process allowed 20,000 files. Printed: the connections the API held (its
open files), its memory before, at the peak and after, how /healthz fared, and what it
logged. ``--project DIR`` runs the API of another checkout (the code before a change) with
this checkout's Python and engine; compare the two tables.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import math
import multiprocessing
import os
import resource
import tempfile
import time
from dataclasses import dataclass, field
from multiprocessing.queues import Queue
from pathlib import Path
from typing import cast

import aiohttp

from bench.processes import Child
from bench.report import Table
from bench.stage import answers, child_env, engine, free_port
from core.config import PROJECT_ROOT

ATTACKER, PROBE = "127.0.0.2", "127.0.0.1"
HEAD = (
    b"POST /api/auth/register HTTP/1.1\r\nHost: shop\r\nContent-Type: application/json\r\n"
    b"Content-Length: 100000\r\n\r\n{"
)
PROBE_EVERY = 0.5
PROBE_TIMEOUT = 5.0
SETTLE_SECONDS = 10.0


@dataclass
class Figures:
    held_by_attacker: int = 0
    """The attacker's connections open right now."""
    opened: int = 0
    cut_off: int = 0
    connect_errors: int = 0
    files: list[int] = field(default_factory=list)
    rss_mib: list[float] = field(default_factory=list)


def _files(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


def _rss_mib(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    line = next(line for line in status.splitlines() if line.startswith("VmRSS:"))
    return int(line.split()[1]) / 1024


async def _until_closed(reader: asyncio.StreamReader) -> None:
    with contextlib.suppress(OSError):
        await reader.read()


async def _slow_client(port: int, figures: Figures, stop: asyncio.Event) -> None:
    """One connection held open with an unfinished body, opened again when cut off."""
    while not stop.is_set():
        try:
            reader, writer = await asyncio.open_connection(
                "127.0.0.1", port, local_addr=(ATTACKER, 0)
            )
        except OSError:
            figures.connect_errors += 1
            await asyncio.sleep(0.1)
            continue
        figures.opened += 1
        figures.held_by_attacker += 1
        try:
            writer.write(HEAD)
            reading = asyncio.ensure_future(_until_closed(reader))
            stopping = asyncio.ensure_future(stop.wait())
            await asyncio.wait({reading, stopping}, return_when=asyncio.FIRST_COMPLETED)
            stopping.cancel()
            if reading.done():
                figures.cut_off += 1
            else:
                reading.cancel()
        except OSError:
            figures.cut_off += 1
        finally:
            figures.held_by_attacker -= 1
            writer.close()
        await asyncio.sleep(0.05)  # a cut-off client comes back, but not in a busy loop


async def _probe(url: str, stop_after: float) -> list[tuple[float, float | None]]:
    """Ask ``url`` every ``PROBE_EVERY`` seconds for ``stop_after`` seconds: (when, seconds
    to answer or None if it failed) per try."""
    probes: list[tuple[float, float | None]] = []
    connector = aiohttp.TCPConnector(force_close=True, local_addr=(PROBE, 0))
    timeout = aiohttp.ClientTimeout(total=PROBE_TIMEOUT)
    end = time.monotonic() + stop_after
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as http:
        while (started := time.monotonic()) < end:
            try:
                async with http.get(url) as reply:
                    ok = reply.status == 200
            except (aiohttp.ClientError, TimeoutError):
                ok = False
            probes.append((started, time.monotonic() - started if ok else None))
            await asyncio.sleep(max(0.0, PROBE_EVERY - (time.monotonic() - started)))
    return probes


def _probe_process(url: str, stop_after: float, results: Queue[object]) -> None:
    """The probe in a process of its own, so that the attacker's work does not slow it."""
    results.put(asyncio.run(_probe(url, stop_after)))


async def _sample(pid: int, figures: Figures, stop: asyncio.Event) -> None:
    while not stop.is_set():
        figures.files.append(_files(pid))
        figures.rss_mib.append(_rss_mib(pid))
        await asyncio.sleep(1)


def _quantile(values: list[float], q: float) -> float:
    if not values:
        return math.nan
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _longest_outage(probes: list[tuple[float, float | None]]) -> float:
    """The longest stretch of seconds in which /healthz answered nothing."""
    longest, since = 0.0, None
    for when, took in probes:
        if took is None and since is None:
            since = when
        elif took is not None and since is not None:
            longest, since = max(longest, when - since), None
    if since is not None:
        longest = max(longest, probes[-1][0] + PROBE_TIMEOUT - since)
    return longest


async def measure(connections: int, seconds: float, project: Path, file_limit: int) -> Table:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))  # the attacker's own sockets
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="bench-slow-") as folder:
        log_path = Path(folder) / "api.log"
        async with engine() as uri:
            env = child_env(uri, "slow_clients", API_PORT=str(port), LOG_FORMAT="json")
            child = Child("admin_api", env, log_path, cwd=project, file_limit=file_limit)
            await child.start(answers(f"http://127.0.0.1:{port}/readyz"))
            try:
                figures = Figures()
                quiet_files, quiet_rss = _files(child.pid), _rss_mib(child.pid)
                stop_attack, stop_watching = asyncio.Event(), asyncio.Event()
                spawn = multiprocessing.get_context("spawn")
                results: Queue[object] = spawn.Queue()
                probe = spawn.Process(
                    target=_probe_process,
                    args=(f"http://127.0.0.1:{port}/healthz", seconds + SETTLE_SECONDS, results),
                )
                probe.start()
                sampler = asyncio.create_task(_sample(child.pid, figures, stop_watching))
                clients = [
                    asyncio.create_task(_slow_client(port, figures, stop_attack))
                    for _ in range(connections)
                ]
                await asyncio.sleep(seconds)
                held_at_end = figures.held_by_attacker
                stop_attack.set()
                await asyncio.gather(*clients, return_exceptions=True)
                await asyncio.sleep(SETTLE_SECONDS)
                stop_watching.set()
                await sampler
                probes = cast(
                    list[tuple[float, float | None]], await asyncio.to_thread(results.get)
                )
                probe.join()
                after_files, after_rss = _files(child.pid), _rss_mib(child.pid)
            finally:
                await child.stop()
        logged = log_path.read_bytes()
    resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
    answered = [took for _, took in probes if took is not None]
    table = Table(
        f"Slow clients: {connections} connections from one client for {seconds:.0f} s, "
        f"API allowed {file_limit} open files ({project})",
        ["figure", "value"],
    )
    table.add(
        "API open files: quiet / peak / 10 s after",
        f"{quiet_files} / {max(figures.files)} / {after_files}",
    )
    table.add(
        "API RSS MiB: quiet / peak / 10 s after",
        f"{quiet_rss:.0f} / {max(figures.rss_mib):.0f} / {after_rss:.0f}",
    )
    table.add("attacker's connections open at the end", held_at_end)
    table.add(
        "attacker's connections opened / cut off by the API",
        f"{figures.opened} / {figures.cut_off}",
    )
    table.add("attacker's failed connects", figures.connect_errors)
    table.add("/healthz answered / asked", f"{len(answered)} / {len(probes)}")
    table.add(
        "/healthz answer s: median / 95th percentile / slowest",
        " / ".join(f"{_quantile(answered, q):.2f}" for q in (0.5, 0.95, 1.0)),
    )
    table.add("/healthz longest outage s", f"{_longest_outage(probes):.1f}")
    lines = logged.count(b"\n")
    table.add("API log: lines / KiB", f"{lines} / {len(logged) / 1024:.0f}")
    table.add("'out of system resource' lines", logged.count(b"out of system resource"))
    return table


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.slow_clients", description=__doc__)
    parser.add_argument("--connections", type=int, default=6000)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--file-limit", type=int, default=4096)
    parser.add_argument("--project", type=Path, default=PROJECT_ROOT)
    args = parser.parse_args()
    table = asyncio.run(measure(args.connections, args.seconds, args.project, args.file_limit))
    print(table.text())


if __name__ == "__main__":
    main()
