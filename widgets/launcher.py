"""The ``duty-console`` command: the GUI layer hands itself to the Qt-widget-free CLI."""

from __future__ import annotations

import argparse
import sys


def _run_gui(args: argparse.Namespace) -> int:
    # Imported late so headless subcommands never load QtWidgets.
    from widgets.app import run_gui

    return run_gui(args)


def main() -> None:
    """Entry point of the ``duty-console`` command."""
    from console.cli import main as cli_main

    sys.exit(cli_main(sys.argv[1:], gui=_run_gui))
