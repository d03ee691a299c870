"""``python -m bot.delivery``: the notifier's old name, kept for one release."""

from __future__ import annotations

import logging

from bot.notifier.__main__ import main
from runtime.process import start

logging.getLogger(__name__).warning(
    "python -m bot.delivery is deprecated and will stop working in the next release; "
    "use python -m bot.notifier"
)
start(main, name="notifier")
