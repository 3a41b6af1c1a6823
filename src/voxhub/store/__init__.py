"""Persistence: result files (and, later, the database and object store)."""
