"""Broadcasts from the chat: write the text, see it as customers will, pick the segment and
the formatting, send, then watch the progress message (and cancel from it).

The draft lives in the sender's conversation state; its id becomes the broadcast's id, so
a redelivered "Send" starts one broadcast. ``bot/broadcast_progress.py`` keeps the
progress message up to date.
"""

from __future__ import annotations

from typing import Any

from aiogram import BaseMiddleware, Bot, F, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message, TelegramObject
from aiogram.utils.callback_answer import CallbackAnswer

from bot import staff_keyboards, staff_texts, texts
from bot.callbacks import (
    Compose,
    DraftDiscard,
    DraftFormat,
    DraftSegment,
    DraftSend,
    StopBroadcast,
)
from bot.customers import Handler, refuse
from bot.screens import NOT_MODIFIED, show
from bot.states import BroadcastForm
from core.accounts.access import Actor
from core.accounts.models import STAFF
from core.base.commands import parse
from core.messaging.commands import BroadcastDraft
from core.sales.models import OrderStatus
from core.shop import Shop

DRAFT = "broadcast_draft"
"""FSM data: the draft (id, text, formatted, status, preview message id)."""
UNREADABLE_HTML = "can't parse entities"


def _draft_of(draft: dict[str, Any]) -> BroadcastDraft:
    status = draft["status"]
    segment = {"kind": "all"} if status is None else {"kind": "order_status", "status": status}
    return parse(
        BroadcastDraft,
        {"text": draft["text"], "formatted": draft["formatted"], "segment": segment},
    )


async def _controls(
    event: Message | CallbackQuery, shop: Shop, actor: Actor, draft: dict[str, Any]
) -> None:
    """The message under the preview: segment, formatting, recipients, Send and Discard."""
    status = None if draft["status"] is None else OrderStatus(draft["status"])
    recipients = await shop.broadcasts.count_recipients(actor, _draft_of(draft).segment)
    await show(
        event,
        staff_texts.draft(status, draft["formatted"], recipients),
        staff_keyboards.draft(draft["id"], status, draft["formatted"], recipients),
    )


class CurrentDraft(BaseMiddleware):
    """Inner middleware of the draft buttons: staff only (checked by core), and only the
    draft being written (``draft``); an older or sent draft's button does nothing."""

    async def __call__(self, handler: Handler, event: TelegramObject, data: dict[str, Any]) -> Any:
        actor: Actor = data["actor"]
        actor.require(*STAFF)
        state: FSMContext = data["state"]
        draft = (await state.get_data()).get(DRAFT)
        if draft is None or draft["id"] != data["callback_data"].draft_id:
            await refuse(event, data, staff_texts.draft_gone())
            return None
        data["draft"] = draft
        return await handler(event, data)


async def _forget(state: FSMContext) -> None:
    await state.set_state(None)
    await state.update_data({DRAFT: None})


async def compose(query: CallbackQuery, actor: Actor, state: FSMContext) -> None:
    actor.require(*STAFF)
    await state.set_state(BroadcastForm.text)
    await state.update_data({DRAFT: None})
    await show(query, staff_texts.ask_broadcast())


async def write(message: Message, shop: Shop, actor: Actor, state: FSMContext) -> None:
    """A text for the broadcast (a new one replaces the draft): its preview, then the controls."""
    actor.require(*STAFF)  # demoted since the question was asked: nothing is shown or kept
    text = message.text or ""
    draft: dict[str, Any] = {
        "id": shop.broadcasts.new_id(),
        "text": text,
        "formatted": False,
        "status": None,
    }
    _draft_of(draft)  # refuses what core would refuse, before showing anything
    shown = await message.answer(staff_texts.preview(text, formatted=False))
    draft["preview"] = shown.message_id
    await state.update_data({DRAFT: draft})
    await _controls(message, shop, actor, draft)


async def set_format(
    query: CallbackQuery,
    callback_data: DraftFormat,
    shop: Shop,
    actor: Actor,
    bot: Bot,
    state: FSMContext,
    draft: dict[str, Any],
    callback_answer: CallbackAnswer,
) -> None:
    formatted = callback_data.formatted
    try:
        await bot.edit_message_text(
            staff_texts.preview(draft["text"], formatted),
            chat_id=query.from_user.id if query.message is None else query.message.chat.id,
            message_id=draft["preview"],
        )
    except TelegramBadRequest as error:
        if UNREADABLE_HTML in error.message:
            reason = error.message.split(": ", 1)[-1]
            callback_answer.text = staff_texts.bad_formatting(reason)
            callback_answer.show_alert = True
            return
        if NOT_MODIFIED not in error.message:
            raise
    draft["formatted"] = formatted
    await state.update_data({DRAFT: draft})
    await _controls(query, shop, actor, draft)


async def set_segment(
    query: CallbackQuery,
    callback_data: DraftSegment,
    shop: Shop,
    actor: Actor,
    state: FSMContext,
    draft: dict[str, Any],
) -> None:
    draft["status"] = None if callback_data.status is None else callback_data.status.value
    await state.update_data({DRAFT: draft})
    await _controls(query, shop, actor, draft)


async def send(
    query: CallbackQuery, shop: Shop, actor: Actor, state: FSMContext, draft: dict[str, Any]
) -> None:
    report_to = None
    if query.message is not None:
        report_to = (query.message.chat.id, query.message.message_id)
    started = await shop.broadcasts.start(
        actor,
        _draft_of(draft),
        broadcast_id=draft["id"],
        report_to=report_to,
        report_language=texts.current_language(),
    )
    await _forget(state)
    progress = await shop.broadcasts.progress(actor, started.id)
    await show(query, staff_texts.progress(progress), staff_keyboards.progress(progress))


async def discard(query: CallbackQuery, state: FSMContext) -> None:
    await _forget(state)
    await show(query, staff_texts.discarded())


async def stop(
    query: CallbackQuery, callback_data: StopBroadcast, shop: Shop, actor: Actor
) -> None:
    progress = await shop.broadcasts.cancel(actor, callback_data.broadcast_id)
    await show(query, staff_texts.progress(progress), staff_keyboards.progress(progress))


def build_router() -> Router:
    router = Router(name="staff_broadcasts")
    router.callback_query.register(compose, Compose.filter())
    router.message.register(write, BroadcastForm.text, F.text, ~F.text.startswith("/"))
    router.callback_query.register(stop, StopBroadcast.filter())
    drafts = Router(name="broadcast_drafts")
    drafts.callback_query.middleware(CurrentDraft())
    drafts.callback_query.register(set_format, DraftFormat.filter())
    drafts.callback_query.register(set_segment, DraftSegment.filter())
    drafts.callback_query.register(send, DraftSend.filter())
    drafts.callback_query.register(discard, DraftDiscard.filter())
    router.include_router(drafts)
    return router
