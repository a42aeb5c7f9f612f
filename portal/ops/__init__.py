"""Operations: rate limits, signed webhooks, backups."""
