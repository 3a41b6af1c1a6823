"""Routes of the services voxhub replaces, translated onto the same services."""
