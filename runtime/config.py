"""Settings of how a long-running process meets its supervisor: waiting for the database at
start, the heartbeat its health command reads, and what a configuration error does."""

from __future__ import annotations

import os
from enum import StrEnum
from pathlib import Path

from pydantic import Field, ValidationError

from core.config import BaseConfig


class OnConfigError(StrEnum):
    EXIT = "exit"
    WAIT = "wait"


class RuntimeSettings(BaseConfig):
    """Every long-running process: start-up, health and supervision."""

    db_wait_seconds: float = Field(
        default=30,
        ge=0,
        le=3600,
        description="With `MONGODB_URI`: how long a process waits at start for a database that "
        "does not answer yet (each try waits 5 s for it; the next comes after about 2 s, 4 s, "
        "8 s, ...), then stops with one line (exit code 1).",
    )
    on_config_error: OnConfigError = Field(
        default=OnConfigError.EXIT,
        description="What a process does after the one line of a configuration error: `exit` "
        "(code 78), or `wait` until it is stopped, so that a supervisor that restarts what "
        "exits (`restart: unless-stopped`) shows it unhealthy instead of restarting it in a "
        'loop (docker-compose.yml sets `wait`; see "Production").',
    )
    heartbeat_dir: Path | None = Field(
        default=None,
        description="Folder where each process writes its heartbeat (`api.heartbeat`, "
        "`bot.heartbeat`, `notifier.heartbeat`; `shop.heartbeat` under `./run`) for "
        "`python -m runtime.health NAME`, which reads it from the environment. Unset: none is "
        "written.",
        examples=["/tmp"],  # noqa: S108 - as docker-compose.yml sets it, a private /tmp
    )
    heartbeat_seconds: float = Field(
        default=10,
        ge=1,
        le=600,
        description="How often a process checks the database and writes its heartbeat; "
        "`runtime.health` calls one older than three times this stale.",
    )


def on_config_error() -> OnConfigError:
    """``ON_CONFIG_ERROR``, read even when another runtime setting is invalid."""
    try:
        return RuntimeSettings().on_config_error
    except ValidationError:
        raw = os.environ.get("ON_CONFIG_ERROR", "").strip().lower()
        return OnConfigError.WAIT if raw == OnConfigError.WAIT else OnConfigError.EXIT
