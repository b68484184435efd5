"""Who may do what on ``planner serve``: sign-in, roles, API tokens, the
shared-token shortcut, the audit log; Host and Origin refusals; the headers
every answer carries; the OpenAPI's security scheme and error statuses."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from planner.serve.accounts import add_user, new_token
from planner.serve.app import create_app
from planner.serve.storage import Storage
from tests.serve.conftest import ORIGIN, SAMPLE, browser_like, upload, wait_for

pytestmark = pytest.mark.slow

PASSWORD = "correct horse battery"
TOKEN = "s3cret-token-for-tests"
FAST = {"workers": 1, "time_limit_s": 20, "explain_all": False}
ROLES = {"alice": "admin", "bob": "planner", "carol": "viewer"}


@pytest.fixture
def cell(tmp_path: Path) -> Iterator[TestClient]:
    """A planning cell's server: an admin, a planner and a viewer."""
    storage = Storage(tmp_path / "data")
    for name, role in ROLES.items():
        add_user(storage, name, role, PASSWORD)
    with browser_like(create_app(tmp_path / "data")) as client:
        yield client


def sign_in(client: TestClient, name: str, password: str = PASSWORD) -> int:
    client.cookies.clear()
    response = client.post("/api/session", json={"name": name, "password": password})
    return response.status_code


def actions(client: TestClient) -> list[tuple[str, str]]:
    """The audit log as (who, what), oldest first."""
    sign_in(client, "alice")
    return [(e["user"], e["action"]) for e in reversed(client.get("/api/audit").json())]


# --- signing in ----------------------------------------------------------------------


def test_signing_in_sets_a_session_cookie_and_not_the_password(
    cell: TestClient,
) -> None:
    response = cell.post("/api/session", json={"name": "bob", "password": PASSWORD})
    assert response.status_code == 200
    assert response.json() == {"name": "bob", "role": "planner", "via": "session"}
    cookie = response.headers["set-cookie"].lower()
    assert cookie.startswith("planner_session=")
    assert "httponly" in cookie and "samesite=strict" in cookie
    assert "secure" not in cookie  # plain http on loopback; TLS: test_processes
    assert PASSWORD.lower() not in cookie
    assert cell.get("/api/me").json()["name"] == "bob"
    assert cell.delete("/api/session").status_code == 204
    assert cell.get("/api/me").status_code == 401


@pytest.mark.parametrize(
    "path", ["/api/runs", "/api/info", "/api/me", "/api/audit", "/openapi.json"]
)
def test_without_signing_in_the_api_is_refused(cell: TestClient, path: str) -> None:
    response = cell.get(path)
    assert response.status_code == 401
    assert response.json()["detail"] == (
        "Sign in first (or send your API token as a Bearer)."
    )


def test_the_page_itself_shows_the_sign_in_form(cell: TestClient) -> None:
    page = cell.get("/")
    assert page.status_code == 200
    assert 'data-testid="sign-in-form"' in page.text


def test_a_wrong_password_is_refused_and_written_down(cell: TestClient) -> None:
    assert sign_in(cell, "bob", "wrong password!") == 401
    assert sign_in(cell, "nobody", PASSWORD) == 401
    assert actions(cell)[:3] == [
        ("bob", "sign-in failed"),
        ("nobody", "sign-in failed"),
        ("alice", "sign-in"),
    ]


def test_wrong_passwords_are_rate_limited_per_name(cell: TestClient) -> None:
    for _ in range(5):
        assert sign_in(cell, "bob", "wrong password!") == 401
    response = cell.post("/api/session", json={"name": "bob", "password": PASSWORD})
    assert response.status_code == 429  # even the right one, for a minute
    assert response.headers["retry-after"] == "60"
    assert sign_in(cell, "carol") == 200  # another name is not held up


def test_wrong_tokens_are_rate_limited_per_address(cell: TestClient) -> None:
    codes = [
        cell.get("/api/runs", headers={"Authorization": f"Bearer wrong{i}"}).status_code
        for i in range(11)
    ]
    assert codes == [401] * 10 + [429]


# --- roles ---------------------------------------------------------------------------


def _solved(client: TestClient) -> dict:
    upload_id = upload(client, SAMPLE)["upload_id"]
    run = client.post("/api/runs", json={"upload_id": upload_id, **FAST}).json()
    return wait_for(client, run["id"])


@pytest.mark.parametrize(
    ("name", "allowed"),
    [
        ("carol", {"read"}),
        ("bob", {"read", "upload", "run", "rerun", "cancel", "check a pin", "commit"}),
        (
            "alice",
            {"read", "upload", "run", "rerun", "cancel", "check a pin", "commit"}
            | {"delete", "audit"},
        ),
    ],
)
def test_each_role_may_do_its_own_and_no_more(
    cell: TestClient, name: str, allowed: set[str]
) -> None:
    sign_in(cell, "bob")
    run = _solved(cell)
    other = _solved(cell)
    upload_id = run["upload_id"]
    sign_in(cell, name)
    with SAMPLE.open("rb") as stream:
        sent = cell.post("/api/uploads", files={"file": ("s.xlsx", stream)})
    tried = {
        "read": cell.get(f"/api/runs/{run['id']}").status_code,
        "upload": sent.status_code,
        "run": cell.post(
            "/api/runs", json={"upload_id": upload_id, **FAST}
        ).status_code,
        "rerun": cell.post(f"/api/runs/{run['id']}/rerun", json=FAST).status_code,
        "cancel": cell.post(f"/api/runs/{run['id']}/cancel").status_code,
        "check a pin": cell.post(
            f"/api/runs/{run['id']}/pin-check",
            json={"exercise_id": "CR27", "start": "2027-02-01", "venue_id": "SET"},
        ).status_code,
        "commit": cell.post(
            f"/api/programmes/{other['programme_id']}/commits",
            json={"run_id": other["id"]},
        ).status_code,
        "audit": cell.get("/api/audit").status_code,
        "delete": cell.delete(f"/api/runs/{run['id']}").status_code,
    }
    done = {
        "read": 200,
        "upload": 200,
        "run": 201,
        "rerun": 201,
        "cancel": 409,
        "check a pin": 200,
        "commit": 201,
    }
    expected = {
        what: (
            done.get(what, 200 if what == "audit" else 204) if what in allowed else 403
        )
        for what in tried
    }
    assert tried == expected
    for job in cell.get("/api/runs").json():
        if job["state"] in ("queued", "running"):
            cell.post(f"/api/runs/{job['id']}/cancel")


def test_a_refusal_names_the_role(cell: TestClient) -> None:
    sign_in(cell, "carol")
    response = cell.get("/api/audit")
    assert (
        response.json()["detail"] == "Your role (viewer) may not do this; ask an admin."
    )


def test_runs_show_who_started_them_and_the_audit_log_who_did_what(
    cell: TestClient,
) -> None:
    sign_in(cell, "bob")
    run = _solved(cell)
    assert run["started_by"] == "bob"
    assert cell.get("/api/runs").json()[0]["started_by"] == "bob"
    sign_in(cell, "alice")
    assert cell.delete(f"/api/runs/{run['id']}").status_code == 204
    log = cell.get("/api/audit").json()
    assert [(e["user"], e["action"], e["target"]) for e in reversed(log)] == [
        ("bob", "sign-in", ""),
        ("bob", "upload", run["upload_id"]),
        ("bob", "run", run["id"]),
        ("alice", "sign-in", ""),
        ("alice", "delete run", run["id"]),
    ]
    assert all(e["address"] == "testclient" for e in log)
    assert all(e["at"] for e in log)


def test_an_admin_manages_users_from_the_api(cell: TestClient) -> None:
    sign_in(cell, "alice")
    made = cell.post(
        "/api/users", json={"name": "dave", "role": "viewer", "password": PASSWORD}
    )
    assert made.status_code == 201
    assert [u["name"] for u in cell.get("/api/users").json()] == [
        "alice",
        "bob",
        "carol",
        "dave",
    ]
    short = cell.post(
        "/api/users", json={"name": "eve", "role": "admin", "password": "x"}
    )
    assert short.status_code == 422
    assert cell.delete("/api/users/dave").status_code == 204
    assert sign_in(cell, "dave") == 401
    sign_in(cell, "bob")
    assert cell.get("/api/users").status_code == 403


# --- API tokens and the shortcut -----------------------------------------------------


def test_a_personal_token_opens_the_api_to_a_script(tmp_path: Path) -> None:
    storage = Storage(tmp_path / "data")
    add_user(storage, "bob", "planner", PASSWORD)
    token = new_token(storage, "bob")
    app = create_app(tmp_path / "data")
    with TestClient(app, base_url=ORIGIN) as script:  # no Origin: not a browser
        bearer = {"Authorization": f"Bearer {token}"}
        assert script.get("/api/me", headers=bearer).json() == {
            "name": "bob",
            "role": "planner",
            "via": "token",
        }
        with SAMPLE.open("rb") as stream:
            sent = script.post(
                "/api/uploads", files={"file": ("s.xlsx", stream)}, headers=bearer
            )
        assert sent.status_code == 200
        assert sent.json()["uploaded_by"] == "bob"
        again = new_token(storage, "bob")
        assert script.get("/api/me", headers=bearer).status_code == 401
        renewed = {"Authorization": f"Bearer {again}"}
        assert script.get("/api/me", headers=renewed).status_code == 200


@pytest.fixture
def shortcut(tmp_path: Path) -> Iterator[TestClient]:
    with browser_like(create_app(tmp_path / "data", token=TOKEN)) as client:
        yield client


def test_the_shared_token_signs_the_page_in_once_and_leaves_the_address(
    shortcut: TestClient,
) -> None:
    assert shortcut.get("/api/runs").status_code == 401
    wrong = shortcut.get("/?token=wrong", follow_redirects=False)
    assert wrong.status_code == 401
    response = shortcut.get(f"/?token={TOKEN}", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/"
    cookie = response.headers["set-cookie"]
    assert "httponly" in cookie.lower()
    assert TOKEN not in cookie  # a session id, never the token itself
    assert shortcut.get("/api/me").json() == {
        "name": "local",
        "role": "admin",
        "via": "shared",
    }


def test_the_shared_token_as_a_bearer(shortcut: TestClient) -> None:
    response = shortcut.get("/api/runs", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.json() == []


def test_with_no_users_and_no_token_the_one_person_on_localhost_is_admin(
    client: TestClient,
) -> None:
    assert client.get("/api/me").json() == {
        "name": "local",
        "role": "admin",
        "via": "open",
    }


# --- what no browser may be tricked into ---------------------------------------------


@pytest.mark.parametrize("host", ["evil.example", "evil.example:8000", "10.1.2.3"])
def test_another_host_name_is_refused(client: TestClient, host: str) -> None:
    response = client.get("/api/runs", headers={"Host": host})
    assert response.status_code == 400
    assert response.text == "Invalid host header"


def test_an_allowed_host_name_is_served(tmp_path: Path) -> None:
    app = create_app(
        tmp_path / "data", allowed_hosts=("planner.cell.example", "127.0.0.1")
    )
    with TestClient(app, base_url="http://planner.cell.example") as client:
        assert client.get("/api/info").status_code == 200


@pytest.mark.parametrize(
    "origin", ["http://evil.example", "null", "http://127.0.0.1:9999", None]
)
def test_a_change_from_another_origin_is_refused(
    client: TestClient, origin: str | None
) -> None:
    upload_id = upload(client, SAMPLE)["upload_id"]
    headers = {"Origin": origin} if origin else {}
    client.headers.pop("Origin")
    response = client.post(
        "/api/runs", json={"upload_id": upload_id, **FAST}, headers=headers
    )
    assert response.status_code == 403
    assert response.json()["detail"] == (
        "Refused: a change must come from this server's own page or carry an API token."
    )
    assert client.get("/api/runs").json() == []  # reading needs no Origin


def test_a_cross_site_form_post_is_refused(client: TestClient) -> None:
    response = client.post(
        "/api/runs",
        data={"upload_id": "x"},
        headers={"Origin": "http://evil.example"},
    )
    assert response.status_code == 403


@pytest.mark.parametrize("path", ["/", "/api/info", "/docs", "/static/app.js"])
def test_every_answer_carries_the_security_headers(
    client: TestClient, path: str
) -> None:
    headers = client.get(path).headers
    policy = headers["content-security-policy"]
    assert "script-src 'self';" in policy
    assert "frame-ancestors 'none'" in policy
    assert "default-src 'self'" in policy
    assert headers["x-frame-options"] == "DENY"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "no-referrer"


# --- the API's description -----------------------------------------------------------


def test_the_openapi_declares_its_security_and_every_error(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    schemes = spec["components"]["securitySchemes"]
    assert schemes["API token"] == {
        "type": "http",
        "scheme": "bearer",
        "description": "A personal API token from `planner users token NAME`.",
    }
    assert schemes["Session"]["in"] == "cookie"
    for path, methods in spec["paths"].items():
        for method, operation in methods.items():
            codes = set(operation["responses"])
            assert {"400", "401", "403", "429"} <= codes, (method, path)
            if (method, path) != ("post", "/api/session"):
                assert operation["security"], (method, path)
    runs = spec["paths"]["/api/runs/{run_id}"]["get"]["responses"]
    assert "404" in runs
    assert "409" in spec["paths"]["/api/runs/{run_id}/cancel"]["post"]["responses"]
    assert "413" in spec["paths"]["/api/uploads"]["post"]["responses"]
    run = runs["200"]["content"]["application/json"]["schema"]
    assert run == {"$ref": "#/components/schemas/Run"}
    assert "started_by" in spec["components"]["schemas"]["Run"]["properties"]


def test_unknown_fields_are_refused(client: TestClient) -> None:
    upload_id = upload(client, SAMPLE)["upload_id"]
    response = client.post("/api/runs", json={"upload_id": upload_id, "time_limt_s": 5})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "time_limt_s"]
    assert client.get("/api/runs").json() == []


def test_the_api_documentation_is_served_from_packages(client: TestClient) -> None:
    for page, asset in (
        ("/docs", "/docs-assets/swagger-ui-bundle.js"),
        ("/redoc", "/docs-assets/redoc.standalone.js"),
    ):
        html = client.get(page).text
        assert f'src="{asset}"' in html
        assert "http" not in html.replace('lang="en"', "")
        served = client.get(asset)
        assert served.status_code == 200
        assert len(served.content) > 500_000
