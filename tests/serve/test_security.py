"""The access token: absent, wrong and right, on the page and the API."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from planner.cli import main
from planner.serve.app import create_app

TOKEN = "s3cret-token-for-tests"


@pytest.fixture
def guarded(tmp_path: Path):
    with TestClient(create_app(tmp_path / "data", token=TOKEN)) as client:
        yield client


@pytest.mark.parametrize("path", ["/api/runs", "/api/info", "/openapi.json", "/"])
def test_without_a_token_everything_is_refused(guarded: TestClient, path: str) -> None:
    response = guarded.get(path)
    assert response.status_code == 401
    assert TOKEN not in response.text


@pytest.mark.parametrize(
    "headers",
    [{"X-Planner-Token": "wrong"}, {"Authorization": "Bearer wrong"}, {}],
)
def test_a_wrong_token_is_refused(guarded: TestClient, headers: dict) -> None:
    response = guarded.get("/api/runs", headers=headers)
    assert response.status_code == 401
    assert response.json() == {"detail": "The access token is missing or wrong."}


@pytest.mark.parametrize(
    "headers", [{"X-Planner-Token": TOKEN}, {"Authorization": f"Bearer {TOKEN}"}]
)
def test_the_right_token_opens_the_api(guarded: TestClient, headers: dict) -> None:
    assert guarded.get("/api/runs", headers=headers).json() == []


def test_the_page_logs_in_once_and_the_token_leaves_the_address(
    guarded: TestClient,
) -> None:
    wrong = guarded.get("/?token=wrong", follow_redirects=False)
    assert wrong.status_code == 401
    response = guarded.get(f"/?token={TOKEN}", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/"
    assert "httponly" in response.headers["set-cookie"].lower()
    assert guarded.get("/").status_code == 200  # the cookie now carries it
    assert guarded.get("/api/runs").status_code == 200


def test_serve_refuses_another_address_without_a_token(monkeypatch) -> None:
    monkeypatch.delenv("PLANNER_TOKEN", raising=False)
    result = CliRunner().invoke(main, ["serve", "--host", "0.0.0.0"])
    assert result.exit_code == 2
    assert "give an access token with --token or PLANNER_TOKEN" in result.output


def test_serve_never_prints_the_token(monkeypatch, tmp_path: Path) -> None:
    started = []
    monkeypatch.setattr("uvicorn.run", lambda app, **kw: started.append(kw))
    monkeypatch.setenv("PLANNER_TOKEN", TOKEN)
    result = CliRunner().invoke(
        main, ["serve", "--host", "0.0.0.0", "--data", str(tmp_path / "d")]
    )
    assert result.exit_code == 0, result.output
    assert TOKEN not in result.output
    assert "?token=<your token>" in result.output
    assert started == [
        {"host": "0.0.0.0", "port": 8000, "access_log": False, "log_level": "warning"}
    ]
