"""``python -m bot.doctor`` against the sandbox: a good setup passes every check, and each
misconfiguration the sandbox can play is reported in plain words, failing the run when it
would stop the shop from selling."""

from __future__ import annotations

import time
import uuid
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from pydantic import SecretStr

from bot.bootstrap import create_bot
from bot.config import BotSettings
from bot.doctor.checks import Check, Status, failed, ok, summary, warning
from bot.doctor.report import diagnose
from bot.doctor.storage import jwt_secret
from core.config import CoreSettings
from core.shop import Shop
from core.store import WriteConcernChoice
from sandbox import Sandbox, SandboxServer
from sandbox.testing import serving
from tests.bot.chat import make_bot_settings
from tests.databases import DatabasePool
from tests.factories import NewProduct
from tests.processes import environment, free_port, module_run
from tests.settings import make_settings

STRONG_SECRET = "kJ3x9_Qm2ZpR7vLw-T4nB8yHc1UeGd6sAfXo5NiVrYtK0qWjMb"
LIVE_TOKEN = "284685063:LIVE:shop"
GOOD_PAYMENTS: dict[str, Any] = {
    "payment_methods": "manual,provider",
    "payment_provider_token": LIVE_TOKEN,
}


def core_settings(shop: Shop, uri: str, **overrides: Any) -> CoreSettings:
    """Settings as a process would read them, on the test shop's database."""
    settings = make_settings(jwt_secret=STRONG_SECRET, **overrides)
    return settings.model_copy(
        update={
            "mongodb_uri": SecretStr(uri),
            "mongodb_database": shop.settings.mongodb_database,
        }
    )


async def run_doctor(core: CoreSettings, settings: BotSettings) -> list[Check]:
    shown: list[Check] = []
    checks = await diagnose(core, settings, shown.append)
    assert shown == checks  # each shown as it came
    return checks


def the(checks: list[Check], words: str) -> Check:
    """The one check whose finding mentions ``words``."""
    (check,) = [c for c in checks if words in c.found]
    return check


def problems(checks: list[Check]) -> list[Check]:
    return [c for c in checks if c.status is not Status.OK]


@pytest.fixture
def operators(sandbox_server: SandboxServer) -> int:
    sandbox = sandbox_server.sandbox
    return sandbox.add_group("Operators", [sandbox.add_user().id], type="supergroup").id


@pytest.fixture
def good(shop: Shop, databases: DatabasePool, operators: int) -> CoreSettings:
    return core_settings(shop, databases.uri, operator_chat_id=operators, **GOOD_PAYMENTS)


async def test_a_good_setup_passes_every_check(
    good: CoreSettings, bot_settings: BotSettings, sandbox_server: SandboxServer
) -> None:
    checks = await run_doctor(good, bot_settings)
    assert problems(checks) == []
    assert "Sandbox Bot (@sandbox_bot)" in the(checks, "token works").found
    assert "long polling" in the(checks, "updates").found
    assert "supergroup 'Operators', the bot is a member and may post there" in checks[2].found
    assert "(a test invoice of 1.00 USD)" in the(checks, "card payments").found
    assert "all" in the(checks, "indexes").found and "JWT_SECRET is strong" in checks[-1].found
    [link] = sandbox_server.sandbox.payments.links.values()
    assert (link.currency, link.total_amount, link.provider_token) == ("USD", 100, LIVE_TOKEN)


async def test_stars_are_tried_with_an_invoice_in_xtr(
    shop: Shop, databases: DatabasePool, sandbox_server: SandboxServer
) -> None:
    core = core_settings(shop, databases.uri, shop_currency="XTR", payment_methods="stars")
    settings = make_bot_settings(sandbox_server, payment_support="@shop_help")
    checks = await run_doctor(core, settings)
    assert problems(checks) == []
    assert the(checks, "Telegram Stars").found.endswith(
        "accepts an invoice in XTR; /paysupport names @shop_help"
    )
    [link] = sandbox_server.sandbox.payments.links.values()
    assert (link.currency, link.total_amount, link.provider_token) == ("XTR", 1, "")


async def test_the_doctor_warns_of_stars_without_payment_support(
    shop: Shop, databases: DatabasePool, sandbox_server: SandboxServer
) -> None:
    core = core_settings(shop, databases.uri, shop_currency="XTR", payment_methods="stars")
    checks = await run_doctor(core, make_bot_settings(sandbox_server))
    stars = the(checks, "Telegram Stars")
    assert stars.status is Status.WARNING and "PAYMENT_SUPPORT is unset" in stars.found
    assert "/paysupport" in (stars.fix or "")


async def test_a_refused_token_is_the_only_telegram_finding(
    good: CoreSettings, sandbox_server: SandboxServer
) -> None:
    settings = make_bot_settings(sandbox_server, bot_token="999:not-this-bot")
    checks = await run_doctor(good, settings)
    [refused] = problems(checks)
    assert refused.status is Status.FAILED
    assert refused.found == "Telegram refuses BOT_TOKEN (Unauthorized)"
    assert "@BotFather" in (refused.fix or "")
    assert not any("operators" in c.found for c in checks)


@pytest.mark.parametrize(
    ("status", "said"),
    [
        ("kicked", "bot was kicked from the supergroup chat"),
        ("left", "bot is not a member of the supergroup chat"),
    ],
)
async def test_a_bot_out_of_the_operators_group_fails(
    good: CoreSettings,
    bot_settings: BotSettings,
    sandbox_server: SandboxServer,
    operators: int,
    status: str,
    said: str,
) -> None:
    sandbox_server.sandbox.set_bot_member(operators, status)
    [problem] = problems(await run_doctor(good, bot_settings))
    assert problem.status is Status.FAILED
    assert f"operators' chat {operators}: the bot is not in it" in problem.found
    assert said in problem.found and "add @sandbox_bot to the group" in (problem.fix or "")


async def test_a_wrong_group_id_says_how_to_find_the_right_one(
    good: CoreSettings, bot_settings: BotSettings
) -> None:
    wrong = good.model_copy(update={"operator_chat_id": -1009999})
    [problem] = problems(await run_doctor(wrong, bot_settings))
    assert problem.status is Status.FAILED
    assert "no such chat for this bot (Bad Request: chat not found)" in problem.found
    assert "web.telegram.org" in (problem.fix or "") and "-100" in (problem.fix or "")


async def test_a_person_as_the_operators_chat_must_have_started_the_bot(
    good: CoreSettings, bot_settings: BotSettings, sandbox_server: SandboxServer
) -> None:
    stranger = good.model_copy(update={"operator_chat_id": 4242})
    [problem] = problems(await run_doctor(stranger, bot_settings))
    assert "must open @sandbox_bot and press Start first" in (problem.fix or "")

    person = sandbox_server.sandbox.add_user(first_name="Olga")
    started = good.model_copy(update={"operator_chat_id": person.id})
    checks = await run_doctor(started, bot_settings)
    assert problems(checks) == []
    assert the(checks, "operators' chat").found.endswith("a private chat with Olga")


def test_the_last_line_counts_problems_and_warnings() -> None:
    fine, warned, broken = ok("a"), warning("b", "do b"), failed("c", "do c")
    assert summary([fine]) == "Ready to sell."
    assert summary([fine, warned]) == "Ready to sell, with 1 warning."
    assert summary([broken, broken, warned, warned]) == (
        "2 problems stop the shop from selling; 2 warnings."
    )
    assert broken.line() == "✗ c → do c" and fine.line() == "✓ a"


async def test_a_group_or_channel_where_the_bot_may_not_post_fails(
    good: CoreSettings, bot_settings: BotSettings, sandbox_server: SandboxServer, operators: int
) -> None:
    sandbox = sandbox_server.sandbox
    sandbox.set_bot_member(operators, "restricted")
    [restricted] = problems(await run_doctor(good, bot_settings))
    assert "restricted from sending messages" in restricted.found
    assert restricted.status is Status.FAILED

    channel = sandbox.add_group("Orders", [], type="channel")
    in_channel = good.model_copy(update={"operator_chat_id": channel.id})
    assert problems(await run_doctor(in_channel, bot_settings)) == []
    sandbox.set_bot_member(channel.id, "administrator", can_post=False)
    [mute] = problems(await run_doctor(in_channel, bot_settings))
    assert mute.status is Status.FAILED and "may not post there" in mute.found
    assert "administrator of the channel allowed to post" in (mute.fix or "")


@pytest.mark.parametrize(
    ("method", "status", "drop", "found"),
    [
        ("getMe", 502, False, "Telegram answered getMe with an error (Bad Gateway)"),
        ("getWebhookInfo", 500, False, "answered getWebhookInfo with an error (Internal"),
        ("getChat", 429, False, "answered getChat/getChatMember with an error (Too Many"),
        ("createInvoiceLink", 502, False, "answered createInvoiceLink with an error (Bad"),
        ("getChatMember", 0, True, "cannot reach the Bot API at http://127.0.0.1:"),
    ],
)
async def test_telegram_failing_is_a_line_not_a_wrong_diagnosis(
    good: CoreSettings,
    bot_settings: BotSettings,
    sandbox_server: SandboxServer,
    method: str,
    status: int,
    drop: bool,
    found: str,
) -> None:
    sandbox_server.sandbox.faults.fail(None, seconds=60, status=status, drop=drop, methods=[method])
    [problem] = problems(await run_doctor(good, bot_settings))
    assert problem.status is Status.FAILED and found in problem.found, problem


async def test_an_embedded_database_that_cannot_start_is_a_line(
    good: CoreSettings,
    bot_settings: BotSettings,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    monkeypatch.setattr("runtime.embedded.shutil.which", lambda tool: None)
    embedded = good.model_copy(update={"mongodb_uri": None, "data_dir": tmp_path})
    [problem] = problems(await run_doctor(embedded, bot_settings))
    assert problem.status is Status.FAILED
    assert problem.found.startswith("the embedded database cannot start: ")


async def test_a_webhook_left_set_while_polling_fails(
    good: CoreSettings, bot_settings: BotSettings
) -> None:
    bot = create_bot(bot_settings)
    try:
        await bot.set_webhook("https://old.example.com/hook")
    finally:
        await bot.session.close()
    [problem] = problems(await run_doctor(good, bot_settings))
    assert problem.status is Status.FAILED
    assert "a webhook is set (https://old.example.com/hook)" in problem.found


async def answering(status: int) -> web.Application:
    """A stand-in for the shop behind its domain: the bot's webhook answers POSTs with
    ``status`` (a GET: 405), the API's ``/readyz`` 200."""

    async def update(request: web.Request) -> web.Response:
        return web.Response(status=status)

    async def ready(request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    app = web.Application()
    app.router.add_post("/telegram/webhook", update)
    app.router.add_get("/readyz", ready)
    return app


@pytest.fixture
async def webhook(sandbox_server: SandboxServer) -> AsyncIterator[str]:
    async with serving(await answering(200)) as url:
        yield f"{url}/telegram/webhook"


async def set_webhook(settings: BotSettings, url: str) -> None:
    bot = create_bot(settings)
    try:
        await bot.set_webhook(url)
    finally:
        await bot.session.close()


async def test_a_webhook_where_it_should_be_passes_and_elsewhere_fails(
    good: CoreSettings, sandbox_server: SandboxServer, webhook: str
) -> None:
    settings = make_bot_settings(sandbox_server, bot_mode="webhook", webhook_url=webhook)
    [unset] = problems(await run_doctor(good, settings))
    assert unset.status is Status.FAILED and "no webhook is set" in unset.found

    await set_webhook(settings, webhook)
    checks = await run_doctor(good, settings)
    assert problems(checks) == []
    assert the(checks, "updates by webhook").found.endswith("0 updates waiting")
    assert the(checks, "answers (/readyz: the API is ready)").found.startswith("http://127.0.0.1:")

    sandbox = sandbox_server.sandbox  # a failure over an hour ago is history
    sandbox.webhook.last_error_date = int(time.time()) - 3700
    sandbox.webhook.last_error_message = "Connection refused"
    assert problems(await run_doctor(good, settings)) == []

    await set_webhook(settings, "https://elsewhere.example.com/hook")
    [elsewhere] = problems(await run_doctor(good, settings))
    assert elsewhere.status is Status.FAILED
    assert elsewhere.found == (
        f"Telegram sends updates to https://elsewhere.example.com/hook, not to WEBHOOK_URL "
        f"({webhook})"
    )


async def test_a_webhook_failing_lately_is_a_warning(
    good: CoreSettings, sandbox_server: SandboxServer
) -> None:
    sandbox = sandbox_server.sandbox
    async with serving(await answering(500)) as url:
        hook = f"{url}/telegram/webhook"
        settings = make_bot_settings(sandbox_server, bot_mode="webhook", webhook_url=hook)
        await set_webhook(settings, hook)
        sandbox.user_sends(sandbox.add_user().id, "/start")
        await sandbox.wait_until(
            lambda: sandbox.webhook.last_error_date, 10, lambda: "a failed delivery"
        )
        checks = await run_doctor(good, settings)
    [failing] = problems(checks)
    assert failing.status is Status.WARNING
    assert "delivery failed 0 min ago (Wrong response from the webhook: 500" in failing.found
    assert failing.found.endswith("1 update waiting")


async def test_a_public_url_that_does_not_answer_fails_a_webhook_and_warns_polling(
    good: CoreSettings, sandbox_server: SandboxServer
) -> None:
    down = f"http://127.0.0.1:{free_port()}/telegram/webhook"
    settings = make_bot_settings(sandbox_server, bot_mode="webhook", webhook_url=down)
    await set_webhook(settings, down)
    line = the(await run_doctor(good, settings), "(WEBHOOK_URL's site) does not answer")
    assert line.status is Status.FAILED and "ClientConnectorError" in line.found

    polling = make_bot_settings(sandbox_server, webhook_url=down)  # as docker-compose sets it
    await set_webhook(polling, "")
    [line] = problems(await run_doctor(good, polling))
    assert line.status is Status.WARNING and "does not answer" in line.found


async def test_a_site_whose_api_is_not_ready_is_a_warning(
    good: CoreSettings, sandbox_server: SandboxServer
) -> None:
    app = web.Application()  # answers 404 to everything: no API behind this site
    async with serving(app) as url:
        settings = make_bot_settings(sandbox_server, webhook_url=f"{url}/telegram/webhook")
        [line] = problems(await run_doctor(good, settings))
    assert line.status is Status.WARNING
    assert line.found == (
        f"{url} answers, but its /readyz says 404: the API behind it is down, or served elsewhere"
    )


@pytest.mark.parametrize(
    ("payments", "finding", "status"),
    [
        (
            {"payment_provider_token": "284685063:LIVE:revoked"},
            "refuses PAYMENT_PROVIDER_TOKEN",
            Status.FAILED,
        ),
        ({"shop_currency": "ABC"}, "does not take SHOP_CURRENCY=ABC", Status.FAILED),
        ({"payment_provider_token": "284685063:TEST:shop"}, "it is a TEST token", Status.WARNING),
    ],
)
async def test_payment_problems(
    shop: Shop,
    databases: DatabasePool,
    bot_settings: BotSettings,
    sandbox_server: SandboxServer,
    payments: dict[str, Any],
    finding: str,
    status: Status,
) -> None:
    sandbox_server.sandbox.payments.refuse_provider_token("284685063:LIVE:revoked")
    core = core_settings(shop, databases.uri, **{**GOOD_PAYMENTS, **payments})
    [problem] = problems(await run_doctor(core, bot_settings))
    assert (finding in problem.found, problem.status) == (True, status), problem


async def test_a_currency_with_a_high_minimum_is_tried_with_a_larger_amount(
    shop: Shop, databases: DatabasePool, bot_settings: BotSettings
) -> None:
    core = core_settings(shop, databases.uri, shop_currency="JPY", **GOOD_PAYMENTS)
    checks = await run_doctor(core, bot_settings)
    assert problems(checks) == []
    assert "(a test invoice of 1000 JPY)" in the(checks, "card payments").found


async def test_an_unreachable_database_fails_within_its_timeout(
    good: CoreSettings, bot_settings: BotSettings
) -> None:
    nowhere = f"mongodb://127.0.0.1:{free_port()}/"
    core = good.model_copy(
        update={"mongodb_uri": SecretStr(nowhere), "mongodb_timeout_seconds": 0.3}
    )
    [problem] = problems(await run_doctor(core, bot_settings))
    assert problem.status is Status.FAILED
    assert problem.found.startswith("MONGODB_URI does not answer within 0.3 s")
    assert "start the database" in (problem.fix or "")


async def test_a_database_refusing_the_credentials_fails(
    good: CoreSettings, bot_settings: BotSettings, databases: DatabasePool
) -> None:
    """The embedded engine refuses every sign-in (it has no users); MongoDB answers a wrong
    password the same way, with its own message."""
    uri = databases.uri.replace("mongodb://", "mongodb://bob:wrong@")
    core = good.model_copy(update={"mongodb_uri": SecretStr(uri)})
    [problem] = problems(await run_doctor(core, bot_settings))
    assert problem.status is Status.FAILED and "MONGODB_URI refuses the shop (" in problem.found
    assert "user, password" in (problem.fix or "")


async def test_a_missing_index_and_a_fast_write_concern_are_warnings(
    shop: Shop, mongo_uri: str, bot_settings: BotSettings
) -> None:
    await shop.store.orders.drop_index("number_1")
    core = core_settings(shop, mongo_uri, mongodb_write_concern=WriteConcernChoice.ACKNOWLEDGED)
    concern, index = problems(await run_doctor(core, bot_settings))
    assert index.found.startswith(f"database {core.mongodb_database!r} lacks 1 of the shop's")
    assert concern.status is index.status is Status.WARNING
    assert "write concern w: 1, j: false (acknowledged) on a single server" in concern.found
    assert "MONGODB_WRITE_CONCERN=journaled" in (concern.fix or "")
    assert "lacks 1 of the shop's" in index.found and "orders: number_1 (unique)" in index.found


async def test_a_new_database_is_a_warning(
    good: CoreSettings, bot_settings: BotSettings, shop: Shop
) -> None:
    new = good.model_copy(update={"mongodb_database": f"doctor_{uuid.uuid4().hex[:12]}"})
    [problem] = problems(await run_doctor(new, bot_settings))
    assert problem.status is Status.WARNING
    assert (
        problem.found
        == f"database {new.mongodb_database!r} has none of the shop's indexes yet (a new one?)"
    )
    await shop.client.drop_database(new.mongodb_database)  # the embedded engine made it


async def test_prices_in_another_currency_fail(
    shop: Shop, databases: DatabasePool, bot_settings: BotSettings, new_product: NewProduct
) -> None:
    await new_product("Mate", 300)
    core = core_settings(shop, databases.uri, shop_currency="EUR")
    [problem] = problems(await run_doctor(core, bot_settings))
    assert (
        problem.status is Status.FAILED and "convert-currency --from USD --to EUR" in problem.found
    )


@pytest.mark.parametrize(
    ("secret", "status", "finding"),
    [
        ("a" * 40, Status.FAILED, "guessable (a short pattern repeated)"),
        ("f7d3a36e53629d0a252a0b3c4d5e6f70", Status.WARNING, "weak (about"),
        (STRONG_SECRET, Status.OK, "strong (about"),
    ],
)
def test_jwt_secret_strength(secret: str, status: Status, finding: str) -> None:
    check = jwt_secret(make_settings(jwt_secret=secret))
    assert (check.status, finding in check.found) == (status, True), check
    assert secret not in check.line()


@pytest.mark.slow
async def test_the_command_prints_a_line_per_check_and_exits_by_the_worst(
    shop: Shop, mongo_uri: str, sandbox_server: SandboxServer, operators: int
) -> None:
    sandbox: Sandbox = sandbox_server.sandbox
    env = environment(
        MONGODB_URI=mongo_uri,
        MONGODB_DATABASE=shop.settings.mongodb_database,
        JWT_SECRET=STRONG_SECRET,
        BOT_TOKEN=sandbox.token,
        BOT_API_BASE_URL=sandbox_server.url,
        OPERATOR_CHAT_ID=str(operators),
        PAYMENT_METHODS="manual,provider",
        PAYMENT_PROVIDER_TOKEN=LIVE_TOKEN,
    )
    code, out, err = await module_run("bot.doctor", env)
    lines = out.splitlines()
    assert (code, err) == (0, ""), out
    assert lines[0].startswith("Checking the shop's configuration")
    assert len(lines) == 11 and all(line.startswith("✓ ") for line in lines[1:-1]), out
    assert lines[-1] == "Ready to sell."

    sandbox.set_bot_member(operators, "kicked")
    code, out, err = await module_run("runtime", env, "doctor")  # the same check by its alias
    assert (code, err) == (1, ""), out
    assert out.splitlines()[-1] == "1 problem stops the shop from selling; 0 warnings."

    code, out, _ = await module_run("bot.doctor", env, "--help")
    assert code == 0 and out.startswith("usage: python -m bot.doctor")

    code, out, err = await module_run("bot.doctor", {**env, "PAYMENT_METHODS": "stars"})
    assert (code, err) == (1, "")
    assert out == (
        "✗ configuration error: PAYMENT_METHODS stars needs SHOP_CURRENCY=XTR (prices in "
        "whole Stars) → correct it in .env or the environment\n"
    )
