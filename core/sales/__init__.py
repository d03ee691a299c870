"""Selling: carts, checkout, orders, delivery details, payments and refunds, the staff desk
and the order outbox."""
