"""``./run`` on the offline sandbox lets the sandbox's chat page call the API."""

from __future__ import annotations

import logging
import subprocess
import sys
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from admin_api.config import ApiSettings
from bot.config import BotSettings
from shop.chat_page import with_chat_page
from shop.offline import telegram_for

SANDBOX = "http://127.0.0.1:8082"


def settings(**values: Any) -> BotSettings:
    return BotSettings(_env_file=None, **values)


def test_the_page_origin_is_allowed_and_its_url_printed(caplog: pytest.LogCaptureFixture) -> None:
    every_address = "0.0.0.0"  # noqa: S104 (a setting's value; nothing is bound)
    values: dict[str, Any] = {"api_host": every_address, "cors_origins": "https://shop.example"}
    api = ApiSettings(_env_file=None, **values)
    with caplog.at_level(logging.WARNING, logger="shop"):
        wired = with_chat_page(api, settings(), settings(bot_api_base_url=SANDBOX))
    assert wired.cors_origins == ("https://shop.example", SANDBOX)
    assert f"{SANDBOX}/?api=http://127.0.0.1:8080" in caplog.text


def test_nothing_changes_with_a_real_bot_token() -> None:
    api = ApiSettings(_env_file=None)
    telegram = settings(bot_token="123:real")
    assert with_chat_page(api, telegram, telegram) is api


async def test_the_operators_chat_is_a_group_of_the_offline_sandbox() -> None:
    async with (
        telegram_for(settings(sandbox_port=0), operator_chat_id=-4001) as offline,
        aiohttp.ClientSession() as http,
        http.get(f"{offline.bot_api_base_url}/sandbox/groups") as reply,
    ):
        groups = await reply.json()
    assert [(group["id"], group["title"], group["members"]) for group in groups] == [
        (-4001, "Operators", {})
    ]


async def test_the_terminal_chat_hint_names_an_interpreter_that_runs_it(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING, logger="shop"):
        async with telegram_for(settings(sandbox_port=0)) as offline:
            pass
    [hint] = [r.getMessage() for r in caplog.records if "sandbox.chat" in r.getMessage()]
    command = hint.split("chat with it: ", 1)[1].split()
    assert command[1:] == ["-m", "sandbox.chat", "--url", str(offline.bot_api_base_url)]
    _runs_the_terminal_chat(Path(command[0]))


def _runs_the_terminal_chat(interpreter: Path) -> None:
    assert interpreter.parts[:3] == (".venv", "bin", interpreter.name)  # not the system's
    assert interpreter.resolve() == Path(sys.executable).resolve()
    shown = subprocess.run(
        [interpreter, "-m", "sandbox.chat", "--help"], capture_output=True, check=True
    )
    assert b"--user-id" in shown.stdout
