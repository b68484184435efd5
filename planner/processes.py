"""How long a process lives: a worker no longer than the process that
started it.

Solves run in child processes (the local engine's pools, the server's
workers). A child that outlives its parent, killed with ``kill -9`` or lost
with its machine, would go on solving and writing into a run nobody follows;
each child asks the kernel to end it with its parent.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys

PR_SET_PDEATHSIG = 1  # prctl(2): the signal this process gets when its parent dies


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
