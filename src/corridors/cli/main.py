"""The ``corridors`` command.

Each module in ``corridors.cli`` that defines ``register(app)`` adds its commands; the modules stay
thin and call the analytics core. Global options (``--home``, ``--mirror``) set the one Settings
object before any command runs.
"""

from __future__ import annotations

import importlib
import pkgutil
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


def main() -> None:
    """Entry point: turns every CorridorsError into one clear message and a non-zero exit."""
    from rich.markup import escape

    from corridors.cli._output import console_err

    try:
        app()
    except CorridorsError as error:
        # escaped: a message naming `corridors[spark]` or a sheet "[Table 1]" keeps its brackets
        console_err.print(f"[bold red]error:[/] {escape(str(error))}", highlight=False, soft_wrap=True)
        raise SystemExit(error.exit_code) from None
