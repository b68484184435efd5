"""Explanations: why a plan leaves things out, and where else things could go.

From the model's probes to the words a planner reads, in one package above
the model and the checker:

- `planner.model.probe` and `planner.model.conflicts` (inside the model,
  which alone touches OR-Tools) solve again with one thing forced and return
  plans, objectives and the rows of a conflict, never sentences;
- `reasons` asks them why each optional exercise is left out, each soft goal
  missed, what more budget would buy, scoring plans with the checker's
  figures, within the time the run has left and until a cancel;
- `suggest` asks them where else one exercise could go;
- `words` says rows, numbers and findings in the planner's words: it imports
  the domain only, so every writer and front end may use it.
"""
