"""What a worker runs, wherever it runs (a local process, a Ray task): the
job, as plain values, and the run of it through the app layer, reporting its
progress and turning any failure into a message for the page."""

from __future__ import annotations

import _thread
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from planner.app import EXPLAINING, WRITING
from planner.serve.storage import CANCELLED, FAILED

VIEW_NAME = "view.json"  # what the result page draws, beside the run's files
POLL_S = 0.2


@dataclass(frozen=True)
class Job:
    """What a worker needs: plain values, so it pickles. ``committed``: a
    study's committed plan (the folder of that solve run)."""

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

    stage: list[str] = [""]

    def progress(payload: dict[str, Any]) -> None:
        stage[0] = payload["stage"]
        report("progress", payload)

    threading.Thread(
        target=_interrupt_explanations, args=(cancel, stage), daemon=True
    ).start()
    try:
        return run_job(job, progress, cancel)
    except KeyboardInterrupt:  # a cancel that came as the plan was written
        return CANCELLED, {"message": "Cancelled."}, {"kind": job.kind}
    except Exception as error:  # any failure becomes a message on the page
        text = str(error).replace(str(job.folder.parent.parent), "<data>")
        message = (
            f"planner stopped on an unexpected error ({type(error).__name__}: {text})."
        )
        return FAILED, {"message": message}, {"kind": job.kind}


def _interrupt_explanations(cancel: Any, stage: list[str]) -> None:
    """A cancel while the plan is being explained interrupts the explaining,
    as Ctrl-C does on the command line (the search itself polls ``cancel``):
    the plan is then written without its explanations."""
    while not cancel.wait(POLL_S):
        pass
    while stage[0] not in (EXPLAINING, WRITING):
        time.sleep(POLL_S)
    if stage[0] == EXPLAINING:
        _thread.interrupt_main()
