"""Customers ' data: what the shop keeps about a customer, and erasing it."""
