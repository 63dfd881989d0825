"""Channels that deliver the store's outbox (SMTP, webhook) behind one small interface."""
