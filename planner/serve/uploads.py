"""Uploaded workbooks are read and validated in a process of their own.

A workbook is data from anyone: a small file can ask for much memory (one
stray cell far down and right makes a sheet of millions of empty cells) or
much time. Reading it in the server would keep what it took (Python does
not give memory back) and let a few uploads at once take the server down.
So each validation runs in a spawned process with a memory cap (its address
space may grow by at most ``memory_mb`` past what the imports took) and a
time cap, killed past either; the memory goes back with the process. At
most ``at_once`` run together; the others wait their turn.

The page's short questions about a plan (`planner.serve.questions`: where
else an exercise could go, a pin, a workbook with pins, a commit's check)
run the same way, through `Validator.ask`.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import resource
import signal
import threading
from collections.abc import Callable
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from planner.processes import die_with_parent

CONTEXT = multiprocessing.get_context("spawn")  # the server runs threads
DEFAULT_MEMORY_MB = 512
DEFAULT_TIMEOUT_S = 60.0
DEFAULT_AT_ONCE = 2


class Unanswered(Exception):
    """A question took more time or memory than the server gives one; the
    message says so in the planner's words."""


class Validator:
    """Validates workbooks, and answers questions about plans, in worker
    processes, ``at_once`` at most."""

    def __init__(
        self,
        at_once: int = DEFAULT_AT_ONCE,
        memory_mb: int = DEFAULT_MEMORY_MB,
        timeout_s: float = DEFAULT_TIMEOUT_S,
    ) -> None:
        self.at_once = max(1, at_once)
        self.memory_mb = memory_mb
        self.timeout_s = timeout_s
        self._slots = threading.BoundedSemaphore(self.at_once)

    def validate(
        self, path: Path, file_name: str, scenario: str | None = None
    ) -> dict[str, Any]:
        """The validation as JSON (`present.validation_json`); a workbook
        that takes too much memory or time is one finding saying so."""
        kind, value = self._in_worker(_validate, (path, file_name, scenario))
        if kind == "ok" and isinstance(value, dict):
            return value
        return refused(file_name, self._why(kind))

    def ask(
        self, question: Callable[..., dict[str, Any]], *args: object
    ) -> dict[str, Any]:
        """``question(*args)``, answered in a worker process; `Unanswered`
        when it takes more time or memory than the server gives one."""
        kind, value = self._in_worker(_answer, (question, args))
        if kind == "ok" and isinstance(value, dict):
            return value
        what = "time" if kind == "time" else "memory"
        raise Unanswered(
            f"The answer needs more {what} than this server gives one question "
            f"({self.timeout_s:.0f} s, {self.memory_mb} MB); try again when "
            "fewer plans are running, or ask with planner on the command line."
        )

    def _in_worker(
        self, target: Callable[..., None], args: tuple[object, ...]
    ) -> tuple[str, Any]:
        """``target``'s answer from a capped process: ("ok", value), or
        ("time" or "memory", None) when it was stopped."""
        with self._slots:
            receiving, sending = CONTEXT.Pipe(duplex=False)
            process = CONTEXT.Process(
                target=target,
                args=(sending, self.memory_mb, os.getpid(), *args),
                name="planner-validate",
                daemon=True,
            )
            process.start()
            sending.close()
            try:
                answered = receiving.poll(self.timeout_s)
                outcome = receiving.recv() if answered else ("time", None)
            except EOFError:  # the process died without a word: killed for memory
                outcome = ("memory", None)
            finally:
                receiving.close()
                with contextlib.suppress(ProcessLookupError):
                    if process.is_alive():
                        os.kill(process.pid or 0, signal.SIGKILL)
                process.join()
            return outcome

    def _why(self, kind: str) -> str:
        if kind == "time":
            return (
                f"reading it took longer than this server allows "
                f"({self.timeout_s:.0f} s); a planner workbook reads in seconds. "
                "Look for cells far below or right of the tables (select them "
                "in Excel and delete the rows or columns), then upload it again"
            )
        return (
            f"reading it needs more memory than this server gives one workbook "
            f"({self.memory_mb} MB). Look for cells far below or right of the "
            "tables (press Ctrl+End in Excel on each sheet), delete those rows "
            "or columns, then upload it again"
        )


def refused(file_name: str, message: str) -> dict[str, Any]:
    """A validation of one error about the file as a whole."""
    finding = {
        "sheet": file_name,
        "cell": "",
        "message": message,
        "severity": "error",
        "text": f"{file_name}: {message}",
    }
    return {
        "valid": False,
        "errors": [finding],
        "warnings": [],
        "scenarios": [],
        "summary": None,
    }


def _validate(
    answer: Connection,
    memory_mb: int,
    parent: int,
    path: Path,
    file_name: str,
    scenario: str | None,
) -> None:
    """In the worker: cap the memory, validate, send the JSON back."""
    die_with_parent(parent)
    from planner.app.validate import validate_workbook
    from planner.serve.present import validation_json

    _cap_memory(memory_mb)
    validation = None
    with contextlib.suppress(MemoryError):  # on leaving, what it held is freed
        validation = validation_json(validate_workbook(path, scenario), file_name)
    answer.send(("memory", None) if validation is None else ("ok", validation))


def _answer(
    answer: Connection,
    memory_mb: int,
    parent: int,
    question: Callable[..., dict[str, Any]],
    args: tuple[object, ...],
) -> None:
    """In the worker: cap the memory (the question's module is already
    imported), answer, send the JSON back."""
    die_with_parent(parent)
    _cap_memory(memory_mb)
    value = None
    with contextlib.suppress(MemoryError):
        value = question(*args)
    answer.send(("memory", None) if value is None else ("ok", value))


def _cap_memory(memory_mb: int) -> None:
    """Let this process's address space grow by ``memory_mb`` at most."""
    cap = _address_space() + memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))


def _address_space() -> int:
    """This process's virtual memory now, in bytes."""
    with open("/proc/self/statm") as statm:
        pages = int(statm.read().split()[0])
    return pages * os.sysconf("SC_PAGE_SIZE")
