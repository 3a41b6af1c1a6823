"""A synthesis service over HTTP: Replicate-style predictions or OpenAI speech."""
