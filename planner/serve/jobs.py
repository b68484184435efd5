"""What a worker runs, wherever it runs (a local process, a Ray task): the
job, as plain values, and the run of it through the app layer, reporting its
progress and turning any failure into a message for the page."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from planner.serve.storage import FAILED

VIEW_NAME = "view.json"  # what the result page draws, beside the run's files
POLL_S = 0.2


@dataclass(frozen=True)
class Job:
    """What a worker needs: plain values, so it pickles. ``committed``: the
    folder of the solve run whose plan a study keeps, or a re-plan is made
    against (the options' ``against``)."""

    run_id: str
    kind: str
    workbook: Path
    folder: Path
    scenario: str | None
    options: dict[str, Any]
    committed: Path | None = None


def run_reporting(
    job: Job, report: Any, cancel: Any
) -> tuple[str, dict[str, Any], dict[str, Any]]:
    """Run one job through the app layer, progress to ``report``; any failure
    is an outcome with a message for the page (a local worker's and a Ray
    task's alike)."""
    from planner.serve.present import run_job

    def progress(payload: dict[str, Any]) -> None:
        report("progress", payload)

    try:
        return run_job(job, progress, cancel)
    except Exception as error:  # any failure becomes a message on the page
        text = str(error).replace(str(job.folder.parent.parent), "<data>")
        message = (
            f"planner stopped on an unexpected error ({type(error).__name__}: {text})."
        )
        return FAILED, {"message": message}, {"kind": job.kind}
