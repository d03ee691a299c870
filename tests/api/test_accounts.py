"""Staff accounts over HTTP: admins find accounts, change roles, deactivate and reactivate;
the shop always keeps an active admin, also when admins demote each other at once."""

from __future__ import annotations

import asyncio

from core.accounts.commands import TelegramSignup
from core.accounts.models import Role
from core.shop import Shop
from tests.api.client import Api
from tests.api.world import PASSWORD, Account, NewAccount, World


async def _accounts(api: Api, admin: Account, query: str = "") -> list[str]:
    reply = await api.get(f"/api/admin/users{query}", token=admin.token)
    assert reply.status == 200, reply.body
    return [user["name"] for user in reply.body["items"]]


async def test_admins_find_accounts_by_words_telegram_id_role_and_activity(
    api: Api, shop: Shop, world: World
) -> None:
    w = world
    await shop.users.sign_up_telegram(
        TelegramSignup(telegram_id=987654, name="Tg Tom", email="tom@example.com")
    )
    assert await _accounts(api, w.admin, "?q=tom%40EXAMPLE") == ["Tg Tom"]
    assert await _accounts(api, w.admin, "?q=987654") == ["Tg Tom"]
    assert await _accounts(api, w.admin, "?q=ali") == ["Alice"]
    assert await _accounts(api, w.admin, "?role=operator") == ["Olga"]
    assert await _accounts(api, w.admin, "?role=admin&limit=1") == ["Ada"]
    assert await _accounts(api, w.admin, "?active=false") == []
    one = await api.get(f"/api/admin/users/{w.alice.id}", token=w.admin.token)
    assert (one.status, one.body["email"], one.body["active"]) == (200, w.alice.email, True)


async def test_staff_see_accounts_and_only_admins_change_them(api: Api, world: World) -> None:
    w = world
    assert (await api.get("/api/admin/users", token=w.alice.token)).status == 403
    assert (await api.get("/api/admin/users", token=w.operator.token)).status == 200
    for caller in (w.alice, w.operator):
        change = await api.patch(
            f"/api/admin/users/{caller.id}", json={"role": "admin"}, token=caller.token
        )
        assert (change.status, change.code) == (403, "forbidden")
    assert (await api.get(f"/api/admin/users/{w.alice.id}", token=w.admin.token)).status == 200


async def test_a_role_change_takes_effect_at_once(api: Api, world: World) -> None:
    w = world
    promoted = await api.patch(
        f"/api/admin/users/{w.bob.id}", json={"role": "operator"}, token=w.admin.token
    )
    assert (promoted.status, promoted.body["role"]) == (200, "operator")
    assert (await api.get("/api/cart", token=w.bob.token)).status == 401  # sessions ended
    bob = await _log_in(api, w.bob)
    assert (await api.get("/api/admin/orders", token=bob)).status == 200

    demoted = await api.patch(
        f"/api/admin/users/{w.operator.id}", json={"role": "user"}, token=w.admin.token
    )
    assert demoted.body["role"] == "user"
    olga = await _log_in(api, w.operator)
    assert (await api.get("/api/admin/orders", token=olga)).status == 403


async def test_a_deactivated_account_cannot_sign_in_and_its_token_stops_at_once(
    api: Api, world: World
) -> None:
    w = world
    assert (await api.get("/api/cart", token=w.alice.token)).status == 200
    off = await api.patch(
        f"/api/admin/users/{w.alice.id}", json={"active": False}, token=w.admin.token
    )
    assert (off.status, off.body["active"]) == (200, False)
    assert (await api.get("/api/cart", token=w.alice.token)).status == 401
    login = await api.post("/api/auth/login", json={"email": w.alice.email, "password": PASSWORD})
    assert (login.status, login.code) == (401, "account-deactivated")
    wrong = await api.post("/api/auth/login", json={"email": w.alice.email, "password": "x" * 9})
    assert wrong.code == "unauthenticated"  # no word about the account without the password
    assert await _accounts(api, w.admin, "?active=false") == ["Alice"]

    on = await api.patch(
        f"/api/admin/users/{w.alice.id}", json={"active": True}, token=w.admin.token
    )
    assert (on.status, on.body["active"]) == (200, True)
    assert (await api.get("/api/cart", token=await _log_in(api, w.alice))).status == 200


async def test_the_last_active_admin_stays(api: Api, world: World) -> None:
    w = world
    for change in ({"role": "operator"}, {"active": False}, {"role": "user", "active": False}):
        reply = await api.patch(f"/api/admin/users/{w.admin.id}", json=change, token=w.admin.token)
        assert (reply.status, reply.code) == (409, "last-admin")
    assert (await api.get("/api/admin/users", token=w.admin.token)).status == 200

    made = await api.patch(
        f"/api/admin/users/{w.operator.id}", json={"role": "admin"}, token=w.admin.token
    )
    assert made.status == 200
    olga = await _log_in(api, w.operator)
    stepped_down = await api.patch(
        f"/api/admin/users/{w.admin.id}", json={"active": False}, token=w.admin.token
    )
    assert stepped_down.status == 200
    last = await api.patch(f"/api/admin/users/{w.operator.id}", json={"role": "user"}, token=olga)
    assert (last.status, last.code) == (409, "last-admin")


async def test_two_admins_demoting_each_other_at_once_leave_one(
    api: Api, shop: Shop, new_account: NewAccount
) -> None:
    for _ in range(5):
        ada = await new_account(Role.ADMIN, name="Ada")
        bob = await new_account(Role.ADMIN, name="Bob")
        replies = await asyncio.gather(
            api.patch(f"/api/admin/users/{bob.id}", json={"role": "user"}, token=ada.token),
            api.patch(f"/api/admin/users/{ada.id}", json={"active": False}, token=bob.token),
        )
        # One wins; the other hears it is the last admin, or (if the winner came first)
        # that its own token no longer works.
        won, lost = sorted(replies, key=lambda reply: reply.status)
        assert (won.status, lost.status in (401, 409)) == (200, True)
        admins = await shop.store.users.count_documents({"role": "admin", "active": {"$ne": False}})
        assert admins == 1
        survivor = ada if replies[0].status == 200 else bob
        await shop.store.users.update_many({"_id": survivor.user.id}, {"$set": {"role": "user"}})
        await shop.store.staff.delete_many({})  # start the next round from no admins


async def test_bad_changes_are_refused_and_change_nothing(api: Api, world: World) -> None:
    w = world
    path = f"/api/admin/users/{w.bob.id}"
    for body in ({}, {"role": "owner"}, {"active": "no"}, {"role": None}, {"email": "x@y.z"}):
        reply = await api.patch(path, json=body, token=w.admin.token)
        assert (reply.status, reply.code) == (422, "invalid-input"), body
    missing = await api.patch(
        "/api/admin/users/0123456789abcdef01234567", json={"active": False}, token=w.admin.token
    )
    assert (missing.status, missing.code) == (404, "not-found")
    bob = await api.get(path, token=w.admin.token)
    assert (bob.body["role"], bob.body["active"]) == ("user", True)
    assert (await api.get("/api/cart", token=w.bob.token)).status == 200


async def _log_in(api: Api, account: Account) -> str:
    reply = await api.post(
        "/api/auth/login", json={"email": account.email, "password": account.password}
    )
    assert reply.status == 200, reply.body
    token: str = reply.body["token"]
    return token
