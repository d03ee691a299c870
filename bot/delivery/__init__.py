"""The delivery worker: sends the outbox's notifications through the Bot API.

``python -m bot.delivery`` runs it alone; several may run at once (claims are exclusive
and the rate limits are shared through the database).
"""
