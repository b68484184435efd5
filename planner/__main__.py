"""`python -m planner` runs the same command as `planner`."""

from planner.cli import main

main()
