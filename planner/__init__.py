"""planner: an optimization planner for multinational training-exercise programmes."""

__version__ = "0.1.0"
