"""``python -m console``: the headless command line (no window)."""

from __future__ import annotations

import sys

from console.cli import main

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
