"""Partner-area plugins, each loaded through the ``portal.plugins`` entry points."""
