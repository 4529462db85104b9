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

import corridors.settings as settings
from corridors._version import __version__
from corridors.cli._output import commands
from corridors.errors import CorridorsError

#: The module that registers each top-level command. `corridors COMMAND ...` imports and builds
#: only that module's commands (a quick query then prepares one command, not forty); help, an
#: unknown name or a command missing here registers every module, so this table only ever speeds
#: things up (tests/cli/test_cli_startup.py keeps it complete).
COMMANDS = {
    "sources": "sources", "pull": "sources", "mirror": "sources",
    "build": "store", "summary": "store", "stock": "store", "countries": "store",
    "ssm": "ssm", "profile": "profile", "corridor": "profile", "export": "export",
    "flows": "flows", "survey": "survey", "serve": "serve", "lenses": "lenses",
    "remittances": "remittances", "brief": "brief",
    "ratifications": "governance", "practices": "governance", "agreements": "governance",
    "communities": "governance", "instruments": "governance", "scorecard": "governance",
}
#: Global options that take a value (the command name comes after them).
_VALUED = ("--home", "--mirror")


def _version(value: bool) -> None:
    if value:
        typer.echo(f"corridors {__version__}")
        raise typer.Exit()


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


def _modules() -> list:
    """Every module of ``corridors.cli`` that registers commands, in their ORDER."""
    import corridors.cli as package

    modules = []
    for info in pkgutil.iter_modules(package.__path__):
        if info.name == "main" or info.name.startswith("_"):
            continue
        module = importlib.import_module(f"corridors.cli.{info.name}")
        if hasattr(module, "register"):
            modules.append(module)
    return sorted(modules, key=lambda m: (getattr(m, "ORDER", 50), m.__name__))


def build_app(command: str | None = None) -> typer.Typer:
    """The ``corridors`` app with every command, or with only the module that registers
    ``command`` when COMMANDS knows it."""
    root = commands(
        name="corridors",
        help=(
            "The South-South Mobility Observatory: official migrant stocks, South-South lenses, "
            "survey indicators, flows and governance - offline."
        ),
        no_args_is_help=True,
        pretty_exceptions_enable=False,
    )
    root.callback()(_global)
    module = COMMANDS.get(command or "")
    for found in [importlib.import_module(f"corridors.cli.{module}")] if module else _modules():
        found.register(root)
    return root


def command_name(args: list[str]) -> str | None:
    """The command a command line asks for (the first word after the global options)."""
    skip = False
    for arg in args:
        if skip:
            skip = False
        elif arg in _VALUED:
            skip = True
        elif not arg.startswith("-"):
            return arg
    return None


def __getattr__(name: str) -> typer.Typer:
    if name == "app":  # the whole CLI, for tests and embedding (built once, on first use)
        globals()["app"] = built = build_app()
        return built
    raise AttributeError(name)


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
    if duckdb is None:
        return None
    store_path = str(settings.settings().store_path)
    if isinstance(error, (duckdb.SerializationException, duckdb.InternalException)) or (
            isinstance(error, duckdb.IOException) and store_path in str(error)):
        from corridors.store.lifecycle import damaged  # the store's own blocks cannot be read

        return damaged(settings.settings().store_path, error)
    if isinstance(error, duckdb.IOException):  # another file (an input, an output)
        detail = str(error).strip().splitlines()[0]
        return CorridorsError(f"{detail.removeprefix('IO Error: ')}. Check the path, the disk and "
                              "your permissions.")
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
        build_app(command_name(sys.argv[1:]))()
        sys.stdout.flush()  # a full disk behind `> file` shows here, not at interpreter exit
    except BrokenPipeError:  # `corridors ... | head`: the reader has all it wanted
        _drop_stdout()
        raise SystemExit(0) from None
    except Exception as error:
        found = _user_error(error)
        if found is None:
            raise
        from rich.markup import escape

        from corridors.cli._output import console_err

        console_err.print(f"[bold red]error:[/] {escape(str(found))}", highlight=False,
                          soft_wrap=True)
        if isinstance(error, OSError) and error.filename is None:
            _drop_stdout()
        # files left open by the failed write complain again when garbage-collected: the user
        # has the one message that matters
        sys.unraisablehook = lambda _: None
        raise SystemExit(found.exit_code) from None
