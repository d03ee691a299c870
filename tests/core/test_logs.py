"""Every process logs the same way: readable lines on a terminal, JSON lines otherwise."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest

from core.logs import LogSettings, RepeatFilter, configure_logging


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture(autouse=True)
def _restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:], root.level = handlers, level


def _log_once(stream: io.StringIO, **settings: Any) -> str:
    configure_logging(LogSettings(_env_file=None, **settings), stream)
    logging.getLogger("shop.test").warning("stock low", extra={"productId": "p1"})
    logging.getLogger("shop.test").debug("hidden at INFO")
    return stream.getvalue()


def test_a_terminal_gets_readable_lines() -> None:
    [line] = _log_once(Terminal()).splitlines()
    assert line.endswith("WARNING shop.test: stock low productId=p1")


def test_a_pipe_or_file_gets_json_lines() -> None:
    [line] = _log_once(io.StringIO()).splitlines()
    entry = json.loads(line)
    assert (entry["level"], entry["logger"]) == ("WARNING", "shop.test")
    assert entry["message"] == "stock low"
    assert entry["productId"] == "p1"


def test_log_format_and_level_override_the_choice() -> None:
    assert json.loads(_log_once(Terminal(), log_format="json").splitlines()[0])
    lines = _log_once(io.StringIO(), log_format="text", log_level="DEBUG").splitlines()
    messages = [line.split(": ", 1)[1] for line in lines]
    assert messages == ["stock low productId=p1", "hidden at INFO"]


def test_an_unknown_format_is_refused() -> None:
    with pytest.raises(ValueError, match="log_format"):
        LogSettings(_env_file=None, log_format="xml")


def test_a_flood_of_one_warning_is_written_a_few_times_a_period_with_a_count() -> None:
    now = [0.0]
    flood = RepeatFilter(burst=3, period=60.0, now=lambda: now[0])
    records = [
        logging.LogRecord(
            "asyncio",
            logging.ERROR,
            "",
            0,
            f"socket.accept() out of system resource\nsocket: <{n}>",
            None,
            None,
        )
        for n in range(100_000)
    ]
    assert sum(flood.filter(record) for record in records) == 3
    other = logging.LogRecord("asyncio", logging.ERROR, "", 0, "another failure", None, None)
    assert flood.filter(other)  # other kinds have their own count
    info = logging.LogRecord("admin_api.access", logging.INFO, "", 0, "request", None, None)
    assert all(flood.filter(info) for _ in range(100))  # access lines are never dropped
    now[0] = 60.0
    after = records[0]
    assert flood.filter(after)
    assert after.suppressed == 99_997  # type: ignore[attr-defined]


def test_the_configured_handler_drops_a_flood() -> None:
    stream = io.StringIO()
    configure_logging(LogSettings(_env_file=None, log_format="json"), stream)
    for _ in range(1000):
        logging.getLogger("asyncio").error("socket.accept() out of system resource")
    assert len(stream.getvalue().splitlines()) <= 10
