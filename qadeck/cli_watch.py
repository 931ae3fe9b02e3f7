"""`qadeck watch`: build, then rebuild on every save; with --serve, the cheat sheet live."""

from __future__ import annotations

import signal
from pathlib import Path
from typing import Any

import click

from qadeck import exporters
from qadeck.build import Output
from qadeck.cli_options import config_for, notes_inputs, out_option
from qadeck.cli_print import display, print_diagnostics
from qadeck.errors import QadeckError
from qadeck.model import Diagnostic


@click.command(short_help="Rebuild on every save; --serve shows the cheat sheet live.")
@notes_inputs
@out_option
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
    config = config_for(ctx, path, notes, out=out)
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
    session = Session(lambda: config_for(ctx, path, notes, out=out), chosen, settings, _WatchReport(),
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
    watched = [display(scope.trees[0])] + [display(f) for f in scope.settings if f.is_file()]
    click.echo(f"watching {', '.join(watched)} and the styles; Ctrl-C to stop")
    if live is not None:
        click.echo(f"serving the cheat sheet at {live.url}")


class _WatchReport:
    """How `qadeck watch` prints: diagnostics as `qadeck build` prints them, then its line."""

    def diagnostics(self, found: list[Diagnostic], notes: Path) -> None:
        print_diagnostics(found, notes)

    def failed(self, output: Output) -> None:
        click.secho(f"{output.name}: failed: {output.error}", fg="red", err=True)

    def line(self, text: str, ok: bool) -> None:
        click.secho(text, fg=None if ok else "red")

    def trace(self, text: str) -> None:
        click.echo(text, err=True, nl=False)


