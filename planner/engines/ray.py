"""The Ray engine: tasks on a Ray cluster, or on a Ray started on this machine.

Ray is an optional extra (``pip install ".[ray]"``), imported only when this
engine is asked for. Each task asks Ray for as many CPUs as its CP-SAT
workers, so a cluster never runs more solves on a machine than it has cores
for. Every node needs `planner` and its dependencies installed, at the same
version as the machine that submits the work.

Ray itself runs a task again when its worker dies (``max_retries``) or when
it raises (``retry_exceptions``); a task that fails twice is reported by name
and the others are kept.
"""

from __future__ import annotations

import logging
import socket
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from planner.domain import RAY, CancelToken
from planner.engines.base import EngineUnavailable, Outcome, Work, describe

Task = TypeVar("Task")
Value = TypeVar("Value")

RETRIES = 1  # on top of the first try
POLL_S = 0.2  # how often a run looks at its cancel token
PROBE_S = 5.0  # how long a cluster address may take to answer at all
MISSING = (
    "Ray is not installed: install planner with its Ray extra "
    '(pip install ".[ray]") or use --engine local.'
)


def _ray() -> Any:
    """The ray module, or `EngineUnavailable` saying how to install it."""
    try:
        import ray
    except ImportError as error:
        raise EngineUnavailable(MISSING) from error
    return ray


class RayEngine:
    """Tasks on Ray: the cluster at ``address``, or a Ray started here (None).

    Connects on first use. A Ray the engine started itself is stopped by
    `close`; one that was already running (a test's, a notebook's) is left.
    """

    name = RAY

    def __init__(self, address: str | None = None) -> None:
        self._ray = _ray()
        self._address = address
        self._started = False

    def _connect(self) -> None:
        if self._ray.is_initialized():
            return
        unreachable = _unreachable(self._address)
        if unreachable:
            raise EngineUnavailable(
                f"Cannot reach Ray at {self._address}: {unreachable}. Start the "
                "cluster (ray start --head) or check --address."
            )
        try:
            self._ray.init(
                address=self._address,
                include_dashboard=False,
                log_to_driver=False,
                logging_level=logging.ERROR,
            )
        except (ConnectionError, RuntimeError, ValueError) as error:
            where = self._address or "this machine"
            raise EngineUnavailable(
                f"Cannot reach Ray at {where}: {describe(error)}"
            ) from error
        self._started = True

    def cores(self) -> int:
        self._connect()
        return max(1, int(self._ray.cluster_resources().get("CPU", 1)))

    def close(self) -> None:
        if self._started:
            self._ray.shutdown()
            self._started = False

    def _largest_node(self) -> int:
        """The most CPUs one live node has: no task may ask for more."""
        cpus = [
            int(node.get("Resources", {}).get("CPU", 0))
            for node in self._ray.nodes()
            if node.get("Alive")
        ]
        return max([1, *cpus])

    def run(
        self,
        work: Work[Task, Value],
        tasks: Mapping[str, Task],
        cpus_each: int,
        done: Callable[[Outcome[Value]], None] | None = None,
        cancel: CancelToken | None = None,
    ) -> dict[str, Outcome[Value]]:
        """Submit every task at once; gather each as it ends. Once ``cancel``
        is set, the tasks still out are cancelled and end ``stopped``."""
        self._connect()
        ray = self._ray
        tell = done or (lambda _: None)
        remote = ray.remote(
            num_cpus=min(max(1, cpus_each), self._largest_node()),
            max_retries=RETRIES,
            retry_exceptions=True,
        )(work)
        waiting = {remote.remote(task, None): name for name, task in tasks.items()}
        outcomes: dict[str, Outcome[Value]] = {}
        try:
            while waiting:
                if cancel is not None and cancel.is_set():
                    for name in waiting.values():
                        outcomes[name] = Outcome(name, None, stopped=True)
                        tell(outcomes[name])
                    break
                ready, _ = ray.wait(list(waiting), num_returns=1, timeout=POLL_S)
                for ref in ready:
                    name = waiting.pop(ref)
                    try:
                        outcome = Outcome(name, ray.get(ref))
                    except Exception as error:
                        outcome = Outcome(name, None, describe(_cause(error)))
                    outcomes[name] = outcome
                    tell(outcome)
        finally:
            for ref in waiting:
                ray.cancel(ref, force=True)
        return {name: outcomes[name] for name in tasks}


def _unreachable(address: str | None) -> str | None:
    """Why nothing answers at ``address`` (host:port or ray://host:port), or
    None; asked first because Ray itself retries for minutes."""
    if address is None or ("://" not in address and ":" not in address):
        return None  # a Ray started here, or "auto"
    host, _, port = address.split("://")[-1].rpartition(":")
    if not port.isdigit():
        return None  # let Ray say what it makes of it
    try:
        with socket.create_connection((host.strip("[]"), int(port)), PROBE_S):
            return None
    except OSError as error:
        return error.strerror or str(error)


def _cause(error: BaseException) -> BaseException:
    """The task's own exception inside Ray's wrapper, when there is one."""
    cause = getattr(error, "cause", None)
    return cause if isinstance(cause, BaseException) else error
