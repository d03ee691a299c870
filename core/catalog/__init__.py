"""The catalog: products, categories, photos, stock and low-stock alerts."""
