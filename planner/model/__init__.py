"""The CP-SAT model of a programme and the search for the best plan.

The only part of `planner` that touches OR-Tools.
"""

from planner.model.search import BuiltModel, build_model
from planner.model.solve import solve
from planner.model.variables import SourceGuard

__all__ = ["BuiltModel", "SourceGuard", "build_model", "solve"]
