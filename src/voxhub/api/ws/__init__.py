"""WebSocket plumbing of real-time recognition: frames, connections, metrics."""
