"""Accounts: organizations (insurer and partners), users, roles, tokens and sessions."""
