"""Every CP-SAT solve runs here: in a thread of its own, stoppable by Ctrl-C.

Python runs signal handlers in the main thread only, between two bytecodes: a
main thread blocked inside ``CpSolver.solve`` hears no Ctrl-C or SIGTERM until
the search ends. So the search runs in a worker thread while the main thread
waits on it in short joins; a KeyboardInterrupt raised there (by Ctrl-C, or by
a handler the caller installed for SIGTERM) stops the search, and the thread
is always joined before the interrupt goes on: CP-SAT reads the model, and
calls back into Python, until its thread ends, so nothing may touch the model
or drop the callbacks before that.

CP-SAT's own SIGINT handler is switched off (``catch_sigint_signal``). It keeps
its callback in a thread-local variable, so a signal delivered to any other
of the process's threads calls an empty ``std::function`` and aborts the
process (``std::bad_function_call``, exit 134); and when the solve ends it
resets SIGINT to the system default, which removes Python's handler.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from ortools.sat.python import cp_model

POLL_S = 0.05  # how often the waiting main thread looks at the search


def run_cp_sat(
    solver: cp_model.CpSolver,
    model: cp_model.CpModel,
    callback: cp_model.CpSolverSolutionCallback | None = None,
    poll: Callable[[], None] | None = None,
) -> cp_model.CpSolverStatus:
    """``solver.solve(model, callback)``, but a Ctrl-C stops it cleanly.

    On a KeyboardInterrupt the search is stopped and its thread joined, then
    the interrupt is raised again: the solver then holds what the search
    found before it stopped (see `answered`). ``poll`` is called in the
    calling thread every `POLL_S` while the search runs (progress display);
    a KeyboardInterrupt it raises counts as Ctrl-C. An exception raised by
    the solve itself is raised again here.
    """
    solver.parameters.catch_sigint_signal = False
    failure: list[BaseException] = []
    outcome: list[cp_model.CpSolverStatus] = []

    def work() -> None:
        try:
            outcome.append(solver.solve(model, callback))
        except BaseException as error:  # raised again in the calling thread
            failure.append(error)

    worker = threading.Thread(target=work, name="cp-sat", daemon=True)
    try:
        worker.start()
        while worker.is_alive():
            worker.join(POLL_S)
            if poll is not None:
                poll()
    except KeyboardInterrupt:
        _stop(solver, worker)
        raise
    if failure:
        raise failure[0]
    return outcome[0]


def answered(solver: cp_model.CpSolver) -> bool:
    """Whether the solver's last solve ran to its end and gave a response.

    A solve interrupted before its thread started, or one that failed, leaves
    no response, and reading the solver's statistics would raise.
    """
    try:
        return solver.response_proto is not None
    except RuntimeError:
        return False


def _stop(solver: cp_model.CpSolver, worker: threading.Thread) -> None:
    """Stop the search and wait for its thread, whatever else is pressed.

    ``stop_search`` is a no-op until the solve has set itself up, so it is
    asked again until the thread ends. A further Ctrl-C meanwhile must not
    leave a running search behind; a caller that wants to end at once on a
    second signal ends the process instead.
    """
    while worker.is_alive():
        try:
            solver.stop_search()
            worker.join(POLL_S)
        except KeyboardInterrupt:
            continue
