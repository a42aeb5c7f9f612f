"""parts_suppliers plugin."""
