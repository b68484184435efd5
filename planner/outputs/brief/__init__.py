"""The brief: one PDF and one HTML page a staff officer can hand to a general.

Made from a result as its schedule.json holds it (`ResultSummary`), so
`planner brief RESULT` can make it again at any time and `planner solve`
writes it beside every result: what the programme achieves in sentences, the
plan by month with exercise names, every event, goals met and missed with
reasons, spend against budgets, changes since the published plan, fragile
exercises, exercises left out with reasons and, for a what-if, the scenarios
side by side. `planner brief RESULT --partners` also writes, under
``briefs/``, one brief per partner nation, prepared for it
(`planner.outputs.brief.content.make_partner_brief`); a solve does not, so
that a programme of 150 partners is written within its time limit.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from planner.outputs.brief.content import (
    Brief,
    make_brief,
    make_partner_brief,
)
from planner.outputs.brief.fonts import missing_scripts
from planner.outputs.files import file_stems, replace_atomically
from planner.report import Comparison, ResultSummary, StudyResult

PDF_NAME = "brief.pdf"
HTML_NAME = "brief.html"
BRIEFS_DIR = "briefs"


@dataclass(frozen=True)
class BriefFiles:
    """The briefs written, and what they could not show: each script of a
    name that no font of this machine prints (it shows as boxes)."""

    files: tuple[Path, ...]
    warnings: tuple[str, ...] = ()


def write_brief(
    main: ResultSummary,
    folder: Path,
    comparison: Comparison | None = None,
    paper: str = "a4",
    study: StudyResult | None = None,
    partners: bool = False,
) -> BriefFiles:
    """Write brief.pdf and brief.html of ``main`` into ``folder``, with a
    what-if's ``comparison`` or a robustness ``study`` beside it, and with
    ``partners`` each partner's brief under ``briefs/``. Raises
    `planner.outputs.files.OutputError` for a folder it cannot write.
    """
    from planner.outputs.brief.render import Drawn, write_html, write_pdf

    briefs = {}
    if partners and main.events is not None:
        ids = [p.id for p in main.partners]
        for partner_id, stem in file_stems(ids).items():
            briefs[f"{BRIEFS_DIR}/partner-{stem}"] = make_partner_brief(
                main, partner_id
            )
    # The programme's own brief last, as the files are listed.
    briefs[Path(PDF_NAME).stem] = make_brief(main, comparison, study=study)
    writes = []
    for stem, brief in briefs.items():
        pdf, html = folder / f"{stem}.pdf", folder / f"{stem}.html"
        drawn = Drawn()  # the PDF's charts, held in the page written after it
        writes += [
            (pdf, lambda temp, b=brief, d=drawn: write_pdf(b, temp, d, paper)),
            (html, lambda temp, b=brief, d=drawn: write_html(b, temp, d, paper)),
        ]
    replace_atomically(writes)
    if partners:
        _remove_others(folder / BRIEFS_DIR, {target for target, _ in writes})
    return BriefFiles(
        tuple(target for target, _ in writes), font_warnings(briefs.values())
    )


def _remove_others(folder: Path, kept: set[Path]) -> None:
    """Partner briefs of an earlier run whose partner is gone."""
    for path in folder.glob("partner-*"):
        if path not in kept:
            path.unlink(missing_ok=True)


def font_warnings(briefs: Iterable[Brief]) -> tuple[str, ...]:
    """A warning for each script no font here prints, naming it."""
    texts = [text for brief in briefs for text in brief.texts()]
    return tuple(
        f"the brief cannot print {script} letters: no font on this machine has "
        f"them, so they show as boxes in brief.pdf (brief.html and schedule.xlsx "
        f"keep them); install a {script} font (on Debian: "
        "scripts/install-test-deps.sh installs Thai, Chinese, Japanese and "
        "Korean ones) and run planner brief again"
        for script in sorted(missing_scripts(texts))
    )


def load_renderer() -> None:
    """Import what draws and typesets the brief (matplotlib, reportlab): a
    solve calls this in a thread of its own while CP-SAT searches, so that
    writing finds them loaded (about 0.4 s of a small programme's command).
    `write_brief` imports them itself when nothing did before."""
    from planner.outputs.brief import render  # noqa: F401
