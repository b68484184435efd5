"""The ``planner`` command, and ``python -m planner`` running the same."""

import time

# When the command began, as a `time.perf_counter` value: the time limit
# counts the imports too. Not the process's start in /proc: that is when it
# was forked, and a shell running the command last (`python3 -m venv .venv &&
# pip install . && planner solve ...`) starts it in its own process, forked
# before pip, whose install then took the whole 30 s limit of the README's
# first command.
BEGAN = time.perf_counter()

from planner.interrupt import signals  # noqa: E402  (after the clock starts)


def run_command() -> None:
    """The ``planner`` command: signals are noted before the heavy imports;
    the time limit counts from the command's start."""
    signals.note_early()
    from planner.cli import main

    main(obj=BEGAN)


if __name__ == "__main__":
    run_command()
