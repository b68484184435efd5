"""The application layer: what a front end asks of `planner`, one call each.

This is the one package that combines reading the workbook, the model, the
checker, the explanations and the writers. Front ends (the command line and
the web page of ``planner serve``) parse their input, call one function here,
and present the typed result it returns: no printing, no terminal, no web
framework in this package. Progress comes back through a callback and a run
is stopped through a cancel token, so a front end decides how to show the one
and when to set the other; the stages of a solve take the front end's hooks
(`Stages`), so the command line keeps its signal policy.

The names a front end needs to present what comes back (the engines it may
choose, the fates a study counts, what a reason is about, the error of a
folder that cannot be written) are re-exported here, so a front end imports
this package and the domain only. They are imported when first asked for:
the command line starts without loading the solver for ``planner --help``.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from planner.app.compare import (
        ComparisonFile,
        ComparisonReport,
        brief_files,
        compare_files,
        compare_results,
    )
    from planner.app.examine import (
        CheckOutcome,
        ConflictOutcome,
        PlanReading,
        SuggestOutcome,
        check_schedule,
        conflict_of_workbook,
        suggest_placements,
    )
    from planner.app.solve import (
        EXPLAINING,
        PLANNING,
        READING,
        SEARCHING,
        WRITING,
        EngineChoice,
        PlanOutcome,
        RunProgress,
        SolveOutcome,
        SolveRequest,
        Stages,
        WhatifOutcome,
        solve_workbook,
        whatif_workbook,
    )
    from planner.app.study import (
        FINDING,
        WARNING,
        StudyOutcome,
        SweepOutcome,
        engine_unavailable,
        robustness_workbook,
        sweep_workbook,
    )
    from planner.app.validate import (
        Generated,
        Validation,
        describe_problem,
        generate_workbook,
        validate_workbook,
        write_template_file,
    )
    from planner.app.view import (
        PlanView,
        plan_view,
    )
    from planner.engines import (
        ENGINES,
        LOCAL,
    )
    from planner.explain import (
        KIND_EXERCISE,
        Explanation,
    )
    from planner.generate import KNOBS, PROFILES
    from planner.robustness import (
        FATES,
    )
    from planner.sweep import (
        SweepSpec,
    )
    from planner.workbook.output import (
        OutputError,
    )

# Where each name of the application layer lives.
_HOMES: dict[str, str] = {
    "ComparisonFile": "planner.app.compare",
    "ComparisonReport": "planner.app.compare",
    "brief_files": "planner.app.compare",
    "compare_files": "planner.app.compare",
    "compare_results": "planner.app.compare",
    "CheckOutcome": "planner.app.examine",
    "ConflictOutcome": "planner.app.examine",
    "PlanReading": "planner.app.examine",
    "SuggestOutcome": "planner.app.examine",
    "check_schedule": "planner.app.examine",
    "conflict_of_workbook": "planner.app.examine",
    "suggest_placements": "planner.app.examine",
    "EXPLAINING": "planner.app.solve",
    "PLANNING": "planner.app.solve",
    "READING": "planner.app.solve",
    "SEARCHING": "planner.app.solve",
    "WRITING": "planner.app.solve",
    "EngineChoice": "planner.app.solve",
    "PlanOutcome": "planner.app.solve",
    "RunProgress": "planner.app.solve",
    "SolveOutcome": "planner.app.solve",
    "SolveRequest": "planner.app.solve",
    "Stages": "planner.app.solve",
    "WhatifOutcome": "planner.app.solve",
    "solve_workbook": "planner.app.solve",
    "whatif_workbook": "planner.app.solve",
    "FINDING": "planner.app.study",
    "WARNING": "planner.app.study",
    "StudyOutcome": "planner.app.study",
    "SweepOutcome": "planner.app.study",
    "engine_unavailable": "planner.app.study",
    "robustness_workbook": "planner.app.study",
    "sweep_workbook": "planner.app.study",
    "Generated": "planner.app.validate",
    "Validation": "planner.app.validate",
    "describe_problem": "planner.app.validate",
    "generate_workbook": "planner.app.validate",
    "validate_workbook": "planner.app.validate",
    "write_template_file": "planner.app.validate",
    "PlanView": "planner.app.view",
    "plan_view": "planner.app.view",
    "ENGINES": "planner.engines",
    "KNOBS": "planner.generate",
    "PROFILES": "planner.generate",
    "LOCAL": "planner.engines",
    "KIND_EXERCISE": "planner.explain",
    "Explanation": "planner.explain",
    "FATES": "planner.robustness",
    "SweepSpec": "planner.sweep",
    "OutputError": "planner.workbook.output",
}

__all__ = [
    "ENGINES",
    "EXPLAINING",
    "FATES",
    "FINDING",
    "KIND_EXERCISE",
    "KNOBS",
    "LOCAL",
    "PLANNING",
    "PROFILES",
    "READING",
    "SEARCHING",
    "WARNING",
    "WRITING",
    "CheckOutcome",
    "ComparisonFile",
    "ComparisonReport",
    "ConflictOutcome",
    "EngineChoice",
    "Explanation",
    "Generated",
    "OutputError",
    "PlanOutcome",
    "PlanReading",
    "PlanView",
    "RunProgress",
    "SolveOutcome",
    "SolveRequest",
    "Stages",
    "StudyOutcome",
    "SuggestOutcome",
    "SweepOutcome",
    "SweepSpec",
    "Validation",
    "WhatifOutcome",
    "brief_files",
    "check_schedule",
    "compare_files",
    "compare_results",
    "conflict_of_workbook",
    "describe_problem",
    "engine_unavailable",
    "generate_workbook",
    "plan_view",
    "robustness_workbook",
    "solve_workbook",
    "suggest_placements",
    "sweep_workbook",
    "validate_workbook",
    "whatif_workbook",
    "write_template_file",
]


def __getattr__(name: str) -> object:
    """A name of the layer, its module imported on first use (PEP 562)."""
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value
