"""``python -m admin_api``: serve the HTTP API alone until SIGINT or SIGTERM."""

from __future__ import annotations

from admin_api.app import run_api
from admin_api.config import ApiSettings
from core.config import load
from runtime.process import run_process, start


def main() -> None:
    settings = load(ApiSettings)
    run_process(lambda shop: run_api(shop, settings), name="api", figures=True)


if __name__ == "__main__":
    start(main, name="api")
