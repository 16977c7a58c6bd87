"""Outgoing email: an outbox table written with the action that causes a message,
delivered after commit (RQ with retries when Redis is configured, else in-process)."""
