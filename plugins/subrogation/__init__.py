"""subrogation plugin."""
