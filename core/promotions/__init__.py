"""Promo codes: what staff set up, what a cart's code takes off, and each use held by an
order (``uses.py``). The only package that touches ``promo_codes`` and ``promo_customers``."""
