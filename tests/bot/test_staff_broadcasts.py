"""Broadcasts from the chat: composed, previewed, addressed, confirmed, watched until done
or cancelled; the progress message is brought up to date by explicit ticks, not by time."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from bot.bootstrap import create_bot, create_dispatcher
from bot.broadcast_progress import ProgressReporter
from bot.callbacks import DraftSend, StopBroadcast
from bot.config import BotSettings
from bot.i18n import load_catalogs
from core.accounts.access import SYSTEM
from core.accounts.models import Language, Role, User
from core.base.commands import parse
from core.messaging.commands import BroadcastDraft
from core.messaging.models import BroadcastState
from core.shop import Shop
from sandbox import FakeUser, Message, SandboxServer
from sandbox.testing import polling
from tests.bot.chat import Customer, fill_cart
from tests.bot.workers import settled, working

FORBIDDEN = "Your role may not do this."
DRAFT_GONE = "This draft was sent or discarded already."


@pytest.fixture
async def reporter(shop: Shop, bot_settings: BotSettings) -> AsyncIterator[ProgressReporter]:
    bot = create_bot(bot_settings)
    try:
        yield ProgressReporter(shop.broadcasts, bot, load_catalogs(Language.EN))
    finally:
        await bot.session.close()


async def _operator(shop: Shop, customer: Customer) -> tuple[FakeUser, User]:
    player, account = await customer("Olga")
    return player, await shop.accounts.set_role(SYSTEM, account.id, Role.OPERATOR)


async def _tap(player: FakeUser, button: str, message_id: int | None = None) -> Message:
    query = await player.press(button, message_id=message_id, wait_edit=True)
    return player.chat.messages[query.message_id]


def _buttons(message: Message) -> list[str]:
    return [button.text for row in message.buttons for button in row]


async def _compose(player: FakeUser, text: str) -> tuple[Message, Message]:
    """/staff, Broadcast, the text: the preview and the controls under it."""
    await player.send("/staff")
    ask = await _tap(player, "📣 Broadcast")
    assert "Send the text for the customers" in (ask.text or "")
    preview = await player.send(text)
    assert preview is not None
    controls = await player.wait_for(
        lambda m: m.message_id > preview.message_id and "Broadcast draft" in (m.text or "")
    )
    return preview, controls


async def test_a_broadcast_composed_previewed_addressed_sent_and_watched_until_done(
    shop: Shop,
    bot_settings: BotSettings,
    running_bot: None,
    reporter: ProgressReporter,
    customer: Customer,
    new_product: Callable[..., Any],
) -> None:
    olga, _ = await _operator(shop, customer)
    buyers = [await customer(name) for name in ("Ann", "Ben", "Cid")]
    await fill_cart(shop, buyers[0][1], (await new_product(), 1))
    await shop.checkout.place_order(buyers[0][1].id)

    preview, controls = await _compose(olga, "Sale <b>today</b> & more")
    assert preview.text == "Sale <b>today</b> & more" and not preview.entities  # as typed
    assert "To: all customers, 3 now." in (controls.text or "")
    assert "Formatting: off" in (controls.text or "")

    pending = await _tap(olga, "Pending")
    assert "To: customers with a pending order, 1 now." in (pending.text or "")
    assert "📣 Send to 1" in _buttons(pending)
    await _tap(olga, "All customers")

    refused = await olga.press("Formatting: off")  # a bare & is not Telegram HTML
    assert refused.show_alert and "Telegram cannot read this text as HTML" in (refused.text or "")
    assert olga.chat.messages[preview.message_id].text == "Sale <b>today</b> & more"

    preview, controls = await _compose(olga, "Sale <b>today</b>")  # a new text: a new draft
    formatted = await _tap(olga, "Formatting: off", controls.message_id)
    assert "Formatting: on" in (formatted.text or "")
    shown = olga.chat.messages[preview.message_id]
    assert shown.text == "Sale today" and shown.entities[0]["type"] == "bold"

    progress = await _tap(olga, "📣 Send to 3", controls.message_id)
    assert "remaining 3 of 3" in (progress.text or "")
    assert _buttons(progress) == ["Cancel broadcast"]
    assert await reporter.tick() == 0  # nothing changed since it was shown

    async with working(shop, bot_settings):
        for player, _ in buyers:
            got = await player.wait_for(lambda m: m.text == "Sale today")
            assert got.entities[0]["type"] == "bold"
        [broadcast] = await shop.store.broadcasts.find().to_list()
        await settled(shop, broadcast["_id"])

    assert await reporter.tick() == 1
    done = olga.chat.messages[progress.message_id]
    assert "Broadcast to all customers: done" in (done.text or "")
    assert "Sent 3, blocked 0, failed 0, cancelled 0, remaining 0 of 3." in (done.text or "")
    assert _buttons(done) == []
    assert await reporter.tick() == 0 and await shop.broadcasts.reports_due() == []
    assert not [m for m in olga.bot_messages if m.text == "Sale today" and m != shown]


async def test_a_broadcast_cancelled_from_its_progress_message_stops(
    shop: Shop,
    bot_settings: BotSettings,
    sandbox_server: SandboxServer,
    running_bot: None,
    reporter: ProgressReporter,
    customer: Customer,
) -> None:
    olga, _ = await _operator(shop, customer)
    buyers = [await customer(name) for name in ("Ann", "Ben")]
    _, controls = await _compose(olga, "Last call")
    progress = await _tap(olga, "📣 Send to 2", controls.message_id)
    assert "remaining 2 of 2" in (progress.text or "")

    cancelled = await _tap(olga, "Cancel broadcast")

    assert "Broadcast to all customers: cancelled" in (cancelled.text or "")
    assert "cancelled 2, remaining 0 of 2" in (cancelled.text or "")
    assert _buttons(cancelled) == []
    assert await reporter.tick() == 0  # already shown as it ended
    assert await shop.broadcasts.reports_due() == []
    states = await shop.store.notifications.distinct("state", {"kind": "broadcast"})
    assert states == ["cancelled"]  # no worker will ever claim them
    for player, _ in buyers:
        assert sandbox_server.sandbox.sent_count(player.id) == 0


async def test_a_repeated_send_starts_one_broadcast(
    shop: Shop, running_bot: None, customer: Customer
) -> None:
    olga, _ = await _operator(shop, customer)
    await customer("Ann")
    _, controls = await _compose(olga, "Once")
    send = controls.button("📣 Send to 1")
    assert send is not None and send.callback_data is not None

    first = await olga.send_callback(send.callback_data, message_id=controls.message_id)
    again = await olga.send_callback(send.callback_data, message_id=controls.message_id)

    assert first.text is None and (again.text, again.show_alert) == (DRAFT_GONE, True)
    assert await shop.store.broadcasts.count_documents({}) == 1
    assert await shop.store.notifications.count_documents({"kind": "broadcast"}) == 1


async def test_an_older_drafts_buttons_do_nothing(
    shop: Shop, running_bot: None, customer: Customer
) -> None:
    olga, _ = await _operator(shop, customer)
    await customer("Ann")
    _, old = await _compose(olga, "First")
    await _compose(olga, "Second")

    answer = await olga.press("📣 Send to 1", message_id=old.message_id)

    assert (answer.text, answer.show_alert) == (DRAFT_GONE, True)
    assert await shop.store.broadcasts.count_documents({}) == 0


async def test_customers_and_demoted_operators_cannot_broadcast_or_cancel(
    shop: Shop, running_bot: None, customer: Customer
) -> None:
    olga, staff_account = await _operator(shop, customer)
    mallory, _ = await customer("Mallory")
    _, controls = await _compose(olga, "Hello")
    await _tap(olga, "📣 Send to 1", controls.message_id)
    [broadcast] = await shop.store.broadcasts.find().to_list()
    stop = StopBroadcast(broadcast_id=str(broadcast["_id"])).pack()
    await mallory.send("/start")

    forged_stop = await mallory.send_callback(stop)
    forged_send = await mallory.send_callback(DraftSend(draft_id=str(broadcast["_id"])).pack())
    await shop.accounts.set_role(SYSTEM, staff_account.id, Role.USER)
    demoted = await olga.press("Cancel broadcast", message_id=controls.message_id)

    assert [(a.text, a.show_alert) for a in (forged_stop, forged_send, demoted)] == [
        (FORBIDDEN, True)
    ] * 3
    progress = await shop.broadcasts.progress(SYSTEM, broadcast["_id"])
    assert progress.state is BroadcastState.SENDING and progress.remaining == 1
    assert await shop.store.broadcasts.count_documents({}) == 1


async def test_the_reporter_ticks_between_naps_and_lets_go_of_a_message_that_is_gone(
    shop: Shop, reporter: ProgressReporter, customer: Customer
) -> None:
    olga, _ = await _operator(shop, customer)
    draft = parse(BroadcastDraft, {"text": "Hi", "segment": {"kind": "all"}})
    await shop.broadcasts.start(SYSTEM, draft, report_to=(olga.id, 999))  # no such message
    naps: list[float] = []

    async def nap(seconds: float) -> None:
        naps.append(seconds)
        if len(naps) == 2:
            raise asyncio.CancelledError

    with pytest.raises(asyncio.CancelledError):
        await reporter.run(3, sleep=nap)

    assert naps == [3, 3]
    assert await shop.broadcasts.reports_due() == []


async def test_the_progress_updater_leaves_a_progress_message_that_shows_the_numbers(
    shop: Shop, bot_settings: BotSettings, sandbox_server: SandboxServer, customer: Customer
) -> None:
    sandbox = sandbox_server.sandbox
    bot = create_bot(bot_settings)  # the handlers' and the updater's, as in ``run_bot``
    async with polling(create_dispatcher(shop, bot_settings), bot, sandbox):
        reporter = ProgressReporter(shop.broadcasts, bot, load_catalogs(Language.EN))
        olga, _ = await _operator(shop, customer)
        await customer("Ann")
        _, controls = await _compose(olga, "Sale today")
        progress = await _tap(olga, "📣 Send to 1", controls.message_id)
        assert "remaining 1 of 1" in (progress.text or "")

        assert await reporter.tick() == 0
        cancelled = await _tap(olga, "Cancel broadcast")
        assert "cancelled 1, remaining 0 of 1" in (cancelled.text or "")
        assert await reporter.tick() == 0

    assert [c for c in sandbox.calls if c.status >= 400] == []
    assert await shop.broadcasts.reports_due() == []
