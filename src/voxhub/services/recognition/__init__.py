"""Real-time recognition: streams, sessions, decode scheduling, limits and statistics."""
