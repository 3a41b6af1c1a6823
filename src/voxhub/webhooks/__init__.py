"""Signed callbacks to a job's callback_url, delivered and retried by the workers."""
