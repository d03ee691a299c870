"""Configuration: one clear line per bad value, and a generated secret on first use."""

from datetime import timedelta
from pathlib import Path

import pytest
from pydantic_settings import SettingsConfigDict

from core.config import ConfigError, CoreSettings, ensure_generated_secret, load
from core.store import connect
from runtime.config import RuntimeSettings
from runtime.metrics import MetricsSettings


class IsolatedSettings(CoreSettings):
    model_config = SettingsConfigDict(env_file=None)


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({}, "configuration error: JWT_SECRET is required"),
        (
            {"JWT_SECRET": "short"},
            "configuration error: JWT_SECRET must be at least 32 bytes",
        ),
        (
            {"JWT_SECRET": "x" * 32, "BCRYPT_ROUNDS": "99"},
            "configuration error: BCRYPT_ROUNDS input should be less than or equal to 16",
        ),
        (
            {"JWT_SECRET": "x" * 32, "SHOP_CURRENCY": "dollars"},
            "configuration error: SHOP_CURRENCY string should match pattern '^[A-Z]{3}$'",
        ),
        (
            {"JWT_SECRET": "x" * 32, "PAYMENT_METHODS": "stars"},
            "configuration error: PAYMENT_METHODS stars needs SHOP_CURRENCY=XTR "
            "(prices in whole Stars)",
        ),
        (
            {"JWT_SECRET": "x" * 32, "PAYMENT_METHODS": "manual,provider"},
            "configuration error: PAYMENT_METHODS provider needs PAYMENT_PROVIDER_TOKEN",
        ),
        (
            {
                "JWT_SECRET": "x" * 32,
                "PAYMENT_METHODS": "provider",
                "SHOP_CURRENCY": "XTR",
                "PAYMENT_PROVIDER_TOKEN": "1:TEST:x",
            },
            "configuration error: PAYMENT_METHODS provider cannot take Stars (XTR); use stars",
        ),
        (
            {"JWT_SECRET": "x" * 32, "PAYMENT_METHODS": "cash"},
            "configuration error: PAYMENT_METHODS input should be 'manual', 'provider' or 'stars'",
        ),
        (
            {"JWT_SECRET": "x" * 32, "SHOP_TIMEZONE": "Mars/Olympus_Mons"},
            "configuration error: SHOP_TIMEZONE is not an IANA time zone name such as "
            "Europe/Moscow: 'Mars/Olympus_Mons'",
        ),
        (
            {"JWT_SECRET": "x" * 32, "SHOP_TIMEZONE": "../../etc/passwd"},
            "configuration error: SHOP_TIMEZONE is not an IANA time zone name such as "
            "Europe/Moscow: '../../etc/passwd'",
        ),
    ],
)
def test_a_bad_value_stops_startup_with_one_line(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], message: str
) -> None:
    monkeypatch.delenv("JWT_SECRET", raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError) as stopped:
        load(IsolatedSettings)
    assert str(stopped.value.code) == message
    assert "\n" not in str(stopped.value.code)


def test_an_empty_value_is_no_value(monkeypatch: pytest.MonkeyPatch) -> None:
    """``METRICS_TOKEN=`` (an example line of .env.example uncommented) means unset, not an
    empty token every scrape must send, nor a heartbeat written into the current folder."""
    monkeypatch.setenv("JWT_SECRET", "x" * 32)
    for name in ("OPERATOR_CHAT_ID", "SHOP_CURRENCY", "METRICS_PORT", "METRICS_TOKEN"):
        monkeypatch.setenv(name, "")
    monkeypatch.setenv("HEARTBEAT_DIR", "")
    core = load(IsolatedSettings)
    assert (core.operator_chat_id, core.shop_currency) == (None, "USD")
    metrics = MetricsSettings(_env_file=None)
    assert (metrics.metrics_port, metrics.metrics_token) == (None, None)
    assert RuntimeSettings(_env_file=None).heartbeat_dir is None


def test_a_secret_is_generated_once_into_a_private_file(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("JWT_SECRET", raising=False)
    generated = tmp_path / "generated.env"
    ensure_generated_secret(generated)
    ensure_generated_secret(generated)
    lines = generated.read_text().splitlines()
    assert len(lines) == 1 and lines[0].startswith("JWT_SECRET=")
    assert len(lines[0].removeprefix("JWT_SECRET=")) >= 32
    assert generated.stat().st_mode & 0o077 == 0


def test_no_secret_is_generated_when_one_is_set(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("JWT_SECRET", "y" * 40)
    ensure_generated_secret(tmp_path / "generated.env")
    assert not (tmp_path / "generated.env").exists()


@pytest.mark.parametrize(
    ("choice", "expected"),
    [
        ("journaled", {"w": 1, "j": True}),
        ("majority", {"w": "majority", "j": True}),
        ("acknowledged", {"w": 1, "j": False}),
    ],
)
def test_the_write_concern_is_the_clients_default(choice: str, expected: dict[str, object]) -> None:
    settings = CoreSettings(_env_file=None, jwt_secret="x" * 32, mongodb_write_concern=choice)
    client = connect("mongodb://127.0.0.1:1", settings.mongodb_write_concern)
    assert client.write_concern.document == expected


def test_writes_wait_for_the_journal_unless_told_otherwise() -> None:
    default = CoreSettings(_env_file=None, jwt_secret="x" * 32)
    assert default.mongodb_write_concern == "journaled"


@pytest.mark.parametrize(
    ("env", "minutes"),
    [
        ({}, None),  # manual payment alone: orders wait for staff
        ({"ORDER_PAYMENT_MINUTES": "15"}, 15),
        ({"SHOP_CURRENCY": "XTR", "PAYMENT_METHODS": "stars,manual"}, 60),
        ({"SHOP_CURRENCY": "XTR", "PAYMENT_METHODS": "stars", "ORDER_PAYMENT_MINUTES": "0"}, None),
    ],
)
def test_unpaid_orders_expire_by_default_only_with_an_online_method(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], minutes: int | None
) -> None:
    monkeypatch.setenv("JWT_SECRET", "x" * 32)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    window = load(IsolatedSettings).payment_window
    assert window == (None if minutes is None else timedelta(minutes=minutes))


def test_a_renamed_setting_is_read_by_its_old_name_with_one_warning(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """``CHECKOUT_LEASE_SECONDS`` set every lease, not only checkouts': it is
    ``LEASE_SECONDS`` now, and the old name still works for one release."""
    monkeypatch.setenv("JWT_SECRET", "x" * 32)
    monkeypatch.setenv("CHECKOUT_LEASE_SECONDS", "42")
    assert load(CoreSettings).lease_seconds == 42
    assert [record.getMessage() for record in caplog.records] == [
        "CHECKOUT_LEASE_SECONDS is deprecated and will stop working in the next release; "
        "use LEASE_SECONDS"
    ]
    caplog.clear()
    monkeypatch.setenv("LEASE_SECONDS", "30")  # the new name: no warning
    monkeypatch.delenv("CHECKOUT_LEASE_SECONDS")
    assert load(CoreSettings).lease_seconds == 30
    assert caplog.records == []


def test_the_shop_time_zone_is_an_iana_zone_defaulting_to_utc(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("JWT_SECRET", "x" * 32)
    assert load(IsolatedSettings).zone.key == "UTC"
    monkeypatch.setenv("SHOP_TIMEZONE", "Europe/Moscow")
    assert load(IsolatedSettings).zone.key == "Europe/Moscow"
