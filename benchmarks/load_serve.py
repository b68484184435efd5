"""A planning cell's load on ``planner serve``: ten officers at once, on loopback.

Starts the real server (its own data folder, ``--max-solves`` as given) with
ten planner accounts, then ten simulated users in threads, each with a
personal API token. Each user repeats, at most ``--rounds`` times and until
``--minutes`` have passed (bounded loops: it stops by itself):

    upload the sample workbook -> start a solve -> watch its event stream
    until it ends -> download schedule.xlsx -> read the history

and records each request's response time and each run's queue wait (from
asked to started). A sampler reads the server's memory (its own RSS, and
its workers') twice a second. Prints a Markdown summary for RESULTS.md.

    PYTHONPATH=. python benchmarks/load_serve.py --users 10 --rounds 4 \\
        --minutes 4 --max-solves 2

Traffic goes only to 127.0.0.1.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "instances" / "sample.xlsx"
PASSWORD = "load-test password"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1]
            except OSError:
                continue
            if int(stat.split()[1]) == pid:
                found.append(int(entry))
    return found


class User:
    """One officer with a personal API token."""

    def __init__(self, base: str, token: str, timings: dict[str, list[float]]):
        self.base, self.token, self.timings = base, token, timings

    def call(
        self,
        what: str,
        path: str,
        body: bytes | None = None,
        content: str = "application/json",
    ) -> bytes:
        request = urllib.request.Request(
            self.base + path,
            data=body,
            headers={"Authorization": f"Bearer {self.token}", "Content-Type": content},
        )
        began = time.perf_counter()
        with urllib.request.urlopen(request, timeout=600) as answer:
            data = answer.read()
        self.timings[what].append(time.perf_counter() - began)
        return data

    def upload(self) -> str:
        boundary = "load-boundary"
        body = (
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
                'filename="sample.xlsx"\r\n\r\n'
            ).encode()
            + SAMPLE.read_bytes()
            + f"\r\n--{boundary}--\r\n".encode()
        )
        answer = self.call(
            "upload", "/api/uploads", body, f"multipart/form-data; boundary={boundary}"
        )
        return str(json.loads(answer)["upload_id"])

    def watch(self, run_id: str) -> dict:
        """Follow the event stream to the end; the last snapshot."""
        request = urllib.request.Request(
            f"{self.base}/api/runs/{run_id}/events",
            headers={"Authorization": f"Bearer {self.token}"},
        )
        last: dict = {}
        with urllib.request.urlopen(request, timeout=900) as stream:
            for line in stream:
                if line.startswith(b"data: "):
                    last = json.loads(line[6:])
        return last

    def round(self, time_limit: float) -> float:
        """One round; the run's queue wait in seconds."""
        upload_id = self.upload()
        body = json.dumps(
            {
                "upload_id": upload_id,
                "workers": 1,
                "time_limit_s": time_limit,
                "explain_all": False,
            }
        ).encode()
        run = json.loads(self.call("start a run", "/api/runs", body))
        began = time.perf_counter()
        last = self.watch(run["id"])
        self.timings["watch to the end"].append(time.perf_counter() - began)
        assert last["state"] == "done", last
        self.call(
            "download schedule.xlsx", f"/api/runs/{run['id']}/files/schedule.xlsx"
        )
        self.call("read the history", "/api/runs")
        asked = dt.datetime.fromisoformat(last["created"])
        started = dt.datetime.fromisoformat(last["started"])
        return (started - asked).total_seconds()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--minutes", type=float, default=4)
    parser.add_argument("--max-solves", type=int, default=2)
    parser.add_argument("--time-limit", type=float, default=5)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from planner.serve.accounts import add_user, new_token
    from planner.serve.storage import Storage

    data = Path(tempfile.mkdtemp(prefix="planner-load-")) / "data"
    storage = Storage(data)
    tokens = []
    for number in range(args.users):
        add_user(storage, f"officer{number}", "planner", PASSWORD)
        tokens.append(new_token(storage, f"officer{number}"))
    port = free_port()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "planner",
            "serve",
            "--port",
            str(port),
            "--data",
            str(data),
            "--max-solves",
            str(args.max_solves),
        ],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(base + "/", timeout=2).close()
            break
        except OSError:
            time.sleep(0.3)
    memory: list[tuple[int, int]] = []
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.5):
            workers = sum(rss_kb(child) for child in children(server.pid))
            memory.append((rss_kb(server.pid), workers))

    threading.Thread(target=sample, daemon=True).start()
    timings: dict[str, list[float]] = defaultdict(list)
    waits: list[float] = []
    failures: list[str] = []
    deadline = time.monotonic() + args.minutes * 60

    def officer(token: str) -> None:
        user = User(base, token, timings)
        for _ in range(args.rounds):
            if time.monotonic() > deadline:
                return
            try:
                waits.append(user.round(args.time_limit))
            except Exception as error:  # noted, the others go on
                failures.append(f"{type(error).__name__}: {error}")

    began = time.monotonic()
    threads = [threading.Thread(target=officer, args=(t,)) for t in tokens]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    took = time.monotonic() - began
    done.set()
    server.terminate()
    server.wait(timeout=30)

    def ms(values: list[float], q: float) -> str:
        ordered = sorted(values)
        return f"{1000 * ordered[min(len(ordered) - 1, int(q * len(ordered)))]:,.0f}"

    print(
        f"{args.users} users, {len(waits)} rounds done in {took:.0f} s, "
        f"--max-solves {args.max_solves}, time limit {args.time_limit:g} s; "
        f"{len(failures)} failed{': ' + failures[0] if failures else ''}\n"
    )
    print("| request | n | median ms | p95 ms | max ms |")
    print("|---|---:|---:|---:|---:|")
    for what, values in timings.items():
        print(
            f"| {what} | {len(values)} | {ms(values, 0.5)} | {ms(values, 0.95)} "
            f"| {ms(values, 1.0)} |"
        )
    if waits:
        print(
            "\nQueue wait (asked to started): "
            f"median {statistics.median(waits):.1f} s, "
            f"max {max(waits):.1f} s."
        )
    server_mb = [m[0] / 1024 for m in memory] or [0]
    total_mb = [(m[0] + m[1]) / 1024 for m in memory] or [0]
    print(
        f"Server RSS: first {server_mb[0]:.0f} MB, peak {max(server_mb):.0f} MB, "
        f"last {server_mb[-1]:.0f} MB; with its workers, peak {max(total_mb):.0f} MB."
    )


if __name__ == "__main__":
    main()
