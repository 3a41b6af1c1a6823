"""Request and response bodies of the canonical routes."""
