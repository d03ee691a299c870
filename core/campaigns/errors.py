"""Refusals about start links and campaigns: none of their own. A start payload is untrusted
input that is either a link the shop knows or no link at all (the bot then starts as usual),
so reading one never raises; the campaigns report refuses malformed dates or limits with
``InvalidInput`` and a caller who is not staff with the shared ``Forbidden``."""
