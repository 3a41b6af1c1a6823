"""voxhub: a self-hosted speech service."""

__version__ = "0.1.0"
