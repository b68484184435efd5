"""The application layer: what a front end asks of `planner`, one call each.

This is the one package that combines reading the workbook, the model, the
checker, the explanations and the writers. Front ends (the web page of
``planner serve`` today, the command line later) parse their input, call one
function here, and present the typed result it returns: no printing, no
terminal, no web framework in this package. Progress comes back through a
callback and a run is stopped through a cancel token, so a front end decides
how to show the one and when to set the other.
"""

from planner.app.compare import ComparisonReport, compare_results
from planner.app.solve import (
    PlanOutcome,
    RunProgress,
    SolveOutcome,
    SolveRequest,
    WhatifOutcome,
    solve_workbook,
    whatif_workbook,
)
from planner.app.study import (
    EngineChoice,
    StudyOutcome,
    SweepOutcome,
    robustness_workbook,
    sweep_workbook,
)
from planner.app.validate import Validation, validate_workbook, write_template_file
from planner.app.view import PlanView, plan_view

__all__ = [
    "ComparisonReport",
    "EngineChoice",
    "PlanOutcome",
    "PlanView",
    "RunProgress",
    "SolveOutcome",
    "SolveRequest",
    "StudyOutcome",
    "SweepOutcome",
    "Validation",
    "WhatifOutcome",
    "compare_results",
    "plan_view",
    "robustness_workbook",
    "solve_workbook",
    "sweep_workbook",
    "validate_workbook",
    "whatif_workbook",
    "write_template_file",
]
