"""Speech engines behind one protocol, found through a registry and loaded once per process."""
