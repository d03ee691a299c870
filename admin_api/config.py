"""Settings of the HTTP API process, read from the environment like every entrypoint's."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, field_validator
from pydantic_settings import NoDecode

from core.config import BaseConfig


class ApiSettings(BaseConfig):
    """The HTTP API."""

    api_host: str = Field(
        default="127.0.0.1", description="Address the API listens on (`0.0.0.0` in a container)."
    )
    api_port: int = Field(default=8080, ge=1, le=65535, description="Port the API listens on.")
    cors_origins: Annotated[tuple[str, ...], NoDecode] = Field(
        default=(),
        description="Browser origins allowed to call the API, or `*`. Empty: CORS off.",
    )
    max_body_bytes: int = Field(
        default=64 * 1024,
        ge=1024,
        le=10 * 1024 * 1024,
        description="Largest request body; larger ones get 413. Photo uploads have their own "
        "limit, `PHOTO_MAX_BYTES`.",
    )
    api_max_connections: int = Field(
        default=1000,
        ge=1,
        le=1_000_000,
        description="Open connections the API keeps at most (fewer if the process may not open "
        "that many files); more are closed as soon as they are accepted.",
    )
    api_max_connections_per_address: int = Field(
        default=100,
        ge=1,
        le=1_000_000,
        description="Open connections from one client address (IPv6: its /64) at most; not "
        "applied with `TRUST_FORWARDED_FOR`, where every connection comes from the proxy "
        '(docs/api.md, "Connections").',
    )
    api_idle_timeout_seconds: float = Field(
        default=75,
        gt=0,
        le=3600,
        description="A connection without a whole request head this long after it opened or "
        "after its last answer is closed; keep it above a reverse proxy's upstream keep-alive.",
    )
    api_body_timeout_seconds: float = Field(
        default=30,
        gt=0,
        le=3600,
        description="A request body (the back office's forms and uploads too: raise it for "
        "large photo ZIPs over slow links) must arrive within this long; a slower one gets "
        "`408` and its connection is closed.",
    )
    trust_forwarded_for: bool = Field(
        default=False,
        description="Take the client address from the last `X-Forwarded-For` entry; only "
        "behind your own reverse proxy.",
    )
    admin_web: bool = Field(
        default=True,
        description="Serve the back office, staff's pages in the browser, under `/admin/` "
        "(docs/back-office.md).",
    )
    admin_web_secure_cookies: bool = Field(
        default=False,
        description="Mark the back office's session cookie `Secure` on every request, not only "
        "on HTTPS ones (and, with `TRUST_FORWARDED_FOR`, ones the proxy says were "
        "`X-Forwarded-Proto: https`).",
    )

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(
                origin.strip().rstrip("/") for origin in value.split(",") if origin.strip()
            )
        return value
