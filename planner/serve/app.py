"""The web page and JSON API of ``planner serve``: parse, call the app layer,
present. Every route the page uses is under /api, described by FastAPI's
OpenAPI at /docs and /openapi.json."""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib.resources import files
from pathlib import Path, PurePosixPath
from typing import Annotated, Any

from fastapi import FastAPI, HTTPException, Request, UploadFile
from fastapi.responses import FileResponse, StreamingResponse
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, Field
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from planner import __version__
from planner.app.compare import compare_results
from planner.app.validate import validate_workbook, write_template_file
from planner.domain import EngineChoice
from planner.report import ResultError
from planner.serve.present import comparison_json, validation_json
from planner.serve.security import TokenGate
from planner.serve.storage import FINAL, Storage, new_id, valid_id
from planner.serve.workers import SOLVE, STUDY, SWEEP, VIEW_NAME, WHATIF, RunPool

STATIC = Path(str(files("planner.serve") / "static"))
DEFAULT_UPLOAD_MB = 20
EVENT_INTERVAL_S = 0.5  # the page hears from a running solve twice a second
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


class RunOptions(BaseModel):
    """How to search; omitted fields keep the workbook's Settings."""

    time_limit_s: float | None = Field(None, gt=0, le=24 * 3600)
    workers: int = Field(0, ge=0, le=64)
    seed: int = Field(0, ge=0)
    deterministic: bool = False
    explain_all: bool = True


class SweepRequest(BaseModel):
    """The variants of a sweep, as ``planner sweep`` makes them."""

    drop_each_partner: bool = False
    budget_cuts: list[Annotated[int, Field(ge=1, le=99)]] = Field(
        default_factory=list, max_length=20, description="Percents, each 1 to 99"
    )
    close_quarters: list[Annotated[int, Field(ge=1, le=4)]] = Field(
        default_factory=list, max_length=4, description="Calendar quarters, 1 to 4"
    )


class StudyRequest(BaseModel):
    """A robustness study against the plan of a finished solve run."""

    committed_run: str = Field(..., description="The solve run whose plan is kept")
    samples: int = Field(20, ge=1, le=1000)
    seed: int = Field(0, ge=0)


class RunRequest(RunOptions):
    upload_id: str
    scenario: str | None = None
    whatif: bool = Field(False, description="Plan the base and every scenario.")
    sweep: SweepRequest | None = Field(
        None, description="Make variants, re-plan each against the base, rank them."
    )
    study: StudyRequest | None = Field(
        None, description="Drawn futures re-planned against a committed plan."
    )


class RerunRequest(RunOptions):
    scenario: str | None = None


class CompareRequest(BaseModel):
    runs: list[str] = Field(..., min_length=2, description="Run ids, first = reference")


def create_app(
    data: Path,
    token: str | None = None,
    max_solves: int = 1,
    max_upload_bytes: int = DEFAULT_UPLOAD_MB * 1024 * 1024,
    engine: EngineChoice = EngineChoice(),  # noqa: B008 - frozen, never mutated
) -> FastAPI:
    """The server over the data folder ``data``; ``token`` None: no token.
    Sweeps and studies run on ``engine`` (the CLI's --engine, --address)."""
    storage = Storage(data)
    pool = RunPool(storage, max_solves)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        pool.start()
        try:
            yield
        finally:
            pool.stop()

    app = FastAPI(
        title="planner",
        version=__version__,
        description="Plan a programme of multinational exercises from an Excel "
        "workbook: upload, validate, solve, compare, keep every run.",
        lifespan=lifespan,
    )
    app.state.storage, app.state.pool = storage, pool

    def found_run(run_id: str) -> dict[str, Any]:
        run = pool.snapshot(run_id) if valid_id(run_id) else None
        if run is None:
            raise HTTPException(404, f"No run {run_id}.")
        return run

    @app.get("/", include_in_schema=False)
    def page() -> FileResponse:
        return FileResponse(STATIC / "index.html")

    @app.get("/static/plotly.min.js", include_in_schema=False)
    def plotly_js() -> FileResponse:
        """Plotly's browser bundle, from the installed plotly package (no CDN)."""
        return FileResponse(
            Path(str(files("plotly") / "package_data" / "plotly.min.js")),
            media_type="text/javascript",
        )

    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.get("/api/info")
    def info() -> dict[str, Any]:
        """The server's limits."""
        return {
            "version": __version__,
            "max_solves": pool.limit,
            "max_upload_bytes": max_upload_bytes,
            "engine": engine.name,
        }

    @app.get("/api/template", response_class=FileResponse)
    def template(example: bool = False) -> FileResponse:
        """The blank input workbook, or the filled-in example programme."""
        name = "planner-example.xlsx" if example else "planner-template.xlsx"
        path = storage.root / "templates" / name
        if not path.exists():
            path.parent.mkdir(exist_ok=True)
            write_template_file(path, example=example)
        return FileResponse(path, media_type=XLSX, filename=name)

    @app.post("/api/uploads")
    def upload(file: UploadFile) -> dict[str, Any]:
        """Keep an .xlsx and say what validate finds in it, by sheet and cell."""
        content = file.file.read(max_upload_bytes + 1)
        if len(content) > max_upload_bytes:
            raise HTTPException(413, _too_large(max_upload_bytes))
        upload_id = new_id()
        path = storage.upload_path(upload_id)
        path.parent.mkdir()
        path.write_bytes(content)
        name = PurePosixPath((file.filename or "").replace("\\", "/")).name
        name = name[:NAME_LENGTH] or "workbook.xlsx"
        validation = validation_json(validate_workbook(path), name)
        record = storage.add_upload(
            upload_id,
            name,
            hashlib.sha256(content).hexdigest(),
            len(content),
            validation,
        )
        return _upload_json(record.__dict__)

    @app.get("/api/uploads/{upload_id}")
    def uploaded(upload_id: str, scenario: str | None = None) -> dict[str, Any]:
        """An upload and its findings (with ``scenario`` applied, if given)."""
        record = storage.upload(upload_id) if valid_id(upload_id) else None
        if record is None:
            raise HTTPException(404, f"No upload {upload_id}.")
        data = record.__dict__.copy()
        if scenario:
            path = storage.upload_path(upload_id)
            data["validation"] = validation_json(
                validate_workbook(path, scenario), record.file_name
            )
        return _upload_json(data)

    @app.post("/api/runs", status_code=201)
    def submit(request: RunRequest) -> dict[str, Any]:
        """Queue a solve of an upload (the base or a scenario), or a what-if
        run of the base and every scenario."""
        record = (
            storage.upload(request.upload_id) if valid_id(request.upload_id) else None
        )
        if record is None:
            raise HTTPException(404, f"No upload {request.upload_id}.")
        if not record.validation["valid"]:
            raise HTTPException(422, "The workbook has errors; correct them first.")
        if request.whatif and not record.validation["scenarios"]:
            raise HTTPException(
                422, "The workbook has no scenarios: what-if needs a Scenarios sheet."
            )
        kinds = [
            kind
            for kind, asked in (
                (WHATIF, request.whatif),
                (SWEEP, request.sweep),
                (STUDY, request.study),
            )
            if asked
        ]
        if len(kinds) > 1:
            raise HTTPException(422, "Ask for one of whatif, sweep or study at a time.")
        kind = kinds[0] if kinds else SOLVE
        options = request.model_dump(exclude={"upload_id", "scenario", "whatif"})
        if kind in (SWEEP, STUDY):
            options["engine"] = {"name": engine.name, "address": engine.address}
        if request.study is not None:
            committed = found_run(request.study.committed_run)
            if committed["kind"] != SOLVE or "schedule.json" not in (
                committed["files"] or []
            ):
                raise HTTPException(
                    422,
                    f"Run {request.study.committed_run} has no plan to study: "
                    "pick a finished solve that found one.",
                )
            folder = storage.run_folder(committed["id"])
            options["study"]["committed_folder"] = str(folder)
        scenario = request.scenario if kind == SOLVE else None
        run = storage.add_run(record, kind, scenario, options)
        return found_run(run["id"])

    @app.get("/api/runs")
    def runs() -> list[dict[str, Any]]:
        """Every run kept, newest first."""
        return [found_run(run["id"]) for run in reversed(storage.runs())]

    @app.get("/api/runs/{run_id}")
    def run(run_id: str) -> dict[str, Any]:
        """A run: state, figures, live progress while it runs."""
        return found_run(run_id)

    @app.get("/api/runs/{run_id}/events")
    async def events(run_id: str, request: Request) -> StreamingResponse:
        """Server-sent events: the run as ``GET /api/runs/{id}`` shows it,
        twice a second, until it has finished."""
        found_run(run_id)

        async def stream() -> AsyncIterator[str]:
            while not await request.is_disconnected():
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

    @app.get("/api/runs/{run_id}/result")
    def result(run_id: str) -> Any:
        """What the result page draws: calendar, figures, goals, spend, reasons."""
        found_run(run_id)
        path = storage.run_folder(run_id) / VIEW_NAME
        if not path.is_file():
            raise HTTPException(404, "This run has no result yet.")
        return json.loads(path.read_text(encoding="utf-8"))

    @app.get("/api/runs/{run_id}/files/{name:path}")
    def download(run_id: str, name: str) -> FileResponse:
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

    @app.post("/api/runs/{run_id}/cancel")
    def cancel(run_id: str) -> dict[str, Any]:
        """Stop a run: the search stops and the best plan found is kept."""
        found_run(run_id)
        if not pool.cancel(run_id):
            raise HTTPException(409, "This run has already finished.")
        return found_run(run_id)

    @app.post("/api/runs/{run_id}/rerun", status_code=201)
    def rerun(run_id: str, request: RerunRequest) -> dict[str, Any]:
        """The same workbook again, with other options (or another scenario)."""
        found = found_run(run_id)
        record = storage.upload(found["upload_id"])
        if record is None:
            raise HTTPException(410, "The workbook of this run is no longer kept.")
        options = request.model_dump(exclude={"scenario"})
        scenario = request.scenario if found["kind"] == SOLVE else None
        again = storage.add_run(record, found["kind"], scenario, options)
        return found_run(again["id"])

    @app.delete("/api/runs/{run_id}", status_code=204)
    def delete(run_id: str) -> None:
        """Forget a run and its files (a running one is stopped first)."""
        found_run(run_id)
        pool.forget(run_id)
        storage.delete_run(run_id)

    @app.post("/api/compare")
    def compare(request: CompareRequest) -> dict[str, Any]:
        """Two or more solve runs side by side, as ``planner compare``."""
        folders, labels = [], []
        for run_id in request.runs:
            found = found_run(run_id)
            if found["kind"] != SOLVE or found["state"] in ("queued", "running"):
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

    app.add_middleware(BodyCap, limit=max_upload_bytes)
    if token:
        app.add_middleware(TokenGate, token=token)
    return app


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
        "validation": data["validation"],
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
