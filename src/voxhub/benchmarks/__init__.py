"""Benchmarks that print ratios measured in one run on one machine (`voxhub bench`)."""
