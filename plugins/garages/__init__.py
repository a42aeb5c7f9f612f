"""garages plugin."""
