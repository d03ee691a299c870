"""Variants: a product's options (size, colour) and its combinations, each with its own SKU,
stock and optionally its own price. See ``service.py``."""
