"""Accounts: sign-up, sign-in and tokens, profiles, roles and access, and the limits on guessing."""
