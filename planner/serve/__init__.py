"""``planner serve``: the planning cell's web page and JSON API.

A thin layer over `planner.app`: routes parse a request, call the app layer
(in a worker process for solves) and present what it returns. `app` builds
the FastAPI application, `workers` runs solves in processes, `storage` keeps
the history in SQLite, `security` checks the access token, `present` turns
results into JSON, and ``static/`` holds the page.
"""
