"""The voice catalog and the registry of named voices and cloning templates."""
