"""One logging setup for every process: readable lines on a terminal, JSON lines otherwise.

``LOG_FORMAT`` overrides the choice (``text`` or ``json``); ``LOG_LEVEL`` sets the level.
Every line written while serving an HTTP request carries its id. Nothing here logs
bodies or headers, so passwords and tokens never reach a log. One warning or error
repeated fast is written a few times a minute, with a count of those dropped
(``RepeatFilter``).
"""

from __future__ import annotations

import json
import logging
import sys
import time
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal, TextIO

from pydantic import Field

from core.config import BaseConfig

current_request_id: ContextVar[str | None] = ContextVar("current_request_id", default=None)

_STANDARD_FIELDS = frozenset(
    vars(logging.LogRecord("", 0, "", 0, "", None, None)).keys() | {"message", "asctime"}
)


class LogSettings(BaseConfig):
    """Every process: logs."""

    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        default="INFO", description="Log level of every process."
    )
    log_format: Literal["auto", "text", "json"] = Field(
        default="auto",
        description="`text` (readable lines), `json` (one object a line, with the request id), "
        "or `auto`: text when stderr is a terminal, JSON otherwise.",
    )


def _fields(record: logging.LogRecord) -> dict[str, object]:
    """The request id and the ``extra=`` values a line carries besides its message."""
    fields: dict[str, object] = {}
    if (request_id := current_request_id.get()) is not None:
        fields["requestId"] = request_id
    fields.update((k, v) for k, v in vars(record).items() if k not in _STANDARD_FIELDS)
    return fields


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            **_fields(record),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


class TextFormatter(logging.Formatter):
    """``12:00:01.234 INFO  admin_api.access: GET /api/cart 200 requestId=… status=200``."""

    def format(self, record: logging.LogRecord) -> str:
        time = datetime.fromtimestamp(record.created, UTC).strftime("%H:%M:%S.%f")[:-3]
        line = f"{time} {record.levelname:<5} {record.name}: {record.getMessage()}"
        if fields := _fields(record):
            line += " " + " ".join(f"{key}={value}" for key, value in fields.items())
        if record.exc_info:
            line += "\n" + self.formatException(record.exc_info)
        return line


@dataclass
class _Burst:
    started: float
    passed: int = 1
    dropped: int = 0


class RepeatFilter(logging.Filter):
    """Lets at most ``burst`` warnings or errors of one kind (logger and first line of the
    message) through per ``period`` seconds; the first one after that says how many were
    dropped (``suppressed``). A flood of one failure, such as asyncio's "socket.accept()
    out of system resource", then costs a few lines a minute instead of the disk."""

    MAX_KINDS = 1000

    def __init__(
        self, burst: int = 10, period: float = 60.0, now: Callable[[], float] = time.monotonic
    ) -> None:
        super().__init__()
        self._burst = burst
        self._period = period
        self._now = now
        self._kinds: dict[tuple[str, str], _Burst] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.WARNING:
            return True
        kind = (record.name, str(record.msg).partition("\n")[0][:200])
        now, seen = self._now(), self._kinds.get(kind)
        if seen is None or now - seen.started >= self._period:
            if len(self._kinds) >= self.MAX_KINDS:
                self._kinds.clear()
            self._kinds[kind] = _Burst(now)
            if seen is not None and seen.dropped:
                record.suppressed = seen.dropped
            return True
        if seen.passed < self._burst:
            seen.passed += 1
            return True
        seen.dropped += 1
        return False


def configure_logging(settings: LogSettings, stream: TextIO = sys.stderr) -> None:
    text = settings.log_format == "text" or (settings.log_format == "auto" and stream.isatty())
    handler = logging.StreamHandler(stream)
    handler.setFormatter(TextFormatter() if text else JsonFormatter())
    handler.addFilter(RepeatFilter())
    logging.basicConfig(level=settings.log_level, handlers=[handler], force=True)
