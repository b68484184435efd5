"""The CP-SAT model of a programme and the search for the best plan.

The only part of `planner` that touches OR-Tools. `planner.model.solve` finds
a plan (from scratch, or re-planned against a baseline with its past frozen);
`planner.model.search` builds the model, one rule per function of
`planner.model.rules`; `planner.model.probe` and `planner.model.conflicts`
solve again with something forced, for the explanations above the model.
"""
