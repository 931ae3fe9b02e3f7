"""The `qadeck` command: thin click wrappers that load config and call one library function."""

from __future__ import annotations

import json
import os
import signal
import sys
from pathlib import Path
from typing import Any

import click

from qadeck import __version__, cache, codes, exporters, manifest
from qadeck.build import (
    DECK,
    Output,
    build,
    cache_problem,
    context,
    deck_report,
    export_one,
    load,
    memory,
    memory_lost,
    mixed,
    parse,
    tidy,
    writable,
)
from qadeck.config import Config, load_config, with_options, with_overrides
from qadeck.errors import QadeckError, why
from qadeck.inspect_tree import note_lines
from qadeck.model import Collection, Diagnostic
from qadeck.scratch import scratch
from qadeck.stopping import sigterm_as_interrupt, stopped


class _Group(click.Group):
    def invoke(self, ctx: click.Context) -> Any:
        try:
            with sigterm_as_interrupt():
                return super().invoke(ctx)
        except QadeckError as exc:
            click.secho(f"qadeck: error: {exc}", fg="red", err=True)
            sys.exit(1)
        except KeyboardInterrupt as exc:  # Ctrl-C or SIGTERM: the build unwound on the way here
            line, code = stopped(exc)
            click.secho(line, fg="red", err=True)
            sys.exit(code)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="qadeck")
@click.option("--config", "config_file", type=click.Path(path_type=Path, dir_okay=False),
              help="Settings file (default: ./qadeck.toml, else [tool.qadeck] in ./pyproject.toml; "
                   "a pyproject.toml without [tool.qadeck] is an error).")
@click.pass_context
def cli(ctx: click.Context, config_file: Path | None) -> None:
    """Markdown interview notes to an Anki deck, a PDF handbook and an HTML cheat sheet."""
    ctx.obj = config_file


def _config(ctx: click.Context, path: Path | None = None, notes: Path | None = None,
            **overrides: Any) -> Config:
    """The settings, with the flags given; the notes folder may be given as PATH or --notes."""
    if path is not None and notes is not None and path != notes:
        raise click.UsageError(f"the notes folder is given twice ({path} and --notes {notes}); give it once")
    config = with_overrides(load_config(Path.cwd(), ctx.obj), notes=path or notes, **overrides)
    for warning in config.warnings:
        click.secho(f"qadeck: warning: {warning}", fg="yellow", err=True)
    return config


def _show(diagnostic: Diagnostic, notes: Path) -> str:
    if not diagnostic.path:
        return str(diagnostic)
    return str(diagnostic).replace(diagnostic.path, _display(notes / diagnostic.path), 1)


def _display(path: Path) -> str:
    try:
        return os.path.relpath(path)
    except ValueError:
        return str(path)


def _print_diagnostics(diagnostics: list[Diagnostic] | tuple[Diagnostic, ...], notes: Path,
                       quiet_info: bool = False) -> None:
    colors = {"error": "red", "warning": "yellow", "info": None}
    for d in diagnostics:
        if quiet_info and d.severity == "info":
            continue
        click.secho(_show(d, notes), fg=colors.get(d.severity), err=True)


def _summary(collection: Collection, outputs: list[Output] | None = None) -> str:
    questions = collection.questions()
    answered = sum(q.answered for q in questions)
    kept = sum(n.in_outputs for n in collection.notes)
    problems = len(collection.problems())
    text = (f"{len(collection.notes)} notes, {kept} in the outputs, {len(questions)} questions"
            f"{f' ({problems} coding problems)' if problems else ''}, {answered} answered, "
            f"{len(questions) - answered} unanswered, {collection.count('warning')} warnings, "
            f"{collection.count('error')} errors")
    if outputs is not None:
        text += f"; the outputs reported {sum(o.problems() for o in outputs)} warnings or errors"
    return text


_path_argument = click.argument("path", required=False, type=click.Path(path_type=Path, file_okay=False))
_notes_option = click.option("--notes", type=click.Path(path_type=Path, file_okay=False),
                             help="Notes folder (the same as PATH).")
_out_option = click.option("--out", type=click.Path(path_type=Path, file_okay=False),
                           help="Output folder (default: the configured `out`, else build).")


def _notes_inputs(command: Any) -> Any:
    """PATH and --notes, the two spellings of the notes folder every command accepts."""
    return _path_argument(_notes_option(command))


@cli.command(short_help="Show the questions read from the notes.")
@_notes_inputs
@click.option("--json", "as_json", is_flag=True, help="Print the model as JSON.")
@click.pass_context
def inspect(ctx: click.Context, path: Path | None, notes: Path | None, as_json: bool) -> None:
    """Show the questions qadeck reads from a notes folder (default: the configured one)."""
    config = _config(ctx, path, notes)
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
    _print_diagnostics(collection.diagnostics, config.notes, quiet_info=True)
    click.echo(_summary(collection), err=True)


_SEVERITIES = ("error", "warning", "info")


def _by_code(diagnostics: tuple[Diagnostic, ...], quiet: bool) -> list[str]:
    """One line per diagnostic code with its count, errors first, then the most frequent."""
    counts: dict[tuple[str, str], int] = {}
    for d in diagnostics:
        if not (quiet and d.severity == "info"):
            counts[(d.severity, d.code)] = counts.get((d.severity, d.code), 0) + 1
    order = sorted(counts, key=lambda k: (_SEVERITIES.index(k[0]) if k[0] in _SEVERITIES else 3,
                                          -counts[k], k[1]))
    return [f"{counts[k]:5}  {k[0]:7}  {k[1]}" for k in order]


@cli.command(short_help="Report problems in the notes.")
@_notes_inputs
@click.option("--strict", is_flag=True, help="Fail on warnings too.")
@click.option("-q", "--quiet", is_flag=True, help="Only warnings and errors (no info lines).")
@click.pass_context
def check(ctx: click.Context, path: Path | None, notes: Path | None, strict: bool, quiet: bool) -> None:
    """Report problems in the notes, then a count per code. Exit 0 clean, 1 errors (or warnings
    with --strict)."""
    config = _config(ctx, path, notes)
    collection = load(config)
    _print_diagnostics(collection.diagnostics, config.notes, quiet_info=quiet)
    for line in _by_code(collection.diagnostics, quiet):
        click.echo(line)
    click.echo(_summary(collection))
    failed = collection.count("error") or (strict and collection.count("warning"))
    sys.exit(1 if failed else 0)


@cli.command("build", short_help="Write every output into the output folder.")
@_notes_inputs
@_out_option
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
    config = _config(ctx, path, notes, out=out)
    chosen = [n.strip() for n in only.split(",") if n.strip()] if only else None
    progress = None if as_json else (lambda o: _report(o, config))
    if not no_cache and (problem := cache_problem(config)) is not None:
        click.secho(f"qadeck: warning: the build cache {_display(config.out / '.cache')} cannot be written "
                    f"({why(problem)}): it is only read, so builds redo more", fg="yellow", err=True)
    collection, outputs = build(config, chosen, progress=progress, cache=not no_cache)
    if as_json:
        click.echo(json.dumps(_build_json(collection, outputs), ensure_ascii=False, indent=1))
    else:
        _print_diagnostics(collection.diagnostics, config.notes, quiet_info=True)
        click.echo(_summary(collection, outputs), err=True)
        if outputs and all(o.unchanged for o in outputs):
            click.echo("nothing changed: every output is up to date", err=True)
        _print_deck(outputs)
        if (line := mixed(outputs)) is not None:
            click.secho(line, fg="red", err=True)
    failed = any(o.error for o in outputs) or _left_out(collection, outputs)
    problems = collection.count("error") + collection.count("warning") + sum(o.problems() for o in outputs)
    sys.exit(1 if failed or (strict and problems) else 0)


def _print_deck(outputs: list[Output]) -> None:
    """The deck's report, last: what a person importing the package needs to know."""
    for output in outputs:
        if output.report is not None and output.path is not None:
            for line in output.report.lines(_display(output.path)):
                click.echo(line)


def _diagnostic_json(d: Diagnostic) -> dict[str, Any]:
    return {"path": d.path, "line": d.line, "severity": d.severity, "code": d.code, "message": d.message}


def _build_json(collection: Collection, outputs: list[Output]) -> dict[str, Any]:
    """`build --json`: paths of diagnostics are relative to the notes folder, as in the model."""
    deck = next((o.report for o in outputs if o.report is not None), None)
    diagnostics = [*collection.diagnostics, *(d for o in outputs for d in o.diagnostics)]
    return {
        "deck": deck.to_json() if deck is not None else None,
        "outputs": [{"name": o.name, "path": str(o.path) if o.path else None, "error": o.error,
                     "problems": o.problems(), "unchanged": o.unchanged} for o in outputs],
        "diagnostics": [_diagnostic_json(d) for d in diagnostics],
        "counts": {"notes": len(collection.notes), "questions": len(collection.questions()),
                   "errors": sum(d.severity == "error" for d in diagnostics),
                   "warnings": sum(d.severity == "warning" for d in diagnostics)},
    }


def _left_out(collection: Collection, outputs: list[Output]) -> bool:
    """Whether a note was left out because qadeck failed on it: the build did not do its job."""
    found = [*collection.diagnostics, *(d for o in outputs for d in o.diagnostics)]
    return any(d.code == codes.NOTE_INTERNAL for d in found)


def _report(output: Output, config: Config) -> None:
    if output.error:
        click.secho(f"{output.name}: failed: {output.error}", fg="red", err=True)
        return
    _print_diagnostics(output.diagnostics, config.notes)
    done = "unchanged" if output.unchanged else f"{output.seconds:.2f} s"
    click.echo(f"{output.name:5} {_display(output.path)}  ({done})")


@cli.command(short_help="Remove the build cache (and with --outputs, the outputs).")
@_out_option
@click.option("--outputs", is_flag=True, help="Also remove the outputs (and the deck's manifest).")
@click.pass_context
def clean(ctx: click.Context, out: Path | None, outputs: bool) -> None:
    """Remove the build cache, <out>/.cache; the next build makes everything afresh. With
    --outputs, also the files `qadeck build` writes (the deck's manifest too: the next deck starts
    without the memory of earlier builds)."""
    config = _config(ctx, out=out)
    removed = [f"{_display(config.out / '.cache')}/"] if cache.remove(config.out / ".cache") else []
    if outputs:
        for name in exporters.names():
            target = config.output(exporters.load(name).SUFFIX)
            for path in (target, manifest.path_for(target)):
                if path.is_file():
                    path.unlink()
                    removed.append(_display(path))
    click.echo(f"removed {', '.join(removed)}" if removed else "nothing to remove", err=True)


@cli.command(short_help="Rebuild on every save; --serve shows the cheat sheet live.")
@_notes_inputs
@_out_option
@click.option("--only", help="Comma-separated exporters to rebuild (default json,anki,html; the PDF "
                             "takes seconds to minutes, so it is rebuilt only when --only names it).")
@click.option("--serve", is_flag=True,
              help="Serve the output folder on 127.0.0.1 and reload the open cheat sheet after each rebuild.")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="Port for --serve (0: any free one).")
@click.pass_context
def watch(ctx: click.Context, path: Path | None, notes: Path | None, out: Path | None, only: str | None,
          serve: bool, port: int) -> None:
    """Build, then rebuild whenever a note, the settings file or a style changes, printing one line
    per rebuild: what changed, what was rebuilt, how long it took, the warnings and errors (the new
    ones are printed above it, as `qadeck build` prints them; the first build prints all).

    By default only the fast outputs are rebuilt: json, anki and html. The PDF is rebuilt only when
    --only names it (--only html,pdf). The output folder, .git and editors' temporary files are
    ignored. With --serve the cheat sheet is at http://127.0.0.1:PORT/ (nothing is opened for you)
    and an open page reloads itself after each rebuild; the file written stays the same as
    `qadeck build` writes. Ctrl-C stops; an interrupted build leaves the previous outputs."""
    from qadeck.serve import LiveServer, Site
    from qadeck.watch import FAST, Session, styles_folder

    chosen = [n.strip() for n in only.split(",") if n.strip()] if only else list(FAST)
    unknown = [n for n in chosen if n not in exporters.EXPORTERS]
    if unknown:
        raise click.UsageError(f"unknown exporter {', '.join(unknown)}; "
                               f"choose from {', '.join(exporters.names())}")
    if serve and "html" not in chosen:
        raise click.UsageError("--serve shows the cheat sheet: add html to --only")
    config = _config(ctx, path, notes, out=out)
    if not config.notes.is_dir():
        raise QadeckError(f"{config.notes}: notes folder not found")
    settings = (ctx.obj,) if ctx.obj else (Path.cwd() / "qadeck.toml", Path.cwd() / "pyproject.toml")
    live = None
    if serve:
        try:
            live = LiveServer(Site(config.out.resolve(), config.output(".html").name), port)
        except OSError as exc:
            raise QadeckError(f"cannot serve on 127.0.0.1:{port}: {exc.strerror or exc}") from None
        live.start()
    session = Session(lambda: _config(ctx, path, notes, out=out), chosen, settings, _WatchReport(),
                      styles_folder(), live)
    previous = signal.signal(signal.SIGTERM, _interrupt)  # `kill` stops as cleanly as Ctrl-C
    try:
        interrupted = session.run(config, lambda scope: _watching(scope, live))
    finally:
        signal.signal(signal.SIGTERM, previous)
        if live is not None:
            live.stop()
    click.echo("stopped" + (" (the build under way was dropped; the previous outputs are kept)"
                            if interrupted else ""))


def _interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


def _watching(scope: Any, live: Any) -> None:
    watched = [_display(scope.trees[0])] + [_display(f) for f in scope.settings if f.is_file()]
    click.echo(f"watching {', '.join(watched)} and the styles; Ctrl-C to stop")
    if live is not None:
        click.echo(f"serving the cheat sheet at {live.url}")


class _WatchReport:
    """How `qadeck watch` prints: diagnostics as `qadeck build` prints them, then its line."""

    def diagnostics(self, found: list[Diagnostic], notes: Path) -> None:
        _print_diagnostics(found, notes)

    def failed(self, output: Output) -> None:
        click.secho(f"{output.name}: failed: {output.error}", fg="red", err=True)

    def line(self, text: str, ok: bool) -> None:
        click.secho(text, fg=None if ok else "red")

    def trace(self, text: str) -> None:
        click.echo(text, err=True, nl=False)


def _single(name: str, ctx: click.Context, inputs: dict[str, Any], **options: Any) -> None:
    """One exporter on its own; `inputs` are the command's PATH, --notes, --out and -o."""
    output = inputs.pop("output")
    config = with_options(_config(ctx, **inputs), name, **options)
    shared = context(config)
    target = output or config.output(exporters.load(name).SUFFIX)
    tidy(target.parent, config.out / ".cache")  # what a killed build left
    writable(target.parent)
    package = target if name == DECK else config.output(exporters.load(DECK).SUFFIX)
    before = memory(package)
    lost = memory_lost(package, before)
    collection = parse(config, before)
    with scratch(shared.cache):
        result = export_one(name, collection, target, config, shared)
    result.diagnostics.extend([lost] if lost is not None else [])
    if name == DECK:
        deck_report(result, before, collection)
    _print_diagnostics(collection.diagnostics, config.notes, quiet_info=True)
    _report(result, config)
    _print_deck([result])
    sys.exit(1 if result.error or _left_out(collection, [result]) else 0)


def _single_inputs(command: Any) -> Any:
    """The notes (PATH or --notes), and where to write: -o FILE, or --out DIR (DIR/<name>.<suffix>)."""
    output = click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False),
                          help="Output file (default: <out>/<name>.<suffix>).")
    return _notes_inputs(_out_option(output(command)))


@cli.command(short_help="Write the Anki package (.apkg).")
@_single_inputs
@click.option("--include-unanswered", is_flag=True, default=None,
              help="Also make cards for questions without an answer.")
@click.pass_context
def anki(ctx: click.Context, include_unanswered: bool | None, **inputs: Any) -> None:
    """Write the Anki package (.apkg) on its own."""
    _single("anki", ctx, inputs, include_unanswered=include_unanswered)


@cli.command(short_help="Write the PDF handbook.")
@_single_inputs
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


@cli.command(short_help="Write the HTML cheat sheet.")
@_single_inputs
@click.pass_context
def html(ctx: click.Context, **inputs: Any) -> None:
    """Write the single-page HTML cheat sheet on its own."""
    _single("html", ctx, inputs)


from qadeck.sync import sync_command  # noqa: E402  (it reuses this module's helpers when run)

cli.add_command(sync_command)


def main() -> None:
    cli(prog_name="qadeck")
