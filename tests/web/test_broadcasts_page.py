"""The broadcasts page: a preview as Telegram will show it, the segment's recipient count,
sending once however often the form is sent, progress polled until finished, cancelling,
the history; and text shown as text."""

from __future__ import annotations

import re

from core.accounts.access import SYSTEM
from core.accounts.models import Role
from core.base.commands import HistoryQuery
from core.messaging.models import BroadcastState
from core.shop import Shop
from tests.api.world import PASSWORD, NewAccount
from tests.factories import NewUser
from tests.web.office import Office, Page

XSS = "<script>alert(1)</script>"


async def _customers(shop: Shop, new_user: NewUser, chats: int) -> None:
    for chat in range(1, chats + 1):
        user = await new_user(name=f"Customer {chat}")
        await shop.store.users.update_one({"_id": user.id}, {"$set": {"telegramId": 1000 + chat}})


async def _operator(office: Office, new_account: NewAccount) -> Page:
    operator = await new_account(Role.OPERATOR, name="Olga")
    await office.sign_in(operator.email, PASSWORD)
    return await office.get("/admin/broadcasts")


def _preview(page: Page) -> str:
    found = re.search(r'<div class="telegram-message" id="preview">(.*?)</div>', page.text, re.S)
    assert found, page.text[-2000:]
    return found.group(1)


async def test_the_preview_shows_the_text_as_telegram_will(
    office: Office, new_account: NewAccount, shop: Shop, new_user: NewUser
) -> None:
    await _customers(shop, new_user, 3)
    page = await _operator(office, new_account)
    assert page.status == 200 and page.shows("New broadcast") and page.shows("No broadcasts yet.")
    plain = await office.post(
        "/admin/broadcasts/preview", {"text": "<b>2 & 3</b>", "segment": "all"}
    )
    assert plain.status == 200
    assert _preview(plain) == "&lt;b&gt;2 &amp; 3&lt;/b&gt;"  # as typed
    assert plain.shows("Send to 3 customers")
    html = 'Sale: <b>20%</b> &amp; <a href="https://example.com/a?b=1&amp;c=2">more</a>\n<i>now</i>'
    fields = {"text": html, "formatted": "true", "segment": "all"}
    formatted = await office.post("/admin/broadcasts/preview", fields)
    assert _preview(formatted) == (
        'Sale: <strong>20%</strong> &amp; <a href="https://example.com/a?b=1&amp;c=2" '
        'rel="noopener noreferrer nofollow">more</a>\n<em>now</em>'
    )
    unsafe = {"text": '<a href="javascript:alert(1)">x</a>', "formatted": "true", "segment": "all"}
    assert _preview(await office.post("/admin/broadcasts/preview", unsafe)) == (
        '<span class="link">x</span>'
    )


async def test_text_telegram_would_refuse_is_refused_and_nothing_is_sent(
    office: Office, new_account: NewAccount, shop: Shop
) -> None:
    page = await _operator(office, new_account)
    cases = {
        XSS: "Telegram does not support the tag <script>",
        "<b>bold": "<b> is never closed",
        "a < b": "is not markup; write &lt;",
        "fish & chips": "is not markup; write &amp;",
    }
    for text, why in cases.items():
        fields = {"text": text, "formatted": "true", "segment": "all", "broadcastId": ""}
        for path in ("/admin/broadcasts/preview", "/admin/broadcasts"):
            refused = await office.post(path, fields, csrf=page.csrf)
            assert refused.status == 422 and refused.shows(why), (text, path)
            assert XSS not in refused.text
    empty = await office.post("/admin/broadcasts", {"text": "", "segment": "all"}, csrf=page.csrf)
    assert empty.status == 422 and 'id="text-error"' in empty.text
    nobody = await office.post("/admin/broadcasts", {"text": "Hi", "segment": "vips"})
    assert nobody.status == 422 and nobody.shows("Choose who receives it.")
    assert (await shop.broadcasts.recent(SYSTEM, HistoryQuery())).total == 0


async def test_a_broadcast_is_sent_once_watched_and_cancelled(
    office: Office, new_account: NewAccount, shop: Shop, new_user: NewUser
) -> None:
    await _customers(shop, new_user, 2)
    await _operator(office, new_account)
    fields = {"text": XSS, "segment": "all"}
    previewed = await office.post("/admin/broadcasts/preview", fields)
    broadcast_id = re.search(r'name="broadcastId" value="([0-9a-f]{24})"', previewed.text)
    assert broadcast_id
    sent = {**fields, "broadcastId": broadcast_id.group(1)}
    started = await office.post("/admin/broadcasts", sent)
    again = await office.post("/admin/broadcasts", sent, csrf=previewed.csrf)  # a double click
    assert started.status == again.status == 303
    assert started.location == again.location == f"/admin/broadcasts/{broadcast_id.group(1)}"
    assert (await shop.broadcasts.recent(SYSTEM, HistoryQuery())).total == 1

    page = await office.follow(started)
    assert page.shows("The broadcast is on its way.") and page.shows("Every customer")
    assert XSS not in page.text and "&lt;script&gt;" in page.text
    fragment = await office.get(f"{started.location}/progress")
    assert 'hx-trigger="every 2s"' in fragment.text and "<html" not in fragment.text
    assert re.search(r'data-count="remaining">2<', fragment.text)

    cancelled = await office.post(f"{started.location}/cancel", csrf=page.csrf)
    assert (await office.follow(cancelled)).shows("Cancelled: 2 messages will not be sent.")
    fragment = await office.get(f"{started.location}/progress")
    assert "hx-trigger" not in fragment.text  # finished: the page stops asking
    assert re.search(r'data-count="cancelled">2<', fragment.text)
    progress = await shop.broadcasts.progress(SYSTEM, broadcast_id.group(1))
    assert progress.state is BroadcastState.CANCELLED

    history = await office.get("/admin/broadcasts")
    assert history.shows("cancelled") and XSS not in history.text


async def test_a_segment_by_order_status_counts_its_customers(
    office: Office, new_account: NewAccount, shop: Shop, new_user: NewUser
) -> None:
    await _customers(shop, new_user, 2)
    await _operator(office, new_account)
    fields = {"text": "Thanks!", "segment": "status:shipped"}
    previewed = await office.post("/admin/broadcasts/preview", fields)
    assert previewed.status == 200 and previewed.shows("Send to 0 customers")
    forged = await office.post("/admin/broadcasts", fields, csrf="forged")
    assert forged.status == 403
    assert (await shop.broadcasts.recent(SYSTEM, HistoryQuery())).total == 0
