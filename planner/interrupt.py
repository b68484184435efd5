"""Ctrl-C and SIGTERM on the command line: a stopped run ends cleanly.

While a command runs, `signals` handles SIGINT and SIGTERM alike, in the main
thread, the only one Python runs handlers in:

- the first signal raises `Interrupted`, a KeyboardInterrupt: before any plan
  exists it ends the command (one line, exit 130 or 143); during a search it
  stops the search, which keeps the best plan found so far;
- once the command holds a plan (`holding_plan`), the first signal is only
  noted: the plan is checked and written, and the command exits
  `EXIT_INTERRUPTED`; only the explanations, which may take a while, are
  cut short (`raising`);
- a second signal ends the process at once. While results are being written
  (`writing`) it first unwinds the write, which removes its temporary files,
  so no half-written result is left behind.

Nothing is raised inside CP-SAT's threads: searches run in a thread of their
own and the main thread waits on them (`planner.model.running`).
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from types import FrameType

PR_SET_PDEATHSIG = 1  # prctl(2): a signal for this process when its parent dies
EXIT_INTERRUPTED = 6  # after a plan existed: it was checked and written
CAUGHT = (signal.SIGINT, signal.SIGTERM)


def exit_code(signum: int) -> int:
    """130 for SIGINT, 143 for SIGTERM: what a shell reports for either."""
    return 128 + signum


def signal_name(signum: int) -> str:
    return "Ctrl-C" if signum == signal.SIGINT else signal.Signals(signum).name


class Interrupted(KeyboardInterrupt):
    """The run was asked to stop by ``signum`` (SIGINT or SIGTERM)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal_name(signum))
        self.signum = signum


class Aborted(BaseException):
    """A second signal while writing: the write unwinds, then the run ends.

    Not an Exception, so nothing on the way treats it as a failure to report.
    """

    def __init__(self, signum: int) -> None:
        super().__init__(signal_name(signum))
        self.signum = signum


class Signals:
    """The state of the running command's signal handling (see the module)."""

    def __init__(self) -> None:
        self.received: int | None = None
        self._holding = False
        self._writing = False
        self._previous: dict[int, object] = {}

    def note_early(self) -> None:
        """Note signals from now on, before the command starts (`caught`).

        Imports take a moment, and an interrupt raised inside one may surface
        as an ImportError, or be swallowed by a library's optional import.
        """
        self._holding = True
        self._install()

    @contextmanager
    def caught(self) -> Iterator[Signals]:
        """Handle SIGINT and SIGTERM while the block runs (main thread only).

        A signal noted before (`note_early`) raises `Interrupted` at once.
        """
        self._holding, self._writing = False, False
        self._install()
        try:
            if self.received is not None:
                raise Interrupted(self.received)
            yield self
        finally:
            for signum, handler in self._previous.items():
                signal.signal(signum, handler)  # type: ignore[arg-type]
            self._previous.clear()

    def forget(self) -> None:
        """Forget a signal handled, so the next command starts afresh."""
        self.received = None

    def _install(self) -> None:
        if threading.current_thread() is not threading.main_thread():
            return
        for signum in CAUGHT:
            previous = signal.signal(signum, self._handle)
            self._previous.setdefault(signum, previous)

    def holding_plan(self) -> None:
        """From now on a first signal is noted, not raised: a plan is kept."""
        self._holding = True

    @contextmanager
    def raising(self) -> Iterator[None]:
        """Within the block a first signal raises `Interrupted` again."""
        if self.received is not None:
            raise Interrupted(self.received)
        holding, self._holding = self._holding, False
        try:
            yield
        finally:
            self._holding = holding

    @contextmanager
    def writing(self) -> Iterator[None]:
        """Within the block a second signal unwinds (`Aborted`) before ending."""
        self._writing = True
        try:
            yield
        finally:
            self._writing = False

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        if self.received is not None:
            if self._writing:
                raise Aborted(signum)
            end_now(exit_code(signum))
        self.received = signum
        if not self._holding:
            raise Interrupted(signum)


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


def die_with_parent(parent: int) -> None:
    """Ask Linux to kill this worker process as soon as its parent ``parent``
    dies, even by ``kill -9``, so that no solve goes on as an orphan writing
    into a run nobody follows. Elsewhere than Linux, nothing is asked.

    The parent may die between the fork and this call: then this process is
    already an orphan and ends at once.
    """
    if not sys.platform.startswith("linux"):
        return
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:
        os.kill(os.getpid(), signal.SIGKILL)


signals = Signals()
