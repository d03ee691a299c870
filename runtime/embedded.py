"""The embedded database: mongo-java-server run as a child process.

The jars are resolved by Maven from ``runtime/engine/pom.xml`` into the user's Maven cache on
first use; ``runtime/engine/Launcher.java`` starts the server on a free loopback port and
stops it when our end of its standard input closes, so it never outlives this process.
"""

from __future__ import annotations

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

    @property
    def pid(self) -> int | None:
        """The server's process id while it runs (a test may pause it with SIGSTOP)."""
        return None if self._process is None else self._process.pid

    def start(self) -> str:
        """Start the server and return its connection string."""
        java = _require("java")
        jars = classpath(self.cache_dir)
        if self.store != "memory":
            Path(self.store).parent.mkdir(parents=True, exist_ok=True)
        self._process = subprocess.Popen(  # noqa: S603 - fixed arguments, no shell
            [java, *JVM_OPTIONS, "-cp", jars, str(LAUNCHER), self.store],
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
