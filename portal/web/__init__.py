"""The web shell: layout, navigation and dashboard from hooks, login, language switch."""
