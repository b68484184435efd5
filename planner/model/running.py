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
    search = _Search(solver, model, callback)
    try:
        search.start()
        while not search.finished.wait(POLL_S):
            if poll is not None:
                poll()
    except KeyboardInterrupt:
        search.stop()
        raise
    if search.failure:
        raise search.failure[0]
    return search.outcome[0]


class _Search:
    """One solve in a thread of its own, which can be stopped at any moment.

    A signal can land while ``Thread.start`` still waits for the new thread:
    the thread then runs although ``is_alive`` may not say so yet, and a
    search that begins after the caller has moved on keeps CP-SAT's threads
    running into interpreter shutdown, which aborts the process ("terminate
    called without an active exception"). So the thread begins its search
    only under a lock that `stop` takes too: either `stop` sees the search
    running and waits for it to end, or the thread sees it was stopped and
    never begins.
    """

    def __init__(
        self,
        solver: cp_model.CpSolver,
        model: cp_model.CpModel,
        callback: cp_model.CpSolverSolutionCallback | None,
    ) -> None:
        self.solver, self.model, self.callback = solver, model, callback
        self.outcome: list[cp_model.CpSolverStatus] = []
        self.failure: list[BaseException] = []
        self.finished = threading.Event()
        self._lock = threading.Lock()
        self._searching = False
        self._stopped = False

    def start(self) -> None:
        threading.Thread(target=self._work, name="cp-sat", daemon=True).start()

    def _work(self) -> None:
        try:
            with self._lock:
                if self._stopped:
                    return
                self._searching = True
            self.outcome.append(self._solve())
        except BaseException as error:  # raised again in the calling thread
            self.failure.append(error)
        finally:
            self.finished.set()

    def _solve(self) -> cp_model.CpSolverStatus:
        """Solve; should CP-SAT's presolve fail on the model, solve without it.

        OR-Tools 9.15's presolve raises ``IndexError: absl::container_internal::
        raw_hash_map<>::at`` on some models: seen on a generated l programme
        (`planner generate --size l --seed 1`) when a probe re-solves with an
        exercise forced in, every time, with or without a hint, with one worker
        or two; the same model without presolve is proven infeasible in 0.3 s.
        A solve without presolve is slower on large models but gives a true
        answer, so it is tried once rather than the question lost.
        """
        try:
            return self.solver.solve(self.model, self.callback)
        except (IndexError, RuntimeError):
            if not self.solver.parameters.cp_model_presolve:
                raise
            self.solver.parameters.cp_model_presolve = False
            return self.solver.solve(self.model, self.callback)

    def stop(self) -> None:
        """Stop the search and wait for it to end, whatever else is pressed.

        ``stop_search`` is a no-op until the solve has set itself up, so it is
        asked again until the search ends. A further Ctrl-C meanwhile must not
        leave a running search behind; a caller that wants to end at once on
        a second signal ends the process instead.
        """
        while True:
            try:
                with self._lock:
                    self._stopped = True
                    if not self._searching:
                        return
                while not self.finished.is_set():
                    self.solver.stop_search()
                    self.finished.wait(POLL_S)
                return
            except KeyboardInterrupt:
                continue


def answered(solver: cp_model.CpSolver) -> bool:
    """Whether the solver's last solve ran to its end and gave a response.

    A solve interrupted before its thread started, or one that failed, leaves
    no response, and reading the solver's statistics would raise.
    """
    try:
        return solver.response_proto is not None
    except RuntimeError:
        return False
