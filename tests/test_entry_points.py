"""Production entry points refuse to start half-configured, with one line naming the setting."""

from __future__ import annotations

import sys

import pytest

from tests.processes import environment, finished

pytestmark = pytest.mark.slow


@pytest.mark.parametrize(
    ("module", "process"), [("bot", "the bot"), ("bot.delivery", "the delivery worker")]
)
def test_without_a_bot_token_telegram_processes_stop_with_one_line(
    module: str, process: str
) -> None:
    env = environment(MONGODB_URI="mongodb://127.0.0.1:1")  # never reached
    env.pop("BOT_TOKEN", None)
    result = finished([sys.executable, "-m", module], env, timeout=120)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1] == (
        f"configuration error: BOT_TOKEN is required by {process} "
        "(./run serves an offline sandbox instead)"
    )
