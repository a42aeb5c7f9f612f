"""salvage plugin."""
