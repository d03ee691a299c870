"""Structured JSON logs: one line per request with its id; no passwords or tokens."""

from __future__ import annotations

import json
import logging

import pytest
from prometheus_client import REGISTRY

from core.logs import JsonFormatter
from core.shop import Shop
from tests.api.client import Api
from tests.api.world import PASSWORD, NewAccount


def lines(caplog: pytest.LogCaptureFixture) -> list[dict[str, object]]:
    formatter = JsonFormatter()
    return [json.loads(formatter.format(record)) for record in caplog.records]


async def test_each_request_logs_id_method_path_status_and_duration(
    api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    reply = await api.get("/api/auth/me", params={"q": "x"})
    [entry] = [e for e in lines(caplog) if e["logger"] == "admin_api.access"]
    assert entry["requestId"] == reply.headers["X-Request-Id"]
    assert (entry["method"], entry["path"], entry["status"]) == ("GET", "/api/auth/me", 401)
    assert isinstance(entry["durationMs"], float)
    assert entry["client"] == "127.0.0.1"


async def test_a_static_file_is_logged_and_counted_with_the_status_it_was_answered(
    api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    def counted(status: int) -> float:
        sample = {"method": "GET", "route": "/admin/static", "status": str(status)}
        return REGISTRY.get_sample_value("shop_http_requests_total", sample) or 0

    caplog.set_level(logging.INFO)
    before = {status: counted(status) for status in (200, 304, 404)}
    missing = await api.get("/admin/static/no-such-file.css")
    found = await api.get("/admin/static/back-office.css")
    unchanged = {"If-Modified-Since": found.headers["Last-Modified"]}
    cached = await api.get("/admin/static/back-office.css", headers=unchanged)
    assert (missing.status, found.status, cached.status) == (404, 200, 304)
    access = [e["status"] for e in lines(caplog) if e["logger"] == "admin_api.access"]
    assert access == [404, 200, 304]
    assert {status: counted(status) - before[status] for status in before} == {
        200: 1,
        304: 1,
        404: 1,
    }


async def test_passwords_and_tokens_never_reach_the_logs(
    api: Api, new_account: NewAccount, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    alice = await new_account()
    login = await api.post("/api/auth/login", json={"email": alice.email, "password": PASSWORD})
    token = login.body["token"]
    await api.get("/api/auth/me", token=token)
    await api.post("/api/auth/login", json={"email": alice.email, "password": "wrong guess 1"})
    new = {"oldPassword": PASSWORD, "newPassword": "another secret 2"}
    await api.patch("/api/auth/me", json=new, token=token)
    logged = caplog.text + "".join(json.dumps(e) for e in lines(caplog))
    assert "/api/auth/login" in logged
    for secret in (PASSWORD, "wrong guess 1", "another secret 2", token, alice.token):
        assert secret not in logged


async def test_unexpected_errors_are_logged_with_the_request_id(
    api: Api, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    async def broken(self: Shop) -> bool:
        raise RuntimeError("boom")

    monkeypatch.setattr(Shop, "is_ready", broken)
    reply = await api.get("/readyz")
    [error] = [e for e in lines(caplog) if e["level"] == "ERROR"]
    assert error["requestId"] == reply.headers["X-Request-Id"]
    assert "RuntimeError: boom" in str(error["exception"])
