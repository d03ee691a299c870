"""``./run`` on the offline sandbox lets the sandbox's chat page call the API."""

from __future__ import annotations

import logging

import pytest

from admin_api.config import ApiSettings
from bot.config import BotSettings
from shop.chat_page import with_chat_page

SANDBOX = "http://127.0.0.1:8082"


def settings(**values: object) -> BotSettings:
    return BotSettings(_env_file=None, **values)  # type: ignore[call-arg]


def test_the_page_origin_is_allowed_and_its_url_printed(caplog: pytest.LogCaptureFixture) -> None:
    every_address = "0.0.0.0"  # noqa: S104 (a setting's value; nothing is bound)
    values = {"api_host": every_address, "cors_origins": "https://shop.example"}
    api = ApiSettings(_env_file=None, **values)  # type: ignore[call-arg]
    with caplog.at_level(logging.WARNING, logger="shop"):
        wired = with_chat_page(api, settings(), settings(bot_api_base_url=SANDBOX))
    assert wired.cors_origins == ("https://shop.example", SANDBOX)
    assert f"{SANDBOX}/?api=http://127.0.0.1:8080" in caplog.text


def test_nothing_changes_with_a_real_bot_token() -> None:
    api = ApiSettings(_env_file=None)  # type: ignore[call-arg]
    telegram = settings(bot_token="123:real")
    assert with_chat_page(api, telegram, telegram) is api
