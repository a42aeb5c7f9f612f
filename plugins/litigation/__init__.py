"""litigation plugin."""
