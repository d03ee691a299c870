"""Production entry points refuse to start half-configured, with one line naming the setting."""

from __future__ import annotations

import asyncio
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from core.config import PROJECT_ROOT
from runtime.process import CONFIG_ERROR_EXIT
from sandbox import DEFAULT_TOKEN
from sandbox.testing import running_sandbox
from tests.processes import environment, finished, free_port, taken_port

pytestmark = pytest.mark.slow


@pytest.mark.parametrize(
    ("module", "process"), [("bot", "the bot"), ("bot.notifier", "the notifier")]
)
def test_without_a_bot_token_telegram_processes_stop_with_one_line(
    module: str, process: str
) -> None:
    result = _start_without_token(module)
    assert result.returncode == CONFIG_ERROR_EXIT
    assert result.stderr.strip().splitlines() == [
        f"configuration error: BOT_TOKEN is required by {process} "
        "(./run serves an offline sandbox instead)"
    ]


def test_the_notifiers_old_module_and_setting_names_still_work_with_a_warning() -> None:
    """``python -m bot.delivery`` and ``DELIVERY_SENDERS`` (renamed ``bot.notifier`` and
    ``NOTIFIER_SENDERS``) start the notifier for one more release, one warning line each."""
    result = _start_without_token("bot.delivery", DELIVERY_SENDERS="2")
    assert result.returncode == CONFIG_ERROR_EXIT
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


def test_a_configuration_error_exits_with_its_own_code_after_one_line() -> None:
    result = finished(
        [sys.executable, "-m", "admin_api"], environment(API_PORT="not-a-port"), timeout=120
    )
    assert result.returncode == CONFIG_ERROR_EXIT
    assert result.stderr.strip().splitlines() == [
        "configuration error: API_PORT input should be a valid integer, unable to parse "
        "string as an integer"
    ]


def test_with_on_config_error_wait_a_configuration_error_waits_to_be_stopped(
    tmp_path: Path,
) -> None:
    """What docker-compose.yml sets: the process says what is wrong once, then stays (its
    healthcheck unhealthy, saying that line) instead of exiting into
    ``restart: unless-stopped``'s loop."""
    env = environment(API_PORT="not-a-port", ON_CONFIG_ERROR="wait", HEARTBEAT_DIR=str(tmp_path))
    process = subprocess.Popen(
        [sys.executable, "-m", "admin_api"],
        cwd=PROJECT_ROOT,
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stderr is not None
        line = process.stderr.readline()
        assert line.startswith("configuration error: API_PORT input should be a valid integer")
        _wait_until_waiting_for_a_signal(process)
        health = finished([sys.executable, "-m", "runtime.health", "api"], env)
        assert (health.returncode, health.stderr) == (1, f"unhealthy: {line}")
        process.send_signal(signal.SIGTERM)
        rest = process.stderr.read()
        assert process.wait(timeout=60) == CONFIG_ERROR_EXIT
        assert rest == ""
        assert list(tmp_path.iterdir()) == []  # a stopped process has no heartbeat
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def _wait_until_waiting_for_a_signal(process: subprocess.Popen[str]) -> None:
    """Poll (for a hang only) until ``process`` sleeps in ``sigwait``; fail if it exits."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, "the process exited instead of waiting"
        if "sigtimedwait" in Path(f"/proc/{process.pid}/wchan").read_text():
            return
        time.sleep(0.05)
    raise AssertionError("the process never waited for a signal")


def test_without_a_jwt_secret_and_no_writable_data_folder_startup_says_so_in_one_line(
    tmp_path: Path,
) -> None:
    """As in the container image, where the app's folder is not writable: the secret that
    ``./run`` generates into var/ cannot be written."""
    project = tmp_path / "project"
    for package in ("core", "runtime", "admin_api"):
        shutil.copytree(
            PROJECT_ROOT / package, project / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    (project / "var").write_text("not a folder")  # even root cannot write under it
    env = environment(MONGODB_URI="mongodb://127.0.0.1:1/")  # never reached
    env.pop("JWT_SECRET")
    result = subprocess.run(
        [sys.executable, "-m", "admin_api"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == CONFIG_ERROR_EXIT
    assert result.stderr.strip().splitlines() == [
        f"configuration error: JWT_SECRET is not set, and no secret can be generated into "
        f"{project / 'var' / 'generated.env'} (File exists); set JWT_SECRET in .env"
    ]


def test_a_database_that_does_not_answer_is_waited_for_then_one_line() -> None:
    port = free_port()  # nothing listens there
    env = environment(MONGODB_URI=f"mongodb://127.0.0.1:{port}/", DB_WAIT_SECONDS="1")
    result = finished([sys.executable, "-m", "admin_api"], env, timeout=120)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith(
        f"error: the database (127.0.0.1:{port}) did not answer within 1 s (DB_WAIT_SECONDS): "
        f"127.0.0.1:{port}: [Errno 111]"
    ), result.stderr


@pytest.mark.parametrize("module", ["bot", "bot.notifier"])
async def test_a_token_telegram_refuses_is_one_line_not_a_traceback(
    module: str, mongo_uri: str
) -> None:
    async with running_sandbox() as server:  # answers an unknown token 401, as Telegram does
        env = environment(
            MONGODB_URI=mongo_uri,
            BOT_TOKEN="123456789:not-the-token-botfather-gave",
            BOT_API_BASE_URL=server.url,
        )
        result = await asyncio.to_thread(finished, [sys.executable, "-m", module], env)
    assert result.returncode == CONFIG_ERROR_EXIT
    assert result.stderr.strip().splitlines() == [
        "configuration error: BOT_TOKEN was refused by Telegram (Unauthorized); "
        "copy the token again from @BotFather"
    ]


async def test_a_webhook_url_telegram_refuses_is_one_line_not_a_traceback(mongo_uri: str) -> None:
    async with running_sandbox() as server:  # refuses a URL that is not HTTP(S), as Telegram
        env = environment(
            MONGODB_URI=mongo_uri,
            BOT_TOKEN=DEFAULT_TOKEN,
            BOT_API_BASE_URL=server.url,
            BOT_MODE="webhook",
            WEBHOOK_URL="ftp://shop.example.com/telegram/webhook",
            WEBHOOK_PORT=str(free_port()),
        )
        result = await asyncio.to_thread(finished, [sys.executable, "-m", "bot"], env)
    assert result.returncode == CONFIG_ERROR_EXIT
    assert result.stderr.strip().splitlines() == [
        "configuration error: Telegram refused WEBHOOK_URL ftp://shop.example.com/telegram/webhook"
        " (Bad Request: bad webhook: An HTTP(S) URL must be provided for webhook); "
        "correct WEBHOOK_URL"
    ]


async def test_a_busy_webhook_port_is_one_line_not_a_traceback(mongo_uri: str) -> None:
    async with running_sandbox() as server:
        with taken_port() as port:
            env = environment(
                MONGODB_URI=mongo_uri,
                BOT_TOKEN=DEFAULT_TOKEN,
                BOT_API_BASE_URL=server.url,
                BOT_MODE="webhook",
                WEBHOOK_URL=f"http://127.0.0.1:{port}/telegram/webhook",
                WEBHOOK_PORT=str(port),
            )
            result = await asyncio.to_thread(finished, [sys.executable, "-m", "bot"], env)
    assert result.returncode == CONFIG_ERROR_EXIT
    line = result.stderr.strip().splitlines()[-1]  # after the webhook's registration
    assert line.startswith(f"configuration error: cannot serve the webhook on 127.0.0.1:{port}: ")
    assert line.endswith(": Address already in use (set WEBHOOK_HOST or WEBHOOK_PORT)")


def test_a_malformed_token_is_one_line() -> None:
    env = environment(MONGODB_URI="mongodb://127.0.0.1:1/", BOT_TOKEN="AAH-no-bot-id")
    result = finished([sys.executable, "-m", "bot"], env, timeout=120)
    assert result.returncode == CONFIG_ERROR_EXIT
    assert result.stderr.strip().splitlines() == [
        "configuration error: BOT_TOKEN must look like 123456789:AAH... (the token @BotFather gave)"
    ]
