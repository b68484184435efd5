"""Ctrl-C and SIGTERM on the command line: a stopped run ends cleanly.

A command that can stop early with something to keep (a solve, a what-if,
a sweep, a study, a conflict or suggest search) asks for the run's cancel
token (`Signals.token`) and hands it to the application layer; the first
SIGINT or SIGTERM sets it, and every stage stops as soon as it can: before a
plan exists nothing is written (exit 130 or 143), after, the best plan found
is checked and written (exit `EXIT_INTERRUPTED`): its schedule and
calendars, and its brief only if that is quick, else the user is told to
make it with ``planner brief`` (`planner.app.publish.brief_now`). A
command without a token (validate, check, compare, brief, template) has
nothing to keep: the first signal ends it at once (`Interrupted`).

A second signal ends the process at once. While results are being written
(`writing`) it first unwinds the write, which removes its temporary files,
so no half-written result is left behind; otherwise the process ends where
it is, and a result folder being written stays as it was (a result folder
changes as a whole: `planner.outputs.files.publish_folder`), its stage
cleared by the next run that writes there.

Handlers run in the main thread, the only one Python runs them in; nothing
is raised inside CP-SAT's threads (`planner.model.running`).
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from types import FrameType

EXIT_INTERRUPTED = 6  # after a plan existed: it was checked and written
CAUGHT = (signal.SIGINT, signal.SIGTERM)


def exit_code(signum: int) -> int:
    """130 for SIGINT, 143 for SIGTERM: what a shell reports for either."""
    return 128 + signum


def signal_name(signum: int) -> str:
    return "Ctrl-C" if signum == signal.SIGINT else signal.Signals(signum).name


class Interrupted(KeyboardInterrupt):
    """The run was asked to stop by a signal (`Signals.received` says which).

    It carries nothing of its own: a library that re-creates the exception
    passing through it with a text of its own (reportlab does) re-creates it
    whole, and the signal is still known.
    """


class Aborted(BaseException):
    """A second signal while writing (`Signals.last`): the write unwinds,
    then the run ends.

    Not an Exception, so nothing on the way treats it as a failure to
    report; like `Interrupted`, it carries nothing of its own.
    """


class Signals:
    """The state of the running command's signal handling (see the module)."""

    def __init__(self) -> None:
        self.received: int | None = None  # the first signal
        self.last: int | None = None  # the latest one
        self.writing = False  # results are being written: a second signal unwinds
        self._cancel: threading.Event | None = None
        self._early = False
        self._previous: dict[int, object] = {}

    def note_early(self) -> None:
        """Note signals from now on, before the command starts (`caught`).

        Imports take a moment, and an interrupt raised inside one may surface
        as an ImportError, or be swallowed by a library's optional import.
        """
        self._early = True
        self._install()

    @contextmanager
    def caught(self) -> Iterator[Signals]:
        """Handle SIGINT and SIGTERM while the block runs (main thread only).

        A signal noted before (`note_early`) raises `Interrupted` at once.
        """
        self._early, self.writing, self._cancel = False, False, None
        self._install()
        try:
            if self.received is not None:
                raise Interrupted(self.received)
            yield self
        finally:
            for signum, handler in self._previous.items():
                signal.signal(signum, handler)  # type: ignore[arg-type]
            self._previous.clear()

    def token(self) -> threading.Event:
        """The run's cancel token: from now on a first signal sets it."""
        self._cancel = threading.Event()
        return self._cancel

    def forget(self) -> None:
        """Forget a signal handled, so the next command starts afresh."""
        self.received = self.last = None

    def _install(self) -> None:
        if threading.current_thread() is not threading.main_thread():
            return
        for signum in CAUGHT:
            previous = signal.signal(signum, self._handle)
            self._previous.setdefault(signum, previous)

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        self.last = signum
        if self.received is not None:
            if self.writing:
                raise Aborted(signal_name(signum))
            end_now(exit_code(signum))
        self.received = signum
        if self._cancel is not None:
            self._cancel.set()
        elif not self._early:
            raise Interrupted(signal_name(signum))


def end_now(code: int) -> None:
    """End the process at once: child processes first, no clean-up after.

    ``os._exit`` skips interpreter shutdown, which could otherwise wait on, or
    tear down under, a search still stopping in another thread.
    """
    for child in multiprocessing.active_children():
        child.kill()
    for stream in (sys.stdout, sys.stderr):
        with suppress(OSError, ValueError):
            stream.flush()
    os._exit(code)


signals = Signals()
