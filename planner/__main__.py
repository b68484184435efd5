"""`python -m planner` runs the same command as `planner`."""

from planner.interrupt import run_command

run_command()
