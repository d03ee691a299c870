"""The caller's own cart reminders, on or off through ``PATCH /api/auth/me``."""

from __future__ import annotations

from tests.api.client import Api
from tests.api.world import NewAccount


async def test_a_customer_turns_cart_reminders_off_and_on(
    api: Api, new_account: NewAccount
) -> None:
    alice = await new_account()
    assert (await api.get("/api/auth/me", token=alice.token)).body["cartReminders"] is True

    off = await api.patch("/api/auth/me", token=alice.token, json={"cartReminders": False})
    assert (off.status, off.body["cartReminders"]) == (200, False)
    assert (await api.get("/api/auth/me", token=alice.token)).body["cartReminders"] is False

    both = {"cartReminders": True, "name": "Alicia"}
    on = await api.patch("/api/auth/me", token=alice.token, json=both)
    assert (on.status, on.body["cartReminders"], on.body["name"]) == (200, True, "Alicia")


async def test_a_bad_or_refused_change_leaves_cart_reminders_as_they_were(
    api: Api, new_account: NewAccount
) -> None:
    alice = await new_account()
    bad = await api.patch("/api/auth/me", token=alice.token, json={"cartReminders": "no"})
    assert bad.status == 422
    assert [e["field"] for e in bad.body["errors"]] == ["cartReminders"]
    body = {"cartReminders": False, "oldPassword": "wrong", "newPassword": "a brand new password"}
    refused = await api.patch("/api/auth/me", token=alice.token, json=body)
    assert (refused.status, refused.code) == (403, "wrong-password")
    assert (await api.get("/api/auth/me", token=alice.token)).body["cartReminders"] is True
