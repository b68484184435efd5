"""``planner users`` and what ``planner serve`` refuses before serving."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from click.testing import CliRunner

from planner.app.verdict import Verdict
from planner.cli import main
from planner.serve.accounts import digest, signed_in
from planner.serve.storage import Storage

PASSWORD = "correct horse battery"


def users(data: Path, *args: str, password: str | None = None) -> object:
    return CliRunner().invoke(
        main, ["users", *args, "--data", str(data)], input=password
    )


@pytest.mark.slow
def test_users_are_added_listed_changed_and_removed(tmp_path: Path) -> None:
    data = tmp_path / "data"
    added = users(data, "add", "anna.k", "--role", "planner", password=PASSWORD + "\n")
    assert added.exit_code == 0, added.output
    assert "User anna.k added (planner)." in added.output
    storage = Storage(data)
    assert signed_in(storage, "anna.k", PASSWORD) is not None
    assert PASSWORD not in (data / "planner.sqlite3").read_bytes().decode("latin-1")

    listed = users(data, "list")
    assert "anna.k" in listed.output and "planner" in listed.output

    token = users(data, "token", "anna.k")
    assert token.exit_code == 0
    printed = token.output.strip()
    assert printed.startswith("pln_") and len(printed) > 40
    assert storage.user_of_token(digest(printed)).name == "anna.k"

    changed = users(data, "passwd", "anna.k", password="another long one\n")
    assert changed.exit_code == 0
    assert signed_in(storage, "anna.k", PASSWORD) is None
    assert signed_in(storage, "anna.k", "another long one") is not None

    assert users(data, "remove", "anna.k").exit_code == 0
    assert storage.users() == []
    log = [(e.user, e.action, e.target) for e in reversed(storage.audit_log())]
    assert log == [
        ("command line", "add user", "anna.k"),
        ("command line", "new API token", "anna.k"),
        ("command line", "set password", "anna.k"),
        ("command line", "remove user", "anna.k"),
    ]


@pytest.mark.parametrize(
    ("args", "password", "message"),
    [
        (["add", "bob", "--role", "admin"], "short\n", "The password is too short"),
        (["add", "../bob", "--role", "admin"], PASSWORD + "\n", "is not a user name"),
        (["passwd", "nobody"], PASSWORD + "\n", 'There is no user "nobody".'),
        (["remove", "nobody"], None, 'There is no user "nobody".'),
        (["token", "nobody"], None, 'There is no user "nobody".'),
    ],
)
def test_users_refusals_are_one_line_and_exit_2(
    tmp_path: Path, args: list[str], password: str | None, message: str
) -> None:
    result = users(tmp_path / "data", *args, password=password)
    assert result.exit_code == Verdict.INVALID.exit_code
    assert message in result.output
    assert "Traceback" not in result.output


def test_a_taken_name_is_refused(tmp_path: Path) -> None:
    users(tmp_path / "d", "add", "bob", "--role", "viewer", password=PASSWORD + "\n")
    again = users(tmp_path / "d", "add", "bob", "--role", "admin", password=PASSWORD)
    assert again.exit_code == Verdict.INVALID.exit_code
    assert 'There is already a user "bob".' in again.output


# --- serve's checks ----------------------------------------------------------------


@pytest.fixture
def started(monkeypatch) -> list[object]:
    """Servers that would have run (none does)."""
    ran: list[object] = []
    monkeypatch.setattr(
        "planner.serve.launch.Prepared.run", lambda self: ran.append(self) or "stopped"
    )
    monkeypatch.delenv("PLANNER_TOKEN", raising=False)
    return ran


def serve(*args: str, env: dict[str, str] | None = None) -> object:
    return CliRunner().invoke(main, ["serve", *args], env=env)


def test_another_address_needs_users(tmp_path: Path, started: list) -> None:
    result = serve("--host", "0.0.0.0", "--data", str(tmp_path / "d"), "--insecure")
    assert result.exit_code == Verdict.INVALID.exit_code
    assert "no one could sign in: add a user first" in result.output
    assert started == []


def test_another_address_needs_tls_or_insecure(tmp_path: Path, started: list) -> None:
    data = tmp_path / "d"
    users(data, "add", "bob", "--role", "admin", password=PASSWORD + "\n")
    refused = serve("--host", "0.0.0.0", "--port", "0", "--data", str(data))
    assert refused.exit_code == Verdict.INVALID.exit_code
    assert "without TLS would send passwords and plans in clear" in refused.output
    allowed = serve(
        "--host", "0.0.0.0", "--port", "0", "--data", str(data), "--insecure"
    )
    assert allowed.exit_code == 0, allowed.output
    assert "WARNING: planner serve on 0.0.0.0 WITHOUT TLS (--insecure)" in (
        allowed.output
    )
    assert len(started) == 1


def test_the_shared_token_is_for_localhost_and_long(
    tmp_path: Path, started: list
) -> None:
    data = str(tmp_path / "d")
    users(tmp_path / "d", "add", "bob", "--role", "admin", password=PASSWORD + "\n")
    away = serve("--host", "0.0.0.0", "--data", data, env={"PLANNER_TOKEN": "x" * 20})
    assert away.exit_code == Verdict.INVALID.exit_code
    assert "The shared token is a shortcut for one person on localhost" in away.output
    short = serve("--data", data, env={"PLANNER_TOKEN": "a"})
    assert short.exit_code == Verdict.INVALID.exit_code
    assert "The shared token is too short" in short.output
    token = "s3cret-token-for-tests"
    ok = serve("--data", data, "--port", "0", env={"PLANNER_TOKEN": token})
    assert ok.exit_code == 0, ok.output
    assert token not in ok.output
    assert "/?token=<your token>" in ok.output


def test_tls_files_that_do_not_work_are_one_line(tmp_path: Path, started: list) -> None:
    bad = tmp_path / "cert.pem"
    bad.write_text("not a certificate")
    result = serve(
        "--data", str(tmp_path / "d"), "--certfile", str(bad), "--keyfile", str(bad)
    )
    assert result.exit_code == Verdict.INVALID.exit_code
    assert result.output.startswith(f"Cannot use {bad} and {bad} for TLS")
    half = serve("--data", str(tmp_path / "d"), "--certfile", str(bad))
    assert "Give both --certfile and --keyfile for TLS, or neither." in half.output


def test_a_busy_port_is_one_line_and_its_own_exit_code(
    tmp_path: Path, started: list
) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = serve("--port", str(port), "--data", str(tmp_path / "d"))
    assert result.exit_code == Verdict.PORT_IN_USE.exit_code == 8
    assert result.output == (
        f"Port {port} on 127.0.0.1 is already in use (another planner serve?): stop "
        "that program, or choose another port with --port.\n"
    )
    assert "open http" not in result.output


def test_one_server_per_data_folder(tmp_path: Path, started: list) -> None:
    from planner.serve.launch import _locked

    (tmp_path / "d").mkdir()
    held = _locked(tmp_path / "d")
    result = serve("--port", "0", "--data", str(tmp_path / "d"))
    held.close()
    assert result.exit_code == Verdict.INVALID.exit_code
    assert f"Another planner serve uses {tmp_path / 'd'}" in result.output
