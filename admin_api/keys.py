"""Typed keys for what the application and each request carry."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from admin_api.config import ApiSettings
from core.shop import Shop

SHOP = web.AppKey("shop", Shop)
SETTINGS = web.AppKey("settings", ApiSettings)
OPENAPI = web.AppKey("openapi", dict[str, Any])

REQUEST_ID = web.RequestKey("request_id", str)
ANSWER_STARTED = web.RequestKey("answer_started", float)
"""When a file answer's request began: it is logged and counted once prepared (its status)."""
