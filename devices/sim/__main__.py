"""``python -m devices.sim PROFILE --pty | --tcp PORT``: see devices/sim/base.py."""

from __future__ import annotations

import sys

from devices.sim.base import main

if __name__ == "__main__":
    sys.exit(main())
