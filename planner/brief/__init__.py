"""The brief: one PDF and one HTML page a staff officer can hand to a general.

Made from written results only (`planner.brief.content` reads their
schedule.json), so `planner brief RESULT` can make it again at any time and
`planner solve` writes it beside every result: the programme's banner, key
figures, the plan as a Gantt chart by month grouped by region, goals met and
missed with reasons, spend against budget by partner, exercises left out with
reasons and, for a what-if, the scenarios side by side and what changed.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from planner.brief.content import make_brief
from planner.brief.render import write_html, write_pdf
from planner.results import load_result
from planner.workbook.output import make_folder, replace_atomically

PDF_NAME = "brief.pdf"
HTML_NAME = "brief.html"


def write_brief(
    result: Path,
    others: Sequence[Path] = (),
    out_dir: Path | None = None,
    paper: str = "a4",
) -> list[Path]:
    """Write brief.pdf and brief.html for ``result`` (a folder or its
    schedule.json), compared with ``others``; into ``out_dir`` or beside the
    result. Raises `planner.results.ResultError` for a result it cannot read,
    `planner.workbook.output.OutputError` for a folder it cannot write.
    """
    main = load_result(result)
    brief = make_brief(main, [load_result(other) for other in others])
    folder = out_dir or main.path.parent
    make_folder(folder)
    pdf, html = folder / PDF_NAME, folder / HTML_NAME
    replace_atomically(
        [
            (pdf, lambda temp: write_pdf(brief, temp, paper)),
            (html, lambda temp: write_html(brief, temp, paper)),
        ]
    )
    return [pdf, html]
