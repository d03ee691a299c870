"""Registration, login and the caller's own profile."""

from __future__ import annotations

from tests.api.client import Api
from tests.api.world import PASSWORD, NewAccount


async def test_register_creates_a_customer_without_exposing_the_hash(api: Api) -> None:
    body = {"name": " Alice ", "email": "Alice@Example.com", "password": PASSWORD}
    reply = await api.post("/api/auth/register", json=body)
    assert reply.status == 201
    assert reply.body["email"] == "alice@example.com"
    assert reply.body["name"] == "Alice"
    assert reply.body["role"] == "user"
    assert not {"password", "passwordHash", "sessionVersion"} & reply.body.keys()


async def test_register_twice_with_one_email_is_a_conflict(api: Api) -> None:
    body = {"name": "Alice", "email": "alice@example.com", "password": PASSWORD}
    await api.post("/api/auth/register", json=body)
    reply = await api.post("/api/auth/register", json={**body, "email": "ALICE@example.com"})
    assert (reply.status, reply.code) == (409, "email-taken")


async def test_register_names_each_invalid_field(api: Api) -> None:
    reply = await api.post(
        "/api/auth/register", json={"name": "", "email": "nope", "password": "short"}
    )
    assert reply.status == 422
    assert reply.body["type"] == "urn:telegram-shop:problem:invalid-input"
    assert {e["field"] for e in reply.body["errors"]} == {"name", "email", "password"}
    assert "short" not in str(reply.body)


async def test_login_returns_a_token_that_identifies_the_user(
    api: Api, new_account: NewAccount
) -> None:
    alice = await new_account()
    reply = await api.post(
        "/api/auth/login", json={"email": alice.email.upper(), "password": PASSWORD}
    )
    assert reply.status == 200
    assert reply.body["tokenType"] == "Bearer"
    assert reply.body["user"]["id"] == alice.id
    me = await api.get("/api/auth/me", token=reply.body["token"])
    assert (me.status, me.body["email"]) == (200, alice.email)


async def test_wrong_password_and_unknown_email_fail_alike(
    api: Api, new_account: NewAccount
) -> None:
    alice = await new_account()
    wrong = await api.post("/api/auth/login", json={"email": alice.email, "password": "x" * 12})
    unknown = await api.post(
        "/api/auth/login", json={"email": "nobody@example.com", "password": PASSWORD}
    )
    assert wrong.status == unknown.status == 401
    assert wrong.body["detail"] == unknown.body["detail"]
    assert wrong.headers["WWW-Authenticate"].startswith("Bearer")


async def test_rename(api: Api, new_account: NewAccount) -> None:
    alice = await new_account()
    reply = await api.patch("/api/auth/me", token=alice.token, json={"name": "Alicia"})
    assert (reply.status, reply.body["name"]) == (200, "Alicia")
    assert (await api.get("/api/auth/me", token=alice.token)).body["name"] == "Alicia"


async def test_profile_update_needs_something_to_change(api: Api, new_account: NewAccount) -> None:
    alice = await new_account()
    reply = await api.patch("/api/auth/me", token=alice.token, json={})
    assert reply.status == 422


async def test_password_change_needs_the_old_password_and_ends_sessions(
    api: Api, new_account: NewAccount
) -> None:
    alice = await new_account()
    new = "a brand new password"
    refused = await api.patch(
        "/api/auth/me", token=alice.token, json={"oldPassword": "wrong one", "newPassword": new}
    )
    assert (refused.status, refused.code) == (403, "wrong-password")
    changed = await api.patch(
        "/api/auth/me", token=alice.token, json={"oldPassword": PASSWORD, "newPassword": new}
    )
    assert changed.status == 200
    assert (await api.get("/api/auth/me", token=alice.token)).status == 401
    old = await api.post("/api/auth/login", json={"email": alice.email, "password": PASSWORD})
    assert old.status == 401
    fresh = await api.post("/api/auth/login", json={"email": alice.email, "password": new})
    assert fresh.status == 200


async def test_a_refused_password_change_renames_nothing(api: Api, new_account: NewAccount) -> None:
    alice = await new_account()
    body = {"name": "Mallory", "oldPassword": "wrong", "newPassword": "a brand new password"}
    refused = await api.patch("/api/auth/me", json=body, token=alice.token)
    assert (refused.status, refused.code) == (403, "wrong-password")
    assert (await api.get("/api/auth/me", token=alice.token)).body["name"] == "Alice"
    both = await api.patch(
        "/api/auth/me", json={**body, "oldPassword": PASSWORD}, token=alice.token
    )
    assert (both.status, both.body["name"]) == (200, "Mallory")
    login = {"email": alice.email, "password": "a brand new password"}
    assert (await api.post("/api/auth/login", json=login)).status == 200
