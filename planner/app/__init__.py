"""The application layer: what a front end asks of `planner`, one call each.

This is the one package that combines reading the workbook, the model, the
checker, the explanations and the writers. Front ends (the command line and
the web page of ``planner serve``) parse their input, call one function of
a module here, and present the typed outcome it returns, whose ``verdict``
(`planner.app.verdict`) says how the run ended: no printing, no terminal, no
web framework in this package. Progress comes back through a callback
(`planner.app.progress`) and a run is stopped through a cancel token.

- `solve`: one workbook planned, checked, explained and written;
- `whatif`, `sweep`, `robustness`: many plans against one base, on an engine
  (`plans` holds what they share);
- `compare`: results side by side, and the brief of a result;
- `examine`: check a schedule, suggest placements, name a conflict;
- `validate`: validate a workbook, write the template or a generated one;
- `view`: a plan as the web page shows it;
- `programme`: re-plans against a committed plan, pins checked and written
  back into the workbook;
- `publish`: every file of one result, with what it prints reckoned.

Each module is imported by the command that needs it, so the command line
starts without loading the solver for ``planner --help``.
"""
