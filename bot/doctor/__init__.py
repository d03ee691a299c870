"""``python -m bot.doctor``: checks the shop's real configuration against Telegram, the
database and the public URL, and says in plain words what is right and what to do about the
rest (one line per check: ✓ ok, ! warning, ✗ stops the shop from selling).

Each check is a small coroutine returning :class:`~bot.doctor.checks.Check` results; the
rules about the database and secrets are core's (``core.store``, ``core.accounts.tokens``).
"""
