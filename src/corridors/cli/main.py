"""The ``corridors`` command.

Each module in ``corridors.cli`` that defines ``register(app)`` adds its commands; the modules stay
thin and call the analytics core. Global options (``--home``, ``--mirror``) set the one Settings
object before any command runs.

Every command module is imported when the CLI starts, so they stay light: they import data
libraries (polars, DuckDB, ...) and the analytics inside the command functions, and take the
choices they list in ``--help`` from ``corridors.analytics.choices``. ``corridors --help`` and a
quick query then start in a fraction of a second (tests/cli/test_cli_startup.py holds this).
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
from pathlib import Path

import typer

from corridors import __version__, settings
from corridors.errors import CorridorsError

app = typer.Typer(
    name="corridors",
    help=(
        "The South-South Mobility Observatory: official migrant stocks, South-South lenses, "
        "survey indicators, flows and governance - offline."
    ),
    no_args_is_help=True,
    rich_markup_mode="rich",
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"corridors {__version__}")
        raise typer.Exit()


@app.callback()
def _global(
    home: Path | None = typer.Option(
        None, "--home", envvar="CORRIDORS_HOME", help="Folder for the download cache and the store."
    ),
    mirror: Path | None = typer.Option(
        None,
        "--mirror",
        envvar="CORRIDORS_MIRROR",
        help="Offline mirror folder laid out like the publishers' sites (e.g. a USB stick).",
    ),
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Show the version and exit."
    ),
) -> None:
    settings.reset()
    settings.override(home=home, mirror=mirror)


def _register_all() -> None:
    import corridors.cli as package

    modules = []
    for info in pkgutil.iter_modules(package.__path__):
        if info.name == "main" or info.name.startswith("_"):
            continue
        module = importlib.import_module(f"corridors.cli.{info.name}")
        if hasattr(module, "register"):
            modules.append(module)
    for module in sorted(modules, key=lambda m: (getattr(m, "ORDER", 50), m.__name__)):
        module.register(app)


_register_all()


def _user_error(error: BaseException) -> CorridorsError | None:
    """The message for an error a user can act on, whatever command raised it: a CorridorsError
    as it is, an operating-system error on a file (full disk, no permission, missing folder), a
    store that cannot be read. None for a bug, which keeps its traceback."""
    if isinstance(error, CorridorsError):
        return error
    if isinstance(error, OSError):
        from corridors.errors import storage_error

        return storage_error(error, "the output (standard output)")
    duckdb = sys.modules.get("duckdb")
    if duckdb is not None and isinstance(error, (duckdb.IOException, duckdb.SerializationException,
                                                 duckdb.InternalException)):
        from corridors.store import unreadable

        return unreadable(error)
    return None


def _drop_stdout() -> None:
    """Send what is left of standard output nowhere, so that Python's own flush at exit cannot
    fail a second time with a traceback."""
    import os

    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)


def main() -> None:
    """Entry point: turns every error a user can act on into one clear message (no traceback)
    and a non-zero exit."""
    try:
        app()
        sys.stdout.flush()  # a full disk behind `> file` shows here, not at interpreter exit
    except BrokenPipeError:  # `corridors ... | head`: the reader has all it wanted
        _drop_stdout()
        raise SystemExit(0) from None
    except Exception as error:
        found = _user_error(error)
        if found is None:
            raise
        from corridors.cli._output import console_err

        console_err.print(f"[bold red]error:[/] {found}", highlight=False, soft_wrap=True)
        if isinstance(error, OSError) and error.filename is None:
            _drop_stdout()
        # files left open by the failed write complain again when garbage-collected: the user
        # has the one message that matters
        sys.unraisablehook = lambda _: None
        raise SystemExit(found.exit_code) from None
