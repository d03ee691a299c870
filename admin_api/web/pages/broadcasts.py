"""Broadcasts (operators and admins): compose with a preview as Telegram will show it and
the segment's recipient count, send, watch the progress (a fragment htmx polls), cancel;
and the history. Sending is core's (``core/messaging/broadcasts.py``) and the notifier's.

The compose form carries a broadcast id made when it was shown, so a double click or a
resent form starts one broadcast (core's ``start`` is idempotent by id).
"""

from __future__ import annotations

from aiohttp import web
from markupsafe import Markup

from admin_api.web.forms import GENERAL, Filled
from admin_api.web.telegram_html import CannotParse, preview
from admin_api.web.visit import Visit
from core.base.commands import HistoryQuery, parse
from core.base.errors import InvalidInput
from core.messaging.commands import BroadcastDraft, Segment, SegmentKind
from core.sales.models import OrderStatus

PAGE = "broadcast_page"
ALL = SegmentKind.ALL_CUSTOMERS.value
SEGMENTS = {ALL: "Every customer"} | {
    f"status:{status.value}": f"Customers with a {status.value} order" for status in OrderStatus
}
"""The segments a form offers: the field's value and what it says."""


async def broadcast_list(visit: Visit) -> web.StreamResponse:
    history = parse(HistoryQuery, {"page": visit.request.query.get("page", "1")})
    blank = {"text": "", "formatted": "", "segment": ALL}
    return await _compose(visit, Filled(blank), history=history)


async def preview_broadcast(visit: Visit) -> web.StreamResponse:
    """The compose page again, with the preview and how many customers it reaches."""
    return await _compose(visit, Filled(visit.form), checked=True)


async def start_broadcast(visit: Visit) -> web.StreamResponse:
    filled = Filled(visit.form)
    try:
        draft = _draft(filled)
        preview(draft.text, draft.formatted)
    except (InvalidInput, CannotParse):
        return await _compose(visit, filled, checked=True)
    broadcast_id = filled.text("broadcastId") or None
    started = await visit.shop.broadcasts.start(visit.actor, draft, broadcast_id=broadcast_id)
    return visit.redirect(visit.url(PAGE, id=str(started.id)), "The broadcast is on its way.")


async def broadcast_page(visit: Visit) -> web.StreamResponse:
    progress = await visit.shop.broadcasts.progress(visit.actor, visit.path_id)
    shown = _shown(progress.broadcast.text, progress.broadcast.formatted)
    return visit.render(
        "broadcasts/broadcast.html",
        progress=progress,
        shown=shown,
        segment=_segment_text(progress.broadcast.segment),
    )


async def broadcast_progress(visit: Visit) -> web.StreamResponse:
    """The progress alone: the fragment the broadcast's page polls until it is finished."""
    progress = await visit.shop.broadcasts.progress(visit.actor, visit.path_id)
    return visit.render("broadcasts/progress.html", progress=progress)


async def cancel_broadcast(visit: Visit) -> web.StreamResponse:
    progress = await visit.shop.broadcasts.cancel(visit.actor, visit.path_id)
    message = f"Cancelled: {progress.cancelled} messages will not be sent."
    return visit.redirect(visit.url(PAGE, id=str(progress.broadcast.id)), message)


def _draft(filled: Filled) -> BroadcastDraft:
    chosen = filled.text("segment")
    if chosen not in SEGMENTS:
        filled.errors["segment"] = "Choose who receives it."
        segment: dict[str, object] = {"kind": ALL}
    elif chosen.startswith("status:"):
        segment = {"kind": SegmentKind.ORDER_STATUS.value, "status": chosen.split(":", 1)[1]}
    else:
        segment = {"kind": chosen}
    filled.values.update(
        text=filled.form.get("text", ""),
        formatted=filled.form.get("formatted") == "true",
        segment=segment,
    )
    return filled.command(BroadcastDraft)


def _shown(text: str, formatted: bool) -> Markup | str:
    try:
        return preview(text, formatted)
    except CannotParse:
        return text  # sent before this check existed: shown as its source, escaped


def _segment_text(segment: Segment) -> str:
    if segment.kind is SegmentKind.ORDER_STATUS and segment.status is not None:
        return SEGMENTS[f"status:{segment.status.value}"]
    if segment.kind is SegmentKind.ALL_CUSTOMERS:
        return SEGMENTS[ALL]
    return f"Chosen customers ({segment.kind.value.replace('_', ' ')})"


async def _compose(
    visit: Visit,
    filled: Filled,
    *,
    checked: bool = False,
    history: HistoryQuery | None = None,
) -> web.StreamResponse:
    """The broadcasts page: the compose form (with its preview and recipient count once
    ``checked``) and, on a plain visit, the history."""
    errors: dict[str, str] = {}
    shown = recipients = None
    if checked:
        try:
            draft = _draft(filled)
            shown = preview(draft.text, draft.formatted)
            recipients = await visit.shop.broadcasts.count_recipients(visit.actor, draft.segment)
        except InvalidInput as exc:
            errors = filled.refused(exc)
        except CannotParse as exc:
            errors = {"text": f"Telegram would refuse this text: {exc}."}
    past = await visit.shop.broadcasts.recent(visit.actor, history or HistoryQuery())
    refused = errors and visit.request.headers.get("HX-Request") != "true"  # htmx swaps 2xx
    return visit.render(
        "broadcasts/list.html",
        422 if refused else 200,
        values=filled.form,
        errors=errors,
        general_error=errors.get(GENERAL),
        segments=SEGMENTS,
        shown=shown,
        recipients=recipients,
        broadcast_id=filled.text("broadcastId") or visit.shop.broadcasts.new_id(),
        past=past,
        page_url=lambda number: visit.url("broadcast_list", {"page": str(number)}),
        segment_of=_segment_text,
    )
