"""The ``planner`` command, and ``python -m planner`` running the same."""

from planner.interrupt import signals


def run_command() -> None:
    """The ``planner`` command: signals are noted before the heavy imports."""
    signals.note_early()
    from planner.cli import main

    main()


if __name__ == "__main__":
    run_command()
