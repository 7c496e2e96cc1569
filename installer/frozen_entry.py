"""Entry point of the frozen (PyInstaller) Duty Console.

A frozen program has no Python interpreter to start children with, yet the console starts some
(`sys.executable -m devices.sim …` for the demo's simulators, `-c` for their launcher,
`-m widgets.fax_render`). This entry answers those two interpreter options itself; anything
else is the ``duty-console`` command.
"""

from __future__ import annotations

import runpy
import sys


def main() -> None:
    argv = sys.argv
    if len(argv) >= 3 and argv[1] == "-m":
        sys.argv = [argv[2], *argv[3:]]
        runpy.run_module(argv[2], run_name="__main__", alter_sys=True)
        return
    if len(argv) >= 3 and argv[1] == "-c":
        sys.argv = ["-c", *argv[3:]]
        exec(compile(argv[2], "<string>", "exec"), {"__name__": "__main__"})
        return
    from widgets.launcher import main as launch

    launch()


if __name__ == "__main__":
    main()
