"""Every process logs the same way: readable lines on a terminal, JSON lines otherwise."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest

from core.logs import LogSettings, configure_logging


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
