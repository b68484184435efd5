"""``planner serve`` as a process among processes: killed with -9 or stopped
with SIGTERM mid-solve (a page watching), it leaves no worker behind; a
workbook that needs too much memory to read does not grow the server; TLS
from the command line. Real servers, real signals, /proc for leftovers."""

from __future__ import annotations

import contextlib
import os
import signal
import sqlite3
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import load_workbook

from planner.serve.accounts import add_user
from planner.serve.storage import Storage
from planner.workbook.generate import generate
from planner.workbook.template import write_workbook
from tests.serve.conftest import SAMPLE, Server, descendants, kill_all

pytestmark = pytest.mark.slow

LONG = {"workers": 1, "time_limit_s": 300, "explain_all": False}
PASSWORD = "correct horse battery"


@pytest.fixture(scope="module")
def large(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A programme whose search runs until its time limit."""
    path = tmp_path_factory.mktemp("large") / "generated-l.xlsx"
    tables, _ = generate("l", 3)
    write_workbook(tables, path)
    return path


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    running = Server(tmp_path / "planner-data")
    running.start()
    yield running
    if running.process is not None:
        kill_all(descendants(running.process.pid))
    running.stop()


def workers(server: Server) -> list[int]:
    """The server's run workers: spawned processes leading a group of their own."""
    assert server.process is not None
    found = []
    for pid in descendants(server.process.pid):
        with contextlib.suppress(OSError):
            command = Path(f"/proc/{pid}/cmdline").read_bytes()
            if b"spawn_main" in command and os.getpgid(pid) == pid:
                found.append(pid)
    return found


def started(server: Server, workbook: Path) -> str:
    upload_id = server.upload(workbook)["upload_id"]
    run = server.api("/api/runs", {"upload_id": upload_id, **LONG})
    deadline = time.monotonic() + 60
    while server.api(f"/api/runs/{run['id']}")["state"] != "running":
        assert time.monotonic() < deadline
        time.sleep(0.2)
    while not workers(server):
        assert time.monotonic() < deadline
        time.sleep(0.2)
    return str(run["id"])


def gone(pids: list[int], within_s: float) -> bool:
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        alive = []
        for pid in pids:
            try:
                state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if state[0] != "Z":
                alive.append(pid)
        if not alive:
            return True
        time.sleep(0.1)
    return False


def no_group_left(groups: list[int]) -> bool:
    """No living process (a zombie is dead, waiting to be reaped) in ``groups``."""
    for entry in os.listdir("/proc"):
        with contextlib.suppress(OSError):
            stat = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            if stat[0] != "Z" and int(stat[2]) in groups:
                return False
    return True


def test_kill_9_leaves_no_worker_and_the_restart_reclaims_the_run(
    server: Server, large: Path
) -> None:
    run_id = started(server, large)
    assert server.process is not None
    everything = descendants(server.process.pid)
    groups = workers(server)
    assert len(groups) == 1
    folder = server.data / "runs" / run_id
    server.process.kill()
    server.process.wait()
    server.process = None
    assert gone(everything, within_s=5), everything
    assert no_group_left(groups)

    server.start()  # the same data folder, a new server
    run = server.api(f"/api/runs/{run_id}")
    assert run["state"] == "failed"
    assert run["message"] == "The server stopped during this run; run it again."
    assert not folder.exists()  # nothing half-written is kept
    # --max-solves 1 holds: a second run waits while the first goes on
    second = started(server, large)
    third = server.upload(large)["upload_id"]
    waiting = server.api("/api/runs", {"upload_id": third, **LONG})
    time.sleep(1)
    assert server.api(f"/api/runs/{waiting['id']}")["state"] == "queued"
    assert len(workers(server)) == 1
    server.api(f"/api/runs/{second}/cancel", {})


def test_sigterm_with_a_watcher_stops_within_5_s_and_leaves_nothing(
    server: Server, large: Path
) -> None:
    run_id = started(server, large)
    assert server.process is not None
    everything = descendants(server.process.pid)
    events: list[bytes] = []

    def watch() -> None:
        with server.open(f"/api/runs/{run_id}/events") as stream:
            for line in stream:
                events.append(line)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    while not events:
        time.sleep(0.1)
    began = time.monotonic()
    server.process.send_signal(signal.SIGTERM)
    code = server.process.wait(timeout=30)
    took = time.monotonic() - began
    said = server.said()
    server.process = None
    assert took < 5, took
    assert code == 0
    assert said.strip().endswith(
        "planner serve stopped (SIGTERM); 1 run(s) stopped and marked failed."
    )
    watcher.join(timeout=5)
    assert not watcher.is_alive()  # the stream was closed
    assert gone(everything, within_s=2), everything
    with sqlite3.connect(server.data / "planner.sqlite3") as db:
        state, message = db.execute(
            "SELECT state, message FROM runs WHERE id = ?", (run_id,)
        ).fetchone()
    assert (state, message) == (
        "failed",
        "The server stopped during this run; run it again.",
    )


def _rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


def test_an_upload_that_needs_too_much_memory_is_refused_and_the_server_keeps_its_size(
    tmp_path: Path,
) -> None:
    stray = tmp_path / "stray.xlsx"
    book = load_workbook(SAMPLE)
    book["Exercises"].cell(1900, 500, "x")  # a sheet of 950,000 cells
    book.save(stray)
    assert stray.stat().st_size < 100_000
    server = Server(tmp_path / "data", ("--validation-memory-mb", "100"))
    server.start()
    try:
        assert server.process is not None
        server.upload(SAMPLE)  # the server's own size after a first upload
        before = _rss_kb(server.process.pid)
        for _ in range(3):
            refused = server.upload(stray)
            assert refused["upload_id"] is None, server.said()
            assert [e["message"] for e in refused["validation"]["errors"]] == [
                "reading it needs more memory than this server gives one workbook "
                "(100 MB). Look for cells far below or right of the tables (press "
                "Ctrl+End in Excel on each sheet), delete those rows or columns, "
                "then upload it again"
            ], server.said()
        after = _rss_kb(server.process.pid)
        assert after - before < 20_000, (before, after)  # KB
        assert server.upload(SAMPLE)["validation"]["valid"] is True
        assert list((server.data / "uploads").iterdir()) != []
    finally:
        server.stop()


def test_tls_from_the_command_line(tmp_path: Path) -> None:
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    data = tmp_path / "data"
    add_user(Storage(data), "bob", "planner", PASSWORD)
    server = Server(data, ("--certfile", str(cert), "--keyfile", str(key)), ca=cert)
    server.start()
    try:
        body = f'{{"name": "bob", "password": "{PASSWORD}"}}'.encode()
        with server.open(
            "/api/session", body, **{"Content-Type": "application/json"}
        ) as answer:
            cookie = answer.headers["set-cookie"].lower()
        assert "secure" in cookie and "httponly" in cookie
        plain = server.url.replace("https://", "http://")
        with pytest.raises(OSError):
            urllib_get(plain + "/api/info")
    finally:
        server.stop()


def urllib_get(url: str) -> None:
    import urllib.request

    with urllib.request.urlopen(url, timeout=5):
        pass
