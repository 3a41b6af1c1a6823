"""Database repositories: jobs, events, voices, webhook deliveries."""
