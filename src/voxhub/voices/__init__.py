"""The voice registry: registered voices, cloning templates and their reference audio."""
