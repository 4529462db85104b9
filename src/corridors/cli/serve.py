"""``corridors serve``: the REST API and the web dashboard on this machine."""

from __future__ import annotations

import sys

import typer

from corridors.cli._output import console

ORDER = 90

#: Seconds a thread runs Python before another may take the interpreter lock (Python's default is
#: 0.005). Answers are Python work in worker threads, and the event loop that accepts connections,
#: reads requests and writes answers needs the lock at each step: at 5 ms, 20 clients connecting
#: at once waited up to 60 ms more for their first answer (first-call p95 of country profiles
#: 36-63 ms over four runs, 36-38 ms at 1 ms; bench/bench_api.py --first-calls).
SWITCH_INTERVAL = 0.001


def serve_command(
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on (127.0.0.1 = this "
                             "machine only; 0.0.0.0 = every network interface)."),
    port: int = typer.Option(8000, "--port", min=1, max=65535, help="TCP port."),
    prepare: bool = typer.Option(True, "--prepare/--no-prepare", help="Before taking requests, "
                                 "prepare the answers first questions need (profiles, summaries, "
                                 "rankings of the default edition: a few seconds), and again "
                                 "after each rebuild."),
) -> None:
    """Serve the dashboard and the REST API (read-only) until Ctrl+C.

    Pages at http://HOST:PORT/, the API under /api/v1, its schema at /openapi.json.
    Everything is served from the installed package: it works offline.
    With --prepare (the default) the first answers are ready before the first request.
    """
    import uvicorn

    from corridors.api.main import create_app
    from corridors.settings import settings
    from corridors.store import connect

    connect(settings().store_path).close()  # stops with what to run when there is no store
    sys.setswitchinterval(SWITCH_INTERVAL)
    console.print(f"corridors: dashboard at http://{host}:{port}/  API at "
                  f"http://{host}:{port}/api/v1  (Ctrl+C to stop)")
    uvicorn.run(create_app(prepare=prepare), host=host, port=port, log_level="warning", access_log=False)


def register(app: typer.Typer) -> None:
    app.command("serve")(serve_command)
