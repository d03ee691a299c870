"""The catalog: products, categories, photos, stock, low-stock alerts and imports."""
