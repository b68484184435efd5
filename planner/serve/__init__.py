"""``planner serve``: the planning cell's web page and JSON API.

A thin layer over `planner.app`: routes parse a request, check who asks, call
the app layer (in worker processes: runs, and the reading of uploads) and
present what it returns.

- `app` builds the FastAPI application: routes, and the middlewares around it;
- `launch` checks what can be checked before serving, and stops cleanly;
- `security` says who is asking (session, API token, the localhost shortcut)
  and refuses what no browser may be tricked into (Host, Origin), with the
  security headers; `accounts` keeps users, roles, passwords and tokens;
- `schemas` are the API's requests and answers;
- `uploads` validates a workbook in a capped process; `retention` deletes
  what the policy no longer keeps;
- `workers` queues runs and runs them in processes that die with the server;
  `jobs` is what a worker runs; `ray_runs` sends each run to Ray instead;
- `storage` keeps the history, users and audit log in SQLite; `present`
  turns the app layer's results into JSON; ``static/`` holds the page.
"""
