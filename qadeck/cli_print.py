"""How the `qadeck` commands print: diagnostics, the summary line, counts per code, the deck's
report, an output's line and `build --json`."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import click

from qadeck import codes
from qadeck.build import Output
from qadeck.config import Config
from qadeck.model import Collection, Diagnostic

_SEVERITIES = ("error", "warning", "info")


def display(path: Path) -> str:
    try:
        return os.path.relpath(path)
    except ValueError:
        return str(path)


def _show(diagnostic: Diagnostic, notes: Path) -> str:
    if not diagnostic.path:
        return str(diagnostic)
    return str(diagnostic).replace(diagnostic.path, display(notes / diagnostic.path), 1)


def print_diagnostics(diagnostics: list[Diagnostic] | tuple[Diagnostic, ...], notes: Path,
                      quiet_info: bool = False) -> None:
    colors = {"error": "red", "warning": "yellow", "info": None}
    for d in diagnostics:
        if quiet_info and d.severity == "info":
            continue
        click.secho(_show(d, notes), fg=colors.get(d.severity), err=True)


def summary(collection: Collection, outputs: list[Output] | None = None) -> str:
    questions = collection.questions()
    answered = sum(q.answered for q in questions)
    kept = sum(n.in_outputs for n in collection.notes)
    problems = len(collection.problems())
    text = (f"{len(collection.notes)} notes, {kept} in the outputs, {len(questions)} questions"
            f"{f' ({problems} coding problems)' if problems else ''}, {answered} answered, "
            f"{len(questions) - answered} unanswered, {collection.count('warning')} warnings, "
            f"{collection.count('error')} errors")
    if outputs is not None:
        text += f"; the outputs reported {sum(o.flagged() for o in outputs)} warnings or errors"
    return text


def by_code(diagnostics: tuple[Diagnostic, ...], quiet: bool) -> list[str]:
    """One line per diagnostic code with its count, errors first, then the most frequent."""
    counts: dict[tuple[str, str], int] = {}
    for d in diagnostics:
        if not (quiet and d.severity == "info"):
            counts[(d.severity, d.code)] = counts.get((d.severity, d.code), 0) + 1
    order = sorted(counts, key=lambda k: (_SEVERITIES.index(k[0]) if k[0] in _SEVERITIES else 3,
                                          -counts[k], k[1]))
    return [f"{counts[k]:5}  {k[0]:7}  {k[1]}" for k in order]


def print_deck(outputs: list[Output]) -> None:
    """The deck's report, last: what a person importing the package needs to know."""
    for output in outputs:
        if output.report is not None and output.path is not None:
            for line in output.report.lines(display(output.path)):
                click.echo(line)


def _diagnostic_json(d: Diagnostic) -> dict[str, Any]:
    return {"path": d.path, "line": d.line, "severity": d.severity, "code": d.code, "message": d.message}


def build_json(collection: Collection, outputs: list[Output]) -> dict[str, Any]:
    """`build --json`: paths of diagnostics are relative to the notes folder, as in the model."""
    deck = next((o.report for o in outputs if o.report is not None), None)
    diagnostics = [*collection.diagnostics, *(d for o in outputs for d in o.diagnostics)]
    return {
        "deck": deck.to_json() if deck is not None else None,
        "outputs": [{"name": o.name, "path": str(o.path) if o.path else None, "error": o.error,
                     "problems": o.flagged(), "unchanged": o.unchanged} for o in outputs],
        "diagnostics": [_diagnostic_json(d) for d in diagnostics],
        "counts": {"notes": len(collection.notes), "questions": len(collection.questions()),
                   "errors": sum(d.severity == "error" for d in diagnostics),
                   "warnings": sum(d.severity == "warning" for d in diagnostics)},
    }


def left_out(collection: Collection, outputs: list[Output]) -> bool:
    """Whether a note was left out because qadeck failed on it: the build did not do its job."""
    found = [*collection.diagnostics, *(d for o in outputs for d in o.diagnostics)]
    return any(d.code == codes.NOTE_INTERNAL for d in found)


def report_output(output: Output, config: Config) -> None:
    """One output done: its diagnostics, then its line (or why it failed)."""
    if output.error:
        click.secho(f"{output.name}: failed: {output.error}", fg="red", err=True)
        return
    print_diagnostics(output.diagnostics, config.notes)
    done = "unchanged" if output.unchanged else f"{output.seconds:.2f} s"
    click.echo(f"{output.name:5} {display(output.path)}  ({done})")
