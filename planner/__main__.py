"""The ``planner`` command, and ``python -m planner`` running the same."""

from planner.interrupt import signals


def run_command() -> None:
    """The ``planner`` command: signals are noted before the heavy imports;
    the time limit counts from the process's start."""
    signals.note_early()
    from planner.cli import main
    from planner.processes import process_started

    main(obj=process_started())


if __name__ == "__main__":
    run_command()
