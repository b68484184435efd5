"""Starting and stopping ``planner serve``: what is checked before the first
request, and how a signal ends it.

Before serving: the shared token (localhost only, at least 16 characters,
from ``PLANNER_TOKEN`` or a file, never the command line, which ``ps``
shows), users on any other address, TLS there unless ``--insecure``, the TLS
files themselves, one server per data folder (a lock file), and the port,
bound here so that a busy port is one line and its own exit code.

SIGTERM or Ctrl-C: the page's event streams end at once, uvicorn stops, the
workers are killed and their runs marked failed; within seconds, with
watchers attached or not.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import signal
import socket
import ssl
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import IO, Any

import uvicorn
from fastapi import FastAPI

from planner.domain import EngineChoice
from planner.serve.app import create_app
from planner.serve.retention import Policy
from planner.serve.security import (
    MIN_SHARED_TOKEN,
    TOKEN_ENV,
    allowed_hosts,
    is_local,
)
from planner.serve.storage import Storage, StorageError
from planner.serve.uploads import Validator

LOCK_NAME = "serve.lock"
GRACE_S = 3  # the longest a stop waits for open connections


class Refused(Exception):
    """The server will not start; the message says why and what to do."""


class PortInUse(Exception):
    """Another program listens on the port."""


@dataclass(frozen=True)
class Setup:
    """`planner serve`'s options, checked by `prepared`."""

    host: str = "127.0.0.1"
    port: int = 8000
    data: Path = Path("planner-data")
    certfile: Path | None = None
    keyfile: Path | None = None
    insecure: bool = False
    allowed_hosts: tuple[str, ...] = ()
    token_file: Path | None = None
    max_solves: int = 1
    max_upload_bytes: int = 20 * 1024 * 1024
    max_validations: int = 2
    validation_memory_mb: int = 512
    keep_days: int | None = 90
    keep_bytes: int | None = 10 * 1024**3
    engine: EngineChoice = field(default_factory=EngineChoice)


def shared_token(token_file: Path | None) -> str | None:
    """The shared token from ``token_file``, else ``PLANNER_TOKEN``, else None."""
    if token_file is not None:
        try:
            return token_file.read_text(encoding="utf-8").strip() or None
        except OSError as error:
            raise Refused(
                f"Cannot read the token file {token_file}: {error}"
            ) from error
    return os.environ.get(TOKEN_ENV) or None


@dataclass
class Prepared:
    """A server ready to run: its address for people, and what to warn of."""

    url: str
    warnings: list[str]
    server: _Server
    sock: socket.socket
    lock: IO[str]
    app: FastAPI

    def run(self) -> str:
        """Serve until a signal; the one line to print when stopped."""
        try:
            self.server.run(sockets=[self.sock])
        finally:
            self.sock.close()
            self.lock.close()
        stopped = self.server.stopped_by
        why = signal.Signals(stopped).name if stopped else "stopped"
        marked = len(getattr(self.app.state, "stopped_runs", []))
        runs = f"; {marked} run(s) stopped and marked failed" if marked else ""
        return f"planner serve stopped ({why}){runs}."


class _Server(uvicorn.Server):
    """uvicorn's server, which on the first signal also tells the page's event
    streams to end (uvicorn would wait for them), and does not raise the
    signal again once stopped: a stop by SIGTERM is how a server ends."""

    def __init__(self, config: uvicorn.Config, closing: Any) -> None:
        super().__init__(config)
        self.closing = closing
        self.stopped_by: int | None = None

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        self.closing.set()
        if self.should_exit and sig == signal.SIGINT:
            self.force_exit = True
        self.should_exit = True
        self.stopped_by = self.stopped_by or sig


def prepared(setup: Setup) -> Prepared:
    """Check everything that can be checked before serving; `Refused` or
    `PortInUse` say what is wrong in one line."""
    local = is_local(setup.host)
    token = shared_token(setup.token_file)
    try:
        storage = Storage(setup.data)
    except StorageError as error:
        raise Refused(str(error)) from error
    if not local and not storage.users():
        raise Refused(
            f"planner serve on {setup.host} is reachable from other machines, "
            "and no one could sign in: add a user first (planner users add NAME "
            f"--role admin --data {setup.data})."
        )
    warnings = _checked_access(setup, token, local)
    tls = _tls(setup)
    lock = _locked(setup.data)
    sock = _bound(setup.host, setup.port)
    app = create_app(
        setup.data,
        token,
        setup.max_solves,
        setup.max_upload_bytes,
        setup.engine,
        tuple(allowed_hosts(setup.host, setup.allowed_hosts)),
        Validator(setup.max_validations, setup.validation_memory_mb),
        Policy(setup.keep_days, setup.keep_bytes),
    )
    config = uvicorn.Config(
        app,
        access_log=False,  # it would print addresses with ?token=
        log_level="warning",
        timeout_graceful_shutdown=GRACE_S,
        ssl_certfile=tls.get("ssl_certfile"),
        ssl_keyfile=tls.get("ssl_keyfile"),
    )
    shown = f"[{setup.host}]" if ":" in setup.host else setup.host
    scheme = "https" if tls else "http"
    login = "/?token=<your token>" if token else "/"
    return Prepared(
        f"{scheme}://{shown}:{setup.port}{login}",
        warnings,
        _Server(config, app.state.closing),
        sock,
        lock,
        app,
    )


def _checked_access(setup: Setup, token: str | None, local: bool) -> list[str]:
    warnings = []
    if token is not None:
        if not local:
            raise Refused(
                f"The shared token is a shortcut for one person on localhost; on "
                f"{setup.host} every user signs in: add users with planner users "
                f"add, and unset {TOKEN_ENV}."
            )
        if len(token) < MIN_SHARED_TOKEN:
            raise Refused(
                f"The shared token is too short: use at least {MIN_SHARED_TOKEN} "
                "random characters (e.g. from: openssl rand -hex 16)."
            )
    if (setup.certfile is None) != (setup.keyfile is None):
        raise Refused("Give both --certfile and --keyfile for TLS, or neither.")
    if not local and setup.certfile is None:
        if not setup.insecure:
            raise Refused(
                f"planner serve on {setup.host} without TLS would send passwords "
                "and plans in clear: give --certfile and --keyfile, or --insecure "
                "on a network where that is acceptable."
            )
        warnings.append(
            f"planner serve on {setup.host} WITHOUT TLS (--insecure): passwords, "
            "tokens and plans cross the network in clear."
        )
    return warnings


def _tls(setup: Setup) -> dict[str, str]:
    """uvicorn's TLS settings; the files are tried here, for a clear message."""
    if setup.certfile is None or setup.keyfile is None:
        return {}
    try:
        ssl.create_default_context(ssl.Purpose.CLIENT_AUTH).load_cert_chain(
            setup.certfile, setup.keyfile
        )
    except (OSError, ssl.SSLError) as error:
        raise Refused(
            f"Cannot use {setup.certfile} and {setup.keyfile} for TLS: "
            f"{getattr(error, 'strerror', None) or error}."
        ) from error
    return {"ssl_certfile": str(setup.certfile), "ssl_keyfile": str(setup.keyfile)}


def _locked(data: Path) -> IO[str]:
    """One server per data folder: two would both run the queue."""
    lock = (data / LOCK_NAME).open("w")
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as error:
        lock.close()
        raise Refused(
            f"Another planner serve uses {data}; stop it first, or use another --data."
        ) from error
    return lock


def _bound(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as error:
        sock.close()
        if error.errno == errno.EADDRINUSE:
            raise PortInUse(
                f"Port {port} on {host} is already in use (another planner serve?): "
                "stop that program, or choose another port with --port."
            ) from error
        raise Refused(
            f"Cannot listen on {host} port {port}: {error.strerror}."
        ) from error
    sock.listen(128)
    with contextlib.suppress(OSError):
        sock.set_inheritable(False)
    return sock
