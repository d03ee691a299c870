"""Heartbeats and the health command of docker-compose.yml's healthchecks.

Each long-running process with ``HEARTBEAT_DIR`` set pings its database every
``HEARTBEAT_SECONDS`` and writes what it found to ``<HEARTBEAT_DIR>/<name>.heartbeat``
(``runtime/heartbeat.py``). ``python -m runtime.health NAME`` reads it (``HEARTBEAT_DIR``
from the environment, as docker-compose.yml sets it) and exits 0 when it is fresh and the
database answered, else 1 with one line saying why: the configuration error a process
waits on (``ON_CONFIG_ERROR=wait``), no heartbeat (still starting, or stopped: see the
logs), a stale one (the process is stuck), or a database that did not answer.
``python -m runtime.health URL`` instead asks an HTTP endpoint (the API's ``/readyz``) for
a 200. Standard library only, so a check every few seconds costs little.
"""

from __future__ import annotations

import json
import os
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

STALE_AFTER_BEATS = 3
"""A heartbeat older than this many periods is stale."""
URL_TIMEOUT_SECONDS = 5


def heartbeat_file(folder: Path, name: str) -> Path:
    return folder / f"{name}.heartbeat"


def heartbeat_from_environment(name: str) -> Path | None:
    """Process ``name``'s heartbeat file in ``HEARTBEAT_DIR`` of the environment, if set."""
    folder = os.environ.get("HEARTBEAT_DIR")
    return heartbeat_file(Path(folder), name) if folder else None


def check_heartbeat(path: Path, *, now: Callable[[], float] = time.time) -> str | None:
    """``None`` when the heartbeat at ``path`` is fresh and its database answered; else why
    not, in one line."""
    try:
        beat = json.loads(path.read_text())
        if "error" in beat:  # the one line of a configuration error the process waits on
            return str(beat["error"])
        at, period, database = float(beat["at"]), float(beat["period"]), bool(beat["database"])
    except FileNotFoundError:
        return f"no heartbeat at {path}: the process is starting, or stopped (see its logs)"
    except (OSError, ValueError, KeyError, TypeError) as error:
        return f"unreadable heartbeat at {path}: {error}"
    age = now() - at
    if age > STALE_AFTER_BEATS * period:
        return f"the last heartbeat is {age:.0f} s old (one every {period:g} s): stuck"
    if not database:
        return "the database did not answer at the last heartbeat"
    return None


def check_url(url: str) -> str | None:
    """``None`` when ``url`` answers 200; else why not, in one line."""
    try:
        with urllib.request.urlopen(url, timeout=URL_TIMEOUT_SECONDS) as reply:  # noqa: S310
            status = reply.status
    except urllib.error.HTTPError as error:
        status = error.code
    except OSError as error:
        return f"{url}: {error}"
    return None if status == 200 else f"{url} answered {status}"


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        raise SystemExit("usage: python -m runtime.health NAME | URL")
    (target,) = args
    if target.startswith(("http://", "https://")):
        problem = check_url(target)
    else:
        path = heartbeat_from_environment(target)
        if path is None:
            raise SystemExit("unhealthy: HEARTBEAT_DIR is not set, so no process writes one")
        problem = check_heartbeat(path)
    if problem is not None:
        raise SystemExit(f"unhealthy: {problem}")
    print("healthy")


if __name__ == "__main__":
    main()
