"""The `qadeck` command: the click group, and the commands it gathers.

Each command is a thin wrapper that loads the settings and calls one library function; they live
by what they do: cli_notes (inspect, check), cli_build (build, anki, pdf, html, clean), cli_watch,
and qadeck.sync. The shared options are in cli_options, the printing in cli_print.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from qadeck import __version__
from qadeck.cli_build import anki, build_command, clean, html, pdf
from qadeck.cli_notes import check, inspect
from qadeck.cli_watch import watch
from qadeck.errors import QadeckError
from qadeck.stopping import sigterm_as_interrupt, stopped
from qadeck.sync import sync_command


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
    ctx.obj = config_file  # read by cli_options.config_for


for _command in (inspect, check, build_command, clean, watch, anki, pdf, html, sync_command):
    cli.add_command(_command)


def main() -> None:
    cli(prog_name="qadeck")
