"""The brief: one PDF and one HTML page a staff officer can hand to a general.

Made from a result as its schedule.json holds it (`ResultSummary`), so
`planner brief RESULT` can make it again at any time and `planner solve`
writes it beside every result: the programme's banner, key figures, the plan
as a Gantt chart by month grouped by region, goals met and missed with
reasons, spend against budget by partner, exercises left out with reasons
and, for a what-if, the scenarios side by side and what changed.
"""

from __future__ import annotations

from pathlib import Path

from planner.outputs.brief.content import make_brief
from planner.outputs.files import make_folder, replace_atomically
from planner.report import Comparison, ResultSummary

PDF_NAME = "brief.pdf"
HTML_NAME = "brief.html"


def write_brief(
    main: ResultSummary,
    folder: Path,
    comparison: Comparison | None = None,
    paper: str = "a4",
) -> list[Path]:
    """Write brief.pdf and brief.html of ``main`` into ``folder``, with a
    what-if's ``comparison`` beside it; return their paths. Raises
    `planner.outputs.files.OutputError` for a folder it cannot write.
    """
    from planner.outputs.brief.render import draw_charts, write_html, write_pdf

    brief = make_brief(main, comparison)
    charts = draw_charts(brief, paper)
    make_folder(folder)
    pdf, html = folder / PDF_NAME, folder / HTML_NAME
    replace_atomically(
        [
            (pdf, lambda temp: write_pdf(brief, temp, charts, paper)),
            (html, lambda temp: write_html(brief, temp, charts, paper)),
        ]
    )
    return [pdf, html]


def load_renderer() -> None:
    """Import what draws and typesets the brief (matplotlib, reportlab): a
    solve calls this in a thread of its own while CP-SAT searches, so that
    writing finds them loaded (about 0.4 s of a small programme's command).
    `write_brief` imports them itself when nothing did before."""
    from planner.outputs.brief import render  # noqa: F401
