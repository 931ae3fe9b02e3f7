"""What every `qadeck` command takes: the settings with its flags, and the shared options."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from qadeck.config import Config, load_config, with_overrides


def config_for(ctx: click.Context, path: Path | None = None, notes: Path | None = None,
               **overrides: Any) -> Config:
    """The settings, with the flags given; the notes folder may be given as PATH or --notes.
    `ctx.obj` is the group's --config file, if any."""
    if path is not None and notes is not None and path != notes:
        raise click.UsageError(f"the notes folder is given twice ({path} and --notes {notes}); give it once")
    config = with_overrides(load_config(Path.cwd(), ctx.obj), notes=path or notes, **overrides)
    for warning in config.warnings:
        click.secho(f"qadeck: warning: {warning}", fg="yellow", err=True)
    return config


_path_argument = click.argument("path", required=False, type=click.Path(path_type=Path, file_okay=False))
_notes_option = click.option("--notes", type=click.Path(path_type=Path, file_okay=False),
                             help="Notes folder (the same as PATH).")
out_option = click.option("--out", type=click.Path(path_type=Path, file_okay=False),
                          help="Output folder (default: the configured `out`, else build).")


def notes_inputs(command: Any) -> Any:
    """PATH and --notes, the two spellings of the notes folder every command accepts."""
    return _path_argument(_notes_option(command))


def single_inputs(command: Any) -> Any:
    """The notes (PATH or --notes), and where to write: -o FILE, or --out DIR (DIR/<name>.<suffix>)."""
    output = click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False),
                          help="Output file (default: <out>/<name>.<suffix>).")
    return notes_inputs(out_option(output(command)))
