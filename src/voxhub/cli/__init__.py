"""The `voxhub` command line: one module per command group."""
