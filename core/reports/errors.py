"""Refusals of the reports: they only read, so the one refusal is the shared ``Forbidden``
(``Actor.require``) for a caller who is not staff."""
