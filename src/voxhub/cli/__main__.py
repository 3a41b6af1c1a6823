"""`python -m voxhub.cli`: the same as the `voxhub` command."""

from voxhub.cli.main import main

main()
