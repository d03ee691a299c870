"""``python -m bot.doctor``: check the shop's configuration (see :mod:`bot.doctor`)."""

from bot.doctor.report import main

main()
