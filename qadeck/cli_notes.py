"""`qadeck inspect` and `qadeck check`: what was read from the notes, and what is wrong in them."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from qadeck.build import load
from qadeck.cli_options import config_for, notes_inputs
from qadeck.cli_print import by_code, print_diagnostics, summary
from qadeck.inspect_tree import note_lines


@click.command(short_help="Show the questions read from the notes.")
@notes_inputs
@click.option("--json", "as_json", is_flag=True, help="Print the model as JSON.")
@click.pass_context
def inspect(ctx: click.Context, path: Path | None, notes: Path | None, as_json: bool) -> None:
    """Show the questions qadeck reads from a notes folder (default: the configured one)."""
    config = config_for(ctx, path, notes)
    collection = load(config)
    if as_json:
        from qadeck.exporters.json_model import dumps

        click.echo(dumps(collection))
        return
    for note in collection.notes:
        click.secho(f"{note.path}  {note.title}", bold=note.in_outputs, dim=not note.in_outputs, nl=False)
        click.echo("" if note.in_outputs else "  (no questions: checked, not in the outputs)")
        for line, card in note_lines(note):
            click.secho(line, dim=not card)
    print_diagnostics(collection.diagnostics, config.notes, quiet_info=True)
    click.echo(summary(collection), err=True)


@click.command(short_help="Report problems in the notes.")
@notes_inputs
@click.option("--strict", is_flag=True, help="Fail on warnings too.")
@click.option("-q", "--quiet", is_flag=True, help="Only warnings and errors (no info lines).")
@click.pass_context
def check(ctx: click.Context, path: Path | None, notes: Path | None, strict: bool, quiet: bool) -> None:
    """Report problems in the notes, then a count per code. Exit 0 clean, 1 errors (or warnings
    with --strict)."""
    config = config_for(ctx, path, notes)
    collection = load(config)
    print_diagnostics(collection.diagnostics, config.notes, quiet_info=quiet)
    for line in by_code(collection.diagnostics, quiet):
        click.echo(line)
    click.echo(summary(collection))
    failed = collection.count("error") or (strict and collection.count("warning"))
    sys.exit(1 if failed else 0)
