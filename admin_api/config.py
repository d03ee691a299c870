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
    trust_forwarded_for: bool = Field(
        default=False,
        description="Take the client address from the last `X-Forwarded-For` entry; only "
        "behind your own reverse proxy.",
    )

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(
                origin.strip().rstrip("/") for origin in value.split(",") if origin.strip()
            )
        return value
