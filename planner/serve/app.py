"""The web page and JSON API of ``planner serve``: parse, check who asks,
call the app layer, present. Every route the page uses is under /api,
described by the OpenAPI at /docs (Swagger UI) and /redoc, both served from
installed packages, never a CDN."""

import asyncio
import hashlib
import io
import json
import shutil
import tempfile
import threading
import zipfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib.resources import files
from pathlib import Path, PurePosixPath
from typing import Annotated, Any

from fastapi import Depends, FastAPI, HTTPException, Query, Request, UploadFile
from fastapi.openapi.utils import get_openapi
from fastapi.responses import FileResponse, HTMLResponse, StreamingResponse
from fastapi.staticfiles import StaticFiles
from starlette.background import BackgroundTask
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from planner import __version__
from planner.app.compare import compare_results
from planner.app.validate import write_template_file
from planner.domain import EngineChoice
from planner.report import ResultError
from planner.serve import questions, schemas
from planner.serve.accounts import (
    ADMIN,
    PLANNER,
    VIEWER,
    AccountError,
    add_user,
    remove_user,
    signed_in,
)
from planner.serve.jobs import VIEW_NAME
from planner.serve.present import comparison_json
from planner.serve.retention import Keeper, Policy
from planner.serve.security import (
    COOKIE,
    Gate,
    Guard,
    Principal,
    client_address,
    set_session_cookie,
)
from planner.serve.storage import (
    FINAL,
    Storage,
    Upload,
    new_id,
    valid_id,
)
from planner.serve.uploads import Unanswered, Validator
from planner.serve.workers import SOLVE, STUDY, SWEEP, WHATIF, RunPool

STATIC = Path(str(files("planner.serve") / "static"))
DOCS_ASSETS = Path(str(files("fastapi_offline") / "static"))
DEFAULT_UPLOAD_MB = 20
EVENT_INTERVAL_S = 0.5  # the page hears from a running solve twice a second
CHUNK = 1024 * 1024
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# What a run writes, by suffix: workbooks, JSON, the brief and the calendars.
MEDIA_TYPES = {
    ".xlsx": XLSX,
    ".json": "application/json",
    ".pdf": "application/pdf",
    ".html": "text/html; charset=utf-8",
    ".ics": "text/calendar; charset=utf-8",
}
NAME_LENGTH = 120
TOKEN_REFUSED_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>planner: token refused</title></head><body><h1>That access token is
wrong</h1><p>Open the address you were given, or ask whoever started
<code>planner serve</code>.</p></body></html>"""


def errors(*codes: int) -> dict[int | str, dict[str, Any]]:
    """The error answers a route may give, for the OpenAPI: every error is
    ``{"detail": "..."}``, in words for the user."""
    said = {
        400: "The Host header is not one of this server's names.",
        401: "Not signed in, or the API token is wrong.",
        403: "The role may not do this, or a change came from another site.",
        404: "No such upload, run, programme, pin or file.",
        409: "The run has already finished, or is the committed plan.",
        410: "The workbook of this run is no longer kept.",
        413: "The file is larger than this server accepts.",
        422: "The request is not valid (an unknown field, a value out of range, "
        "a workbook with errors).",
        429: "Too many failed sign-ins from this address or for this name.",
        503: "The question took more time or memory than the server gives one.",
    }
    return {
        code: {"model": schemas.Error, "description": said[code]}
        for code in (400, 401, 403, 429, *codes)
    }


def create_app(
    data: Path,
    token: str | None = None,
    max_solves: int = 1,
    max_upload_bytes: int = DEFAULT_UPLOAD_MB * 1024 * 1024,
    engine: EngineChoice = EngineChoice(),  # noqa: B008 - frozen, never mutated
    allowed_hosts: tuple[str, ...] = ("127.0.0.1", "localhost", "[::1]"),
    validator: Validator | None = None,
    retention: Policy = Policy(),  # noqa: B008 - frozen, never mutated
) -> FastAPI:
    """The server over the data folder ``data``. ``token``: the shared token
    of the one-person shortcut on localhost (None: none). Every run goes to
    ``engine`` (the CLI's --engine, --address); names a browser may use for
    the server are ``allowed_hosts``."""
    storage = Storage(data)
    pool = RunPool(storage, max_solves, engine)
    keeper = Keeper(storage, retention)
    validation = validator or Validator()
    gate = Gate(storage, token)
    closing = threading.Event()  # set when the server begins to stop
    viewer = Annotated[Principal, Depends(gate.needs(VIEWER))]
    planner = Annotated[Principal, Depends(gate.needs(PLANNER))]
    admin = Annotated[Principal, Depends(gate.needs(ADMIN))]

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        pool.start()
        keeper.start()
        try:
            yield
        finally:
            closing.set()
            keeper.stop()
            app.state.stopped_runs = pool.stop()
            for run_id in app.state.stopped_runs:
                storage.audit("server", "stopped run", run_id, "the server stopped")

    app = FastAPI(
        title="planner",
        version=__version__,
        description="Plan a programme of multinational exercises from an Excel "
        "workbook: upload, validate, solve, compare, keep every run. Sign in "
        "on the page, or send a personal API token (`planner users token "
        "NAME`) as `Authorization: Bearer ...`.",
        lifespan=lifespan,
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
    )
    app.state.storage, app.state.pool, app.state.closing = storage, pool, closing

    def audit(
        who: Principal,
        request: Request,
        action: str,
        target: str = "",
        detail: str = "",
    ) -> None:
        storage.audit(who.name, action, target, detail, client_address(request))

    def found_run(run_id: str) -> dict[str, Any]:
        run = pool.snapshot(run_id) if valid_id(run_id) else None
        if run is None:
            raise HTTPException(404, f"No run {run_id}.")
        return run

    def found_plan(run_id: str) -> dict[str, Any]:
        """A run to ask about its plan: 404 when unknown, 422 when it is not
        a finished solve that found one."""
        run = found_run(run_id)
        _plan_of(run, run["programme_id"])
        return run

    def found_upload(upload_id: str) -> Upload:
        record = storage.upload(upload_id) if valid_id(upload_id) else None
        if record is None:
            raise HTTPException(404, f"No upload {upload_id}.")
        return record

    def kept_workbook(run: dict[str, Any]) -> Upload:
        """The workbook a run planned, to plan it again: 410 once retention
        has removed it."""
        record = storage.upload(run["upload_id"])
        if record is None:
            raise HTTPException(410, "The workbook of this run is no longer kept.")
        return record

    # the page, its files and the API's documentation -------------------------

    @app.get("/", include_in_schema=False)
    def page(request: Request, token: str | None = None) -> Response:
        """The page; ``?token=`` signs in with the shared token, once."""
        if token is None:
            return FileResponse(STATIC / "index.html")
        address = client_address(request)
        gate.throttled(address)
        if not gate.right_shared_token(token):
            gate.failed(address, None, "a wrong shared token")
            return HTMLResponse(TOKEN_REFUSED_PAGE, 401)
        session, expires = gate.open_session(None)
        storage.audit("local", "sign-in", detail="shared token", address=address)
        response = RedirectResponse("/", status_code=303)
        set_session_cookie(response, request, session, expires)
        return response

    @app.get("/static/plotly.min.js", include_in_schema=False)
    def plotly_js() -> FileResponse:
        """Plotly's browser bundle, from the installed plotly package (no CDN)."""
        return FileResponse(
            Path(str(files("plotly") / "package_data" / "plotly.min.js")),
            media_type="text/javascript",
        )

    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.mount("/docs-assets", StaticFiles(directory=DOCS_ASSETS), name="docs-assets")

    @app.get("/docs", include_in_schema=False)
    def swagger() -> FileResponse:
        return FileResponse(STATIC / "docs.html")

    @app.get("/redoc", include_in_schema=False)
    def redoc() -> FileResponse:
        return FileResponse(STATIC / "redoc.html")

    @app.get("/openapi.json", include_in_schema=False)
    def openapi(_: viewer) -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=app.routes,
            )
        return app.openapi_schema

    # who is asking -------------------------------------------------------------

    @app.post("/api/session", response_model=schemas.Me, responses=errors())
    def sign_in(body: schemas.SignIn, request: Request) -> JSONResponse:
        """Sign in with a name and password: the answer sets the session cookie."""
        address = client_address(request)
        gate.throttled(address, body.name)
        user = signed_in(storage, body.name, body.password)
        if user is None:
            gate.failed(address, body.name, "a wrong name or password")
            raise HTTPException(401, "The name or the password is wrong.")
        session, expires = gate.open_session(user)
        storage.audit(user.name, "sign-in", address=address)
        response = JSONResponse(
            {"name": user.name, "role": user.role, "via": "session"}
        )
        set_session_cookie(response, request, session, expires)
        return response

    @app.delete("/api/session", status_code=204, responses=errors())
    def sign_out(who: viewer, request: Request) -> Response:
        """Sign out: the session cookie stops working."""
        session = request.cookies.get(COOKIE)
        if session:
            gate.end_session(session)
        audit(who, request, "sign-out")
        response = Response(status_code=204)
        response.delete_cookie(COOKIE)
        return response

    @app.get("/api/me", response_model=schemas.Me, responses=errors())
    def me(who: viewer) -> dict[str, Any]:
        """Who the request acts for, and their role."""
        return who.__dict__

    # reading -------------------------------------------------------------------

    @app.get("/api/info", response_model=schemas.Info, responses=errors())
    def info(_: viewer) -> dict[str, Any]:
        """The server's limits."""
        return {
            "version": __version__,
            "max_solves": pool.limit,
            "max_upload_bytes": max_upload_bytes,
            "max_validations": validation.at_once,
            "engine": engine.name,
            "keep_days": retention.keep_days,
            "keep_gb": None
            if retention.keep_bytes is None
            else retention.keep_bytes / 1024**3,
        }

    @app.get(
        "/api/template",
        response_class=FileResponse,
        responses={200: {"content": {XLSX: {}}}, **errors()},
    )
    def template(_: viewer, example: bool = False) -> FileResponse:
        """The blank input workbook, or the filled-in example programme."""
        name = "planner-example.xlsx" if example else "planner-template.xlsx"
        path = storage.root / "templates" / name
        if not path.exists():
            path.parent.mkdir(exist_ok=True)
            write_template_file(path, example=example)
        return FileResponse(path, media_type=XLSX, filename=name)

    @app.get(
        "/api/uploads/{upload_id}", response_model=schemas.Upload, responses=errors(404)
    )
    def uploaded(
        upload_id: str, _: viewer, scenario: str | None = None
    ) -> dict[str, Any]:
        """An upload and its findings (with ``scenario`` applied, if given)."""
        record = found_upload(upload_id)
        data = record.__dict__.copy()
        if scenario:
            data["validation"] = validation.validate(
                storage.upload_path(upload_id), record.file_name, scenario
            )
        return _upload_json(data)

    @app.get("/api/runs", response_model=list[schemas.Run], responses=errors())
    def runs(_: viewer, programme: str | None = None) -> list[dict[str, Any]]:
        """Every run kept (of one ``programme``, if given), newest first."""
        return [
            found_run(run["id"])
            for run in reversed(storage.runs())
            if programme is None or run["programme_id"] == programme
        ]

    @app.get("/api/runs/{run_id}", response_model=schemas.Run, responses=errors(404))
    def run(run_id: str, _: viewer) -> dict[str, Any]:
        """A run: state, figures, live progress while it runs, who started it."""
        return found_run(run_id)

    @app.get(
        "/api/runs/{run_id}/events",
        response_class=StreamingResponse,
        responses={200: {"content": {"text/event-stream": {}}}, **errors(404)},
    )
    async def events(run_id: str, request: Request, _: viewer) -> StreamingResponse:
        """Server-sent events: the run as ``GET /api/runs/{id}`` shows it,
        twice a second, until it has finished (or the server stops)."""
        found_run(run_id)

        async def stream() -> AsyncIterator[str]:
            while not closing.is_set() and not await request.is_disconnected():
                snapshot = await asyncio.to_thread(pool.snapshot, run_id)
                if snapshot is None:
                    return
                yield f"data: {json.dumps(snapshot)}\n\n"
                if snapshot["state"] in FINAL:
                    return
                await asyncio.sleep(EVENT_INTERVAL_S)

        return StreamingResponse(
            stream(),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-store"},
        )

    @app.get("/api/runs/{run_id}/result", responses=errors(404))
    def result(run_id: str, _: viewer) -> dict[str, Any]:
        """What the result page draws: calendar, figures, goals, spend, reasons
        (``kind`` says which of solve, whatif, sweep or study)."""
        found_run(run_id)
        path = storage.run_folder(run_id) / VIEW_NAME
        if not path.is_file():
            raise HTTPException(404, "This run has no result yet.")
        view: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        return view

    @app.get(
        "/api/runs/{run_id}/files/{name:path}",
        response_class=FileResponse,
        responses=errors(404),
    )
    def download(run_id: str, name: str, _: viewer) -> FileResponse:
        """One file the run wrote (schedule.xlsx, schedule.json, ...)."""
        found = found_run(run_id)
        if name not in (found["files"] or []):
            raise HTTPException(404, f"Run {run_id} wrote no {name}.")
        path = storage.run_folder(run_id) / name
        stem = Path(found["file_name"]).stem
        label = found["scenario"] or (
            found["kind"] if found["kind"] != SOLVE else "base"
        )
        download_name = f"{stem}-{label}-{name.replace('/', '-')}"
        media = MEDIA_TYPES.get(Path(name).suffix, "application/octet-stream")
        return FileResponse(path, media_type=media, filename=download_name)

    @app.post("/api/compare", response_model=schemas.Comparison, responses=errors(404))
    def compare(request: schemas.CompareRequest, _: viewer) -> dict[str, Any]:
        """Two or more solve runs side by side, as ``planner compare``."""
        folders, labels = [], []
        for run_id in request.runs:
            found = found_run(run_id)
            if found["kind"] != SOLVE or found["state"] not in FINAL:
                raise HTTPException(
                    422,
                    f"Run {run_id} is not a finished solve; compare finished solves.",
                )
            folders.append(storage.run_folder(run_id))
            labels.append(run_label(found))
        try:
            report = compare_results(folders, _unique(labels))
        except ResultError as error:
            raise HTTPException(422, str(error)) from error
        return comparison_json(report)

    # planning ------------------------------------------------------------------

    @app.post("/api/uploads", response_model=schemas.Upload, responses=errors(413))
    def upload(file: UploadFile, who: planner, request: Request) -> dict[str, Any]:
        """Say what validate finds in an .xlsx, by sheet and cell; a valid
        workbook is kept for runs, one with errors is not kept at all."""
        upload_id = new_id()
        path = storage.upload_path(upload_id)
        path.parent.mkdir()
        try:
            digest, size = _saved(file, path, max_upload_bytes)
        except HTTPException:
            shutil.rmtree(path.parent, ignore_errors=True)
            raise
        name = PurePosixPath((file.filename or "").replace("\\", "/")).name
        name = name[:NAME_LENGTH] or "workbook.xlsx"
        found = validation.validate(path, name)
        if not found["valid"]:
            shutil.rmtree(path.parent, ignore_errors=True)
            audit(
                who, request, "upload refused", name, f"{len(found['errors'])} errors"
            )
            return _upload_json(
                {
                    "id": None,
                    "created": "",
                    "file_name": name,
                    "sha256": digest,
                    "size": size,
                    "uploaded_by": who.name,
                    "validation": found,
                }
            )
        record = storage.add_upload(upload_id, name, digest, size, found, who.name)
        audit(who, request, "upload", upload_id, name)
        return _upload_json(record.__dict__)

    @app.post(
        "/api/runs", status_code=201, response_model=schemas.Run, responses=errors(404)
    )
    def submit(
        body: schemas.RunRequest, who: planner, request: Request
    ) -> dict[str, Any]:
        """Queue a solve of an upload (the base or a scenario), a what-if run
        of the base and every scenario, a sweep, or a robustness study."""
        record = found_upload(body.upload_id)
        if not record.validation["valid"]:
            raise HTTPException(422, "The workbook has errors; correct them first.")
        if body.whatif and not record.validation["scenarios"]:
            raise HTTPException(
                422, "The workbook has no scenarios: what-if needs a Scenarios sheet."
            )
        kinds = [
            kind
            for kind, asked in (
                (WHATIF, body.whatif),
                (SWEEP, body.sweep),
                (STUDY, body.study),
            )
            if asked
        ]
        if len(kinds) > 1:
            raise HTTPException(422, "Ask for one of whatif, sweep or study at a time.")
        kind = kinds[0] if kinds else SOLVE
        options = body.model_dump(
            mode="json", exclude={"upload_id", "scenario", "whatif", "pins"}
        )
        if kind != SOLVE:
            options["engine"] = {"name": engine.name, "address": engine.address}
        if body.study is not None:
            _committable(found_run(body.study.committed_run), record.sha256)
        if body.against is not None:
            if kind != SOLVE:
                raise HTTPException(422, "Only a solve is re-planned against a plan.")
            _plan_of(found_run(body.against), record.programme_id)
        elif body.freeze_before is not None:
            raise HTTPException(422, "A freeze date needs a plan to re-plan against.")
        if body.pins:
            record, _ = pinned_upload(record, who, request)
        scenario = body.scenario if kind == SOLVE else None
        run = storage.add_run(record, kind, scenario, options, who.name)
        audit(who, request, "run", run["id"], f"{kind} of {record.file_name}")
        return found_run(run["id"])

    def pinned_upload(
        record: Upload, who: Principal, request: Request
    ) -> tuple[Upload, list[dict[str, Any]]]:
        """``record`` with its programme's pins filled in, kept as an upload
        of its own (``record`` itself when no pin is in force), and the pins
        it has no exercise for."""
        pins = [pin.value() for pin in storage.pins(record.programme_id)]
        if not pins:
            return record, []
        upload_id = new_id()
        target = storage.upload_path(upload_id)
        target.parent.mkdir()
        written = ask(
            questions.pinned_workbook,
            storage.upload_path(record.id),
            pins,
            target,
            record.file_name,
        )
        validation = written["validation"]
        if validation is None or not validation["valid"]:
            shutil.rmtree(target.parent, ignore_errors=True)
            why = written["output_error"] or "the workbook with the pins has errors"
            raise HTTPException(422, f"The pins could not be written: {why}.")
        kept = storage.add_upload(
            upload_id,
            record.file_name,
            written["sha256"],
            written["size"],
            validation,
            who.name,
            [pin for pin in pins if not _pin_missing(pin, written["findings"])],
        )
        audit(who, request, "upload", upload_id, f"{record.file_name} with pins")
        return kept, written["findings"]

    def ask(question: Any, *args: object) -> dict[str, Any]:
        """A question answered in a capped process; 503 past its caps."""
        try:
            return validation.ask(question, *args)
        except Unanswered as error:
            raise HTTPException(503, str(error)) from error

    @app.post(
        "/api/runs/{run_id}/cancel",
        response_model=schemas.Run,
        responses=errors(404, 409),
    )
    def cancel(run_id: str, who: planner, request: Request) -> dict[str, Any]:
        """Stop a run: the search stops and the best plan found is kept."""
        found_run(run_id)
        if not pool.cancel(run_id):
            raise HTTPException(409, "This run has already finished.")
        audit(who, request, "cancel", run_id)
        return found_run(run_id)

    @app.post(
        "/api/runs/{run_id}/rerun",
        status_code=201,
        response_model=schemas.Run,
        responses=errors(404, 410),
    )
    def rerun(
        run_id: str, body: schemas.RerunRequest, who: planner, request: Request
    ) -> dict[str, Any]:
        """The same workbook again, with other search options (or, for a
        solve, another scenario); a sweep or study keeps what it varies."""
        found = found_run(run_id)
        record = kept_workbook(found)
        options = {**found["options"], **body.model_dump(exclude={"scenario"})}
        if SWEEP in options or STUDY in options or found["kind"] == WHATIF:
            options["engine"] = {"name": engine.name, "address": engine.address}
        if found["kind"] == STUDY:
            _committable(found_run(options[STUDY]["committed_run"]), record.sha256)
        scenario = body.scenario if found["kind"] == SOLVE else None
        again = storage.add_run(record, found["kind"], scenario, options, who.name)
        audit(who, request, "rerun", again["id"], f"again of {run_id}")
        return found_run(again["id"])

    @app.get(
        "/api/runs/{run_id}/calendars.zip",
        response_class=StreamingResponse,
        responses={200: {"content": {"application/zip": {}}}, **errors(404)},
    )
    def calendars_zip(run_id: str, _: viewer) -> StreamingResponse:
        """Every calendar the run wrote (the programme's, each partner's and
        each venue's), in one zip."""
        found = found_run(run_id)
        names = [n for n in found["files"] or [] if n.endswith(".ics")]
        if not names:
            raise HTTPException(404, f"Run {run_id} wrote no calendars.")
        packed = io.BytesIO()
        with zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED) as archive:
            for name in names:
                archive.write(storage.run_folder(run_id) / name, name)
        stem = Path(found["file_name"]).stem
        return StreamingResponse(
            iter([packed.getvalue()]),
            media_type="application/zip",
            headers={
                "Content-Disposition": f'attachment; filename="{stem}-calendars.zip"'
            },
        )

    @app.get(
        "/api/uploads/{upload_id}/workbook",
        response_class=FileResponse,
        responses={200: {"content": {XLSX: {}}}, **errors(404)},
    )
    def upload_workbook(upload_id: str, _: viewer) -> FileResponse:
        """The workbook as kept: as uploaded, or with the pins filled in."""
        record = found_upload(upload_id)
        stem = Path(record.file_name).stem
        name = f"{stem}-with-pins.xlsx" if record.pins else f"{stem}.xlsx"
        return FileResponse(
            storage.upload_path(upload_id), media_type=XLSX, filename=name
        )

    @app.post(
        "/api/runs/{run_id}/suggest",
        response_model=schemas.Suggestions,
        responses=errors(404, 503),
    )
    def suggest(
        run_id: str, body: schemas.SuggestRequest, _: planner
    ) -> dict[str, Any]:
        """Where else an exercise of the run's plan could go, the rest of the
        plan kept: the best placements and their objective change, as
        ``planner suggest``."""
        found = found_plan(run_id)
        return ask(
            questions.suggestions,
            storage.upload_path(found["upload_id"]),
            storage.run_folder(run_id),
            body.exercise_id,
            body.top,
            found["scenario"],
        )

    @app.post(
        "/api/runs/{run_id}/pin-check",
        response_model=schemas.PinCheck,
        responses=errors(404, 503),
    )
    def pin_check(run_id: str, body: schemas.PinRequest, _: planner) -> dict[str, Any]:
        """Whether an exercise of the run's plan may be pinned at a start and
        a venue: every hard rule checked at once, the broken one named."""
        found = found_plan(run_id)
        return check_a_pin(found, body)

    def check_a_pin(run: dict[str, Any], body: schemas.PinRequest) -> dict[str, Any]:
        return ask(
            questions.pin_check,
            storage.upload_path(run["upload_id"]),
            storage.run_folder(run["id"]),
            {
                "exercise_id": body.exercise_id,
                "start": body.start.isoformat(),
                "venue_id": body.venue_id,
            },
            None if body.freeze_before is None else body.freeze_before.isoformat(),
            run["scenario"],
        )

    # programmes ----------------------------------------------------------------

    def programme_json(programme_id: str, brief: dict[str, Any]) -> dict[str, Any]:
        committed = storage.committed(programme_id)
        return {
            "programme_id": programme_id,
            "title": brief["title"],
            "versions": brief["versions"],
            "updated": brief["updated"],
            "committed": None if committed is None else committed.__dict__,
        }

    def found_programme(programme_id: str) -> dict[str, Any]:
        for brief in storage.programmes():
            if brief["programme_id"] == programme_id:
                return brief
        raise HTTPException(404, f"No programme {programme_id}.")

    def programme_plan(programme_id: str, run_id: str) -> dict[str, Any]:
        """A plan to commit or pin on: 404 for an unknown programme or run,
        422 for a run of another programme or one without a plan."""
        found_programme(programme_id)
        run = found_run(run_id)
        _plan_of(run, programme_id)
        return run

    @app.get(
        "/api/programmes",
        response_model=list[schemas.ProgrammeBrief],
        responses=errors(),
    )
    def programmes(_: viewer) -> list[dict[str, Any]]:
        """Every programme with a kept workbook, the newest upload first."""
        return [
            programme_json(brief["programme_id"], brief)
            for brief in storage.programmes()
        ]

    @app.get(
        "/api/programmes/{programme_id}",
        response_model=schemas.Programme,
        responses=errors(404),
    )
    def programme(programme_id: str, _: viewer) -> dict[str, Any]:
        """A programme: its versions, its commits (the newest is the
        committed plan) and the pins in force."""
        return programme_detail(programme_id)

    def programme_detail(programme_id: str) -> dict[str, Any]:
        brief = found_programme(programme_id)
        return programme_json(programme_id, brief) | {
            "uploads": [
                _upload_json(u.__dict__) for u in storage.versions(programme_id)
            ],
            "commits": [c.__dict__ for c in storage.commits(programme_id)],
            "pins": [pin.__dict__ for pin in storage.pins(programme_id)],
        }

    @app.post(
        "/api/programmes/{programme_id}/commits",
        status_code=201,
        response_model=schemas.Programme,
        responses=errors(404, 409),
    )
    def commit(
        programme_id: str, body: schemas.CommitRequest, who: planner, request: Request
    ) -> dict[str, Any]:
        """Make a finished solve the programme's committed plan: later runs
        are re-planned against it, and its calendars are what partners get.
        Only a plan made against the committed plan (or the first plan)
        whose every hard rule the independent checker finds held."""
        run = programme_plan(programme_id, body.run_id)
        if run["scenario"]:
            raise HTTPException(
                422, "Commit a plan of the programme itself, not of a scenario."
            )
        current = storage.committed(programme_id)
        if current is not None and current.run_id == run["id"]:
            raise HTTPException(409, "This plan is already the committed plan.")
        if current is not None and run["options"].get("against") != current.run_id:
            raise HTTPException(
                409,
                "This plan was not made against the committed plan of "
                f"{current.at[:10]}: committing it would send partners calendars "
                "that do not follow the ones they have. Re-plan it against the "
                "committed plan first.",
            )
        checked = ask(
            questions.commit_check,
            storage.upload_path(run["upload_id"]),
            storage.run_folder(run["id"]),
        )
        if checked["verdict"] != "done":
            broken = "; ".join(v["message"] for v in checked["violations"])
            raise HTTPException(
                422,
                "The independent checker does not pass this plan, so it cannot be "
                f"committed: {broken or 'its schedule cannot be read'}.",
            )
        made = storage.add_commit(programme_id, run["id"], who.name, body.note)
        audit(
            who,
            request,
            "commit",
            run["id"],
            f"{programme_id}: {checked['held']} exercises held",
        )
        return programme_detail(made.programme_id)

    @app.post(
        "/api/programmes/{programme_id}/pins",
        status_code=201,
        response_model=schemas.Pinned,
        responses=errors(404, 410, 503),
    )
    def pin(
        programme_id: str, body: schemas.PinAndReplan, who: planner, request: Request
    ) -> dict[str, Any]:
        """Pin an exercise where the planner wants it, checked at once against
        every rule (a pin that breaks one is refused, the rule named), then
        re-plan around it: the workbook with the programme's pins filled in
        is planned against the committed plan (or, before any commit, the
        plan pinned on), changing as little as it must."""
        run = programme_plan(programme_id, body.run_id)
        checked = check_a_pin(run, body)
        if not checked["allowed"]:
            raise HTTPException(422, _refusal(body, checked))
        record = kept_workbook(run)
        made = storage.add_pin(
            programme_id,
            body.exercise_id,
            body.start.isoformat(),
            body.venue_id,
            run["id"],
            who.name,
        )
        audit(
            who,
            request,
            "pin",
            run["id"],
            f"{body.exercise_id} at {body.venue_id} from {body.start}",
        )
        pinned, not_written = pinned_upload(record, who, request)
        committed = storage.committed(programme_id)
        options = body.model_dump(
            mode="json", include=set(schemas.RunOptions.model_fields)
        ) | {
            "against": committed.run_id if committed is not None else run["id"],
            "freeze_before": None
            if body.freeze_before is None
            else body.freeze_before.isoformat(),
        }
        again = storage.add_run(pinned, SOLVE, None, options, who.name)
        audit(who, request, "run", again["id"], f"re-plan around the pin {made.id}")
        return {
            "pin": made.__dict__,
            "run": found_run(again["id"]),
            "not_written": not_written,
        }

    @app.delete(
        "/api/programmes/{programme_id}/pins/{pin_id}",
        status_code=204,
        responses=errors(404),
    )
    def unpin(programme_id: str, pin_id: int, who: planner, request: Request) -> None:
        """Take a pin out of force: later plans may move the exercise again."""
        if not storage.remove_pin(programme_id, pin_id):
            raise HTTPException(404, f"No pin {pin_id} in force in {programme_id}.")
        audit(who, request, "unpin", programme_id, f"pin {pin_id}")

    @app.get(
        "/api/programmes/{programme_id}/workbook",
        response_class=FileResponse,
        responses={200: {"content": {XLSX: {}}}, **errors(404, 503)},
    )
    def programme_workbook(programme_id: str, _: viewer) -> FileResponse:
        """The newest version of the programme's workbook with every pin in
        force filled in (fixed_start and fixed_venue), to keep working on."""
        found_programme(programme_id)
        newest = storage.versions(programme_id)[0]
        pins = [pin.value() for pin in storage.pins(programme_id)]
        folder = Path(tempfile.mkdtemp(dir=storage.root))
        target = folder / "workbook.xlsx"
        written = ask(
            questions.pinned_workbook,
            storage.upload_path(newest.id),
            pins,
            target,
            newest.file_name,
        )
        if written["validation"] is None:
            shutil.rmtree(folder, ignore_errors=True)
            raise HTTPException(503, written["output_error"] or "not written")
        stem = Path(newest.file_name).stem
        return FileResponse(
            target,
            media_type=XLSX,
            filename=f"{stem}-with-pins.xlsx",
            background=BackgroundTask(shutil.rmtree, folder, ignore_errors=True),
        )

    # administration -----------------------------------------------------------

    @app.delete("/api/runs/{run_id}", status_code=204, responses=errors(404, 409))
    def delete(run_id: str, who: admin, request: Request) -> None:
        """Forget a run and its files (a running one is stopped first); a
        committed plan is kept."""
        found_run(run_id)
        if run_id in storage.committed_runs():
            raise HTTPException(
                409, "This run is a committed plan of its programme; it is kept."
            )
        pool.forget(run_id)
        storage.delete_run(run_id)
        audit(who, request, "delete run", run_id)

    @app.get("/api/audit", response_model=list[schemas.AuditEntry], responses=errors())
    def audit_log(
        _: admin,
        limit: Annotated[int, Query(ge=1, le=1000)] = 200,
        before: int | None = None,
    ) -> list[dict[str, Any]]:
        """Who did what and when, newest first (``before``: older than that id)."""
        return [entry.__dict__ for entry in storage.audit_log(limit, before)]

    @app.get("/api/users", response_model=list[schemas.User], responses=errors())
    def users(_: admin) -> list[dict[str, Any]]:
        """Every account and its role."""
        return [user.__dict__ for user in storage.users()]

    @app.post(
        "/api/users", status_code=201, response_model=schemas.User, responses=errors()
    )
    def new_user(body: schemas.NewUser, who: admin, request: Request) -> dict[str, Any]:
        """Add an account (as ``planner users add`` does)."""
        try:
            user = add_user(storage, body.name, body.role, body.password)
        except AccountError as error:
            raise HTTPException(422, str(error)) from error
        audit(who, request, "add user", user.name, user.role)
        return user.__dict__

    @app.delete("/api/users/{name}", status_code=204, responses=errors(404))
    def forget_user(name: str, who: admin, request: Request) -> None:
        """Remove an account; its sessions and API token stop working."""
        try:
            remove_user(storage, name)
        except AccountError as error:
            raise HTTPException(404, str(error)) from error
        audit(who, request, "remove user", name)

    app.add_middleware(BodyCap, limit=max_upload_bytes)
    app.add_middleware(Guard)
    app.add_middleware(
        TrustedHostMiddleware, allowed_hosts=list(allowed_hosts), www_redirect=False
    )
    return app


def _committable(committed: dict[str, Any], sha256: str) -> None:
    """A study keeps the plan of a finished solve of the same workbook."""
    if committed["kind"] != SOLVE or "schedule.json" not in (committed["files"] or []):
        raise HTTPException(
            422,
            f"Run {committed['id']} has no plan to study: "
            "pick a finished solve that found one.",
        )
    if committed["sha256"] != sha256:
        raise HTTPException(
            422,
            f"Run {committed['id']} planned another workbook "
            f"({committed['file_name']}): pick a solve of this workbook.",
        )


def _plan_of(run: dict[str, Any], programme_id: str) -> None:
    """A run whose plan can be re-planned against, pinned on or committed:
    a finished solve of ``programme_id`` that found a plan."""
    if run["programme_id"] != programme_id:
        raise HTTPException(
            422,
            f"Run {run['id']} plans another programme ({run['programme_id']}): "
            "pick a plan of this programme.",
        )
    if run["kind"] != SOLVE or "schedule.json" not in (run["files"] or []):
        raise HTTPException(
            422, f"Run {run['id']} has no plan: pick a finished solve that found one."
        )


def _refusal(pin: schemas.PinRequest, checked: dict[str, Any]) -> str:
    """Why a pin is refused, in one sentence naming the rules."""
    where = f"{pin.exercise_id} cannot be pinned at {pin.venue_id} from {pin.start}"
    if checked["unknown_exercise"]:
        return f"The workbook has no exercise {pin.exercise_id}."
    if checked["frozen"]:
        return f"{where}: {checked['frozen']}."
    broken = (
        "; ".join(f"{v['says']} ({v['message']})" for v in checked["broken"])
        or "the plan could not be read"
    )
    return f"{where}: {broken}"


def _pin_missing(pin: dict[str, str], findings: list[dict[str, Any]]) -> bool:
    """Whether the writer said ``pin``'s exercise has no row."""
    return any(f" {pin['exercise_id']} is pinned" in f["message"] for f in findings)


def _saved(file: UploadFile, path: Path, limit: int) -> tuple[str, int]:
    """Copy the upload to ``path`` in chunks: its SHA-256 and size; 413 past
    ``limit``."""
    sha, size = hashlib.sha256(), 0
    with path.open("wb") as target:
        while chunk := file.file.read(CHUNK):
            size += len(chunk)
            if size > limit:
                raise HTTPException(413, _too_large(limit))
            sha.update(chunk)
            target.write(chunk)
    return sha.hexdigest(), size


def run_label(run: dict[str, Any]) -> str:
    """How tables head a run's column: workbook, scenario, time of the run."""
    scenario = run["scenario"] or "base"
    return f"{Path(run['file_name']).stem} {scenario} {run['created'][11:16]}"


def _unique(labels: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    unique = []
    for label in labels:
        seen[label] = seen.get(label, 0) + 1
        unique.append(label if seen[label] == 1 else f"{label} ({seen[label]})")
    return unique


def _upload_json(data: dict[str, Any]) -> dict[str, Any]:
    return {
        "upload_id": data["id"],
        "created": data["created"],
        "file_name": data["file_name"],
        "sha256": data["sha256"],
        "size": data["size"],
        "uploaded_by": data["uploaded_by"],
        "validation": data["validation"],
        "programme_id": data.get("programme_id") or "",
        "title": data.get("title") or "",
        "pins": data.get("pins"),
    }


def _too_large(limit: int) -> str:
    return (
        f"The file is larger than this server accepts ({limit // (1024 * 1024)} MB); "
        "a planner workbook is far smaller."
    )


class BodyCap:
    """Refuse a request body larger than ``limit`` (plus room for the form
    around the file) before it is read in full."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.cap = limit
        self.limit = limit + 64 * 1024

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length", b"0")
        if declared.isdigit() and int(declared) > self.limit:
            await JSONResponse({"detail": _too_large(self.cap)}, 413)(
                scope, receive, send
            )
            return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.limit:
                raise HTTPException(413, _too_large(self.cap))
            return message

        await self.app(scope, counted, send)
