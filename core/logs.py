"""One logging setup for every process: readable lines on a terminal, JSON lines otherwise.

``LOG_FORMAT`` overrides the choice (``text`` or ``json``); ``LOG_LEVEL`` sets the level.
Every line written while serving an HTTP request carries its id. Nothing here logs
bodies or headers, so passwords and tokens never reach a log.
"""

from __future__ import annotations

import json
import logging
import sys
from contextvars import ContextVar
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


def configure_logging(settings: LogSettings, stream: TextIO = sys.stderr) -> None:
    text = settings.log_format == "text" or (settings.log_format == "auto" and stream.isatty())
    handler = logging.StreamHandler(stream)
    handler.setFormatter(TextFormatter() if text else JsonFormatter())
    logging.basicConfig(level=settings.log_level, handlers=[handler], force=True)
