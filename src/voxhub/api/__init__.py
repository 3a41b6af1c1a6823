"""The HTTP API: app factory, error mapping, routes."""
