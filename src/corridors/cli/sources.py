"""`corridors sources` and `corridors pull`: what the observatory reads, and getting it here."""

from __future__ import annotations

from pathlib import Path

import typer

import corridors.settings as settings
from corridors.cli._output import Format, console, emit

ORDER = 10


def sources_command(
    fmt: Format = typer.Option(Format.table, "--format", help="table, csv or json."),
) -> None:
    """List every publication corridors knows, with its edition, licence and local state."""
    from corridors.sources import cache, registry

    rows = []
    for source in registry().values():
        prov = cache.Provenance.read(cache.folder_for(source))
        rows.append({
            "id": source.id,
            "publisher": source.publisher,
            "edition": source.edition,
            "licence": source.licence,
            "state": cache.state(source),
            "fetched_from": prov.files[0].fetched_from if prov else None,
            "sha256": (prov.files[0].sha256[:16] if prov else (source.primary.sha256 or "")[:16]),
            "required": source.required,
            "title": source.title,
            "url": source.primary.url or source.page,
            "page": source.page,
            "alternate_of": source.alternate_of,
            "shipped": source.shipped,
            "files": [{"name": f.name, "url": f.url, "member": f.member, "mirror": f.mirror,
                       "also": [c.path for c in f.also], "sha256": f.sha256}
                      for f in source.files],
        })
    if fmt is Format.csv:  # one line per source: the file list is in the JSON
        rows = [{k: v for k, v in r.items() if k != "files"} for r in rows]
    if fmt is Format.table:
        shown = [{k: r[k] for k in ("id", "edition", "state", "licence", "title")} for r in rows]
        emit(shown, fmt, title="Sources",
             caption="`corridors pull` fetches them; `--mirror DIR` copies from an offline mirror.")
    else:
        emit(rows, fmt)


def pull_command(
    ids: list[str] = typer.Argument(None, help="Source ids to pull (default: all)."),
    force: bool = typer.Option(False, "--force", help="Fetch again even if already pulled."),
    mirror: Path | None = typer.Option(
        None, "--mirror", help="Copy from this offline mirror folder instead of downloading."),
) -> None:
    """Download the official files (or copy them from --mirror), verifying checksums.

    Records provenance for each file: where it came from, edition, licence, sha256 and time.
    Offline: `corridors pull --mirror /media/usb/sources` (or `CORRIDORS_MIRROR`).
    """
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        Progress,
        TaskID,
        TextColumn,
        TimeRemainingColumn,
        TransferSpeedColumn,
    )

    from corridors.sources.pull import pull

    if mirror is not None:
        settings.override(mirror=mirror)
    columns = (TextColumn("[bold]{task.description}"), BarColumn(), DownloadColumn(),
               TransferSpeedColumn(), TimeRemainingColumn())
    with Progress(*columns, console=console.real, transient=True) as bar:
        tasks: dict[tuple[str, str], TaskID] = {}

        def progress(source_id: str, name: str, done: int, total: int | None) -> None:
            key = (source_id, name)
            if key not in tasks:
                tasks[key] = bar.add_task(f"{source_id}: {name[:40]}", total=total)
            bar.update(tasks[key], completed=done, total=total)

        results = pull(ids or None, force=force, progress=progress)
    pulled = sum(r.status == "pulled" for r in results)
    fresh = sum(r.status == "up to date" for r in results)
    for r in results:
        if r.status == "skipped":
            console.print(f"[yellow]skipped[/] {r.source_id}: {r.detail}")
    console.print(f"[green]pull:[/] {pulled} pulled, {fresh} already up to date, "
                  f"{len(results) - pulled - fresh} skipped")


def mirror_command(
    folder: Path = typer.Argument(..., help="Folder to write the mirror into (created if missing)."),
) -> None:
    """Write every pulled file into FOLDER laid out like the publishers' sites: a mirror for a
    colleague without internet, who runs `corridors --mirror FOLDER pull`.

    Example: `corridors pull && corridors mirror /media/usb/sources`.
    """
    from corridors.sources.mirror import write_mirror

    result = write_mirror(folder)
    console.print(f"[green]mirror:[/] {result.files:,} files ({result.bytes / 1e6:,.1f} MB) of "
                  f"{len(result.sources)} sources written to {result.folder}")
    if result.not_pulled:
        console.print(f"[yellow]not pulled, so not in the mirror:[/] {', '.join(result.not_pulled)}")
    console.print(f"Offline: `corridors --mirror {result.folder} pull`")


def register(app: typer.Typer) -> None:
    app.command("sources")(sources_command)
    app.command("pull")(pull_command)
    app.command("mirror")(mirror_command)
