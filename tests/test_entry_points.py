"""Production entry points refuse to start half-configured, with one line naming the setting."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.processes import environment, finished

pytestmark = pytest.mark.slow


@pytest.mark.parametrize(
    ("module", "process"), [("bot", "the bot"), ("bot.notifier", "the notifier")]
)
def test_without_a_bot_token_telegram_processes_stop_with_one_line(
    module: str, process: str
) -> None:
    result = _start_without_token(module)
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        f"configuration error: BOT_TOKEN is required by {process} "
        "(./run serves an offline sandbox instead)"
    ]


def test_the_notifiers_old_module_and_setting_names_still_work_with_a_warning() -> None:
    """``python -m bot.delivery`` and ``DELIVERY_SENDERS`` (renamed ``bot.notifier`` and
    ``NOTIFIER_SENDERS``) start the notifier for one more release, one warning line each."""
    result = _start_without_token("bot.delivery", DELIVERY_SENDERS="2")
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "python -m bot.delivery is deprecated and will stop working in the next release; "
        "use python -m bot.notifier",
        "DELIVERY_SENDERS is deprecated and will stop working in the next release; "
        "use NOTIFIER_SENDERS",
        "configuration error: BOT_TOKEN is required by the notifier "
        "(./run serves an offline sandbox instead)",
    ]


def _start_without_token(module: str, **settings: str) -> subprocess.CompletedProcess[str]:
    env = environment(MONGODB_URI="mongodb://127.0.0.1:1", **settings)  # never reached
    env.pop("BOT_TOKEN", None)
    return finished([sys.executable, "-m", module], env, timeout=120)
