"""`qadeck build`, the one-output commands (`anki`, `pdf`, `html`) and `qadeck clean`."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from qadeck import cache, exporters, manifest
from qadeck.build import (
    DECK,
    build,
    cache_unwritable,
    context,
    deck_report,
    export_one,
    memory,
    memory_lost,
    mixed,
    parse,
    tidy,
    writable,
)
from qadeck.cli_options import config_for, notes_inputs, out_option, single_inputs
from qadeck.cli_print import (
    build_json,
    display,
    left_out,
    print_deck,
    print_diagnostics,
    report_output,
    summary,
)
from qadeck.config import with_options
from qadeck.errors import why
from qadeck.scratch import scratch


@click.command("build", short_help="Write every output into the output folder.")
@notes_inputs
@out_option
@click.option("--only", help=f"Comma-separated exporters ({', '.join(exporters.names())}).")
@click.option("--strict", is_flag=True,
              help="Exit 1 on any warning or error, from the notes or from an exporter.")
@click.option("--json", "as_json", is_flag=True,
              help="Print what changed in the deck, the outputs and the diagnostics as JSON.")
@click.option("--no-cache", is_flag=True,
              help="Make every output afresh; the build cache (<out>/.cache) is neither read nor written.")
@click.pass_context
def build_command(ctx: click.Context, path: Path | None, notes: Path | None, out: Path | None,
                  only: str | None, strict: bool, as_json: bool, no_cache: bool) -> None:
    """Parse the notes once, then write every output into the output folder, and say what
    changed in the deck since the last build (questions added, changed, removed, moved).

    With --strict, the exit code is 1 when the notes or any exporter reported a warning or an
    error (a formula that cannot be typeset, an image left out, ...); the outputs are written all
    the same.

    Only what changed since the last build is redone (the build cache in <out>/.cache); when no
    input changed, no output is rewritten."""
    config = config_for(ctx, path, notes, out=out)
    chosen = [n.strip() for n in only.split(",") if n.strip()] if only else None
    progress = None if as_json else (lambda o: report_output(o, config))
    if not no_cache and (unwritable := cache_unwritable(config)) is not None:
        click.secho(f"qadeck: warning: the build cache {display(config.out / '.cache')} cannot be written "
                    f"({why(unwritable)}): it is only read, so builds redo more", fg="yellow", err=True)
    collection, outputs = build(config, chosen, progress=progress, cache=not no_cache)
    if as_json:
        click.echo(json.dumps(build_json(collection, outputs), ensure_ascii=False, indent=1))
    else:
        print_diagnostics(collection.diagnostics, config.notes, quiet_info=True)
        click.echo(summary(collection, outputs), err=True)
        if outputs and all(o.unchanged for o in outputs):
            click.echo("nothing changed: every output is up to date", err=True)
        print_deck(outputs)
        if (line := mixed(outputs)) is not None:
            click.secho(line, fg="red", err=True)
    failed = any(o.error for o in outputs) or left_out(collection, outputs)
    flagged = collection.count("error") + collection.count("warning") + sum(o.flagged() for o in outputs)
    sys.exit(1 if failed or (strict and flagged) else 0)


@click.command(short_help="Remove the build cache (and with --outputs, the outputs).")
@out_option
@click.option("--outputs", is_flag=True, help="Also remove the outputs (and the deck's manifest).")
@click.pass_context
def clean(ctx: click.Context, out: Path | None, outputs: bool) -> None:
    """Remove the build cache, <out>/.cache; the next build makes everything afresh. With
    --outputs, also the files `qadeck build` writes (the deck's manifest too: the next deck starts
    without the memory of earlier builds)."""
    config = config_for(ctx, out=out)
    removed = [f"{display(config.out / '.cache')}/"] if cache.remove(config.out / ".cache") else []
    if outputs:
        for name in exporters.names():
            target = config.output(exporters.load(name).SUFFIX)
            for path in (target, manifest.path_for(target)):
                if path.is_file():
                    path.unlink()
                    removed.append(display(path))
    click.echo(f"removed {', '.join(removed)}" if removed else "nothing to remove", err=True)


def _single(name: str, ctx: click.Context, inputs: dict[str, Any], **options: Any) -> None:
    """One exporter on its own; `inputs` are the command's PATH, --notes, --out and -o."""
    output = inputs.pop("output")
    config = with_options(config_for(ctx, **inputs), name, **options)
    shared = context(config)
    target = output or config.output(exporters.load(name).SUFFIX)
    tidy(target.parent, config.out / ".cache")  # what a killed build left
    writable(target.parent)
    package = target if name == DECK else config.output(exporters.load(DECK).SUFFIX)
    before = memory(package)
    lost = memory_lost(package, before)
    collection = parse(config, before, shared.cache)
    with scratch(shared.cache):
        result = export_one(name, collection, target, config, shared)
    result.diagnostics.extend([lost] if lost is not None else [])
    if name == DECK:
        deck_report(result, before, collection)
    print_diagnostics(collection.diagnostics, config.notes, quiet_info=True)
    report_output(result, config)
    print_deck([result])
    sys.exit(1 if result.error or left_out(collection, [result]) else 0)


@click.command(short_help="Write the Anki package (.apkg).")
@single_inputs
@click.option("--include-unanswered", is_flag=True, default=None,
              help="Also make cards for questions without an answer.")
@click.pass_context
def anki(ctx: click.Context, include_unanswered: bool | None, **inputs: Any) -> None:
    """Write the Anki package (.apkg) on its own."""
    _single("anki", ctx, inputs, include_unanswered=include_unanswered)


@click.command(short_help="Write the PDF handbook.")
@single_inputs
@click.option("--paper", metavar="A4|Letter|A5", help="Paper size (default A4).")
@click.option("--font", type=click.Path(path_type=Path, dir_okay=False),
              help="A CJK font file to use.")
@click.option("--questions-only", is_flag=True, default=None, help="Leave the answers out.")
@click.option("-j", "--jobs", type=click.IntRange(min=0), default=None,
              help="Processes printing a long book in parts (default 2; 1: one piece).")
@click.pass_context
def pdf(ctx: click.Context, paper: str | None, font: Path | None, questions_only: bool | None,
        jobs: int | None, **inputs: Any) -> None:
    """Write the printable PDF handbook on its own."""
    _single("pdf", ctx, inputs, paper=paper, font=font, questions_only=questions_only, jobs=jobs)


@click.command(short_help="Write the HTML cheat sheet.")
@single_inputs
@click.pass_context
def html(ctx: click.Context, **inputs: Any) -> None:
    """Write the single-page HTML cheat sheet on its own."""
    _single("html", ctx, inputs)


