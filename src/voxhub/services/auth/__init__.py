"""API keys, browser tokens and per-key limits."""
