"""The embedded database: mongo-java-server run as a child process.

The jars are resolved by Maven from ``runtime/engine/pom.xml`` into the user's Maven cache on
first use; ``runtime/engine/Launcher.java`` starts the server on a free loopback port and
stops it when our end of its standard input closes, so it never outlives this process.

If the server dies (killed, out of memory), ``keep_running`` starts it again on the same
port, so the shop's connection pool finds it again: after 1 s, then 2 s, 4 s, ... while it
keeps dying; a server that stayed up for ``STABLE_SECONDS`` starts the count afresh. After
``RESTARTS`` restarts in a row it gives up with one line, and the process stops, for a
supervisor (or the person at ``./run``) to see.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import shutil
import subprocess
import sys
from pathlib import Path
from types import TracebackType

ENGINE_DIR = Path(__file__).parent / "engine"
POM = ENGINE_DIR / "pom.xml"
LAUNCHER = ENGINE_DIR / "Launcher.java"
# One collector thread: the engine shares a small machine with the shop's processes, and
# a parallel collector's pauses would stall them all at once.
JVM_OPTIONS = ("-Xss4m", "-XX:+UseSerialGC")
RESTARTS = 5
FIRST_DELAY_SECONDS = 1.0
STABLE_SECONDS = 60.0
POLL_SECONDS = 0.5

log = logging.getLogger(__name__)


class EngineUnavailable(RuntimeError):
    """Java or Maven is missing, or the server failed to start."""


def _require(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        raise EngineUnavailable(
            f"the embedded database needs `{tool}` (Java 17+ and Maven: "
            "`apt-get install openjdk-17-jdk-headless maven`), "
            "or set MONGODB_URI to use a MongoDB server instead"
        )
    return path


def classpath(cache_dir: Path) -> str:
    """The engine's classpath, resolved by Maven once per version of the pom."""
    digest = hashlib.sha256(POM.read_bytes()).hexdigest()[:16]
    cached = cache_dir / f"classpath-{digest}.txt"
    if cached.exists():
        jars = cached.read_text().strip()
        if all(Path(jar).exists() for jar in jars.split(":")):
            return jars
    mvn = _require("mvn")
    cache_dir.mkdir(parents=True, exist_ok=True)
    print(
        "Fetching the embedded database (mongo-java-server) with Maven; first use only...",
        file=sys.stderr,
        flush=True,
    )
    result = subprocess.run(  # noqa: S603 - fixed arguments, no shell
        [
            mvn,
            "-q",
            "-B",
            "-f",
            str(POM),
            "dependency:build-classpath",
            f"-Dmdep.outputFile={cached}",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise EngineUnavailable(f"Maven could not fetch the embedded database:\n{result.stdout}")
    return cached.read_text().strip()


class EmbeddedMongo:
    """A mongo-java-server child process: ``memory`` for tests, an H2 file to persist."""

    def __init__(self, store: str | Path, cache_dir: Path) -> None:
        self.store = str(store)
        self.cache_dir = cache_dir
        self.port: int | None = None
        self._process: subprocess.Popen[str] | None = None

    @property
    def uri(self) -> str:
        if self.port is None:
            raise EngineUnavailable("the embedded database is not running")
        return f"mongodb://127.0.0.1:{self.port}/"

    def start(self, port: int = 0) -> str:
        """Start the server (on ``port``, or a free one) and return its connection string."""
        java = _require("java")
        jars = classpath(self.cache_dir)
        if self.store != "memory":
            Path(self.store).parent.mkdir(parents=True, exist_ok=True)
        self._process = subprocess.Popen(  # noqa: S603 - fixed arguments, no shell
            [java, *JVM_OPTIONS, "-cp", jars, str(LAUNCHER), self.store, str(port)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        assert self._process.stdout is not None
        line = self._process.stdout.readline()
        if not line.startswith("PORT "):
            self.stop()
            raise EngineUnavailable(f"the embedded database did not start: {line!r}")
        self.port = int(line.split()[1])
        log.info("embedded database listening", extra={"port": self.port, "store": self.store})
        return self.uri

    @property
    def pid(self) -> int | None:
        return None if self._process is None else self._process.pid

    async def keep_running(
        self,
        restarts: int = RESTARTS,
        first_delay: float = FIRST_DELAY_SECONDS,
        stable: float = STABLE_SECONDS,
    ) -> None:
        """Watch the server and start it again on its port whenever it dies (see the module
        docstring); ``EngineUnavailable`` once ``restarts`` in a row did not keep it up."""
        loop = asyncio.get_running_loop()
        failures, up_since = 0, loop.time()
        while True:
            exit_code = await self._exited()
            if loop.time() - up_since >= stable:
                failures = 0
            if failures == restarts:
                raise EngineUnavailable(
                    f"the embedded database stopped (exit code {exit_code}) and did not stay "
                    f"up after {restarts} restarts; the shop stops (its data is in {self.store})"
                )
            delay = first_delay * 2**failures
            failures += 1
            log.warning(
                "the embedded database stopped; starting it again",
                extra={"exitCode": exit_code, "inSeconds": delay, "restart": failures},
            )
            await asyncio.sleep(delay)
            try:
                await asyncio.to_thread(self.start, self.port or 0)
            except EngineUnavailable as error:
                log.warning("the embedded database did not start", extra={"error": str(error)})
                continue
            up_since = loop.time()

    async def _exited(self) -> int | None:
        """Wait until the server process ends (at once if there is none); its exit code."""
        # A Popen has no awaitable end, and a thread blocked in wait() would outlive a stop.
        while (process := self._process) is not None and process.poll() is None:  # noqa: ASYNC110
            await asyncio.sleep(POLL_SECONDS)
        self._process = None
        if process is not None:
            await asyncio.to_thread(process.communicate)  # close our ends of its pipes
        return None if process is None else process.returncode

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        if process.stdin is not None:
            process.stdin.close()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def kill(self) -> None:
        """End the server as a crash would: SIGKILL, no chance to write anything more."""
        process, self._process = self._process, None
        if process is not None:
            process.kill()
            process.wait()
            process.communicate()  # close our ends of its pipes

    def __enter__(self) -> EmbeddedMongo:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()
