"""Simulated devices, one process each: ``python -m devices.sim PROFILE --pty | --tcp PORT``.

``SIMULATORS`` maps a profile name to ``"module:Class"`` (a :class:`devices.sim.base.SimDevice`
subclass); add one line per protocol. See ``devices/sim/base.py`` for how to write one.
"""

from __future__ import annotations

SIMULATORS: dict[str, str] = {
    # Display matrices (devices/sim/matrix.py)
    "extron-sis": "devices.sim.matrix:ExtronSim",
    "dot": "devices.sim.matrix:DotSim",
    "kramer-p3000": "devices.sim.matrix:KramerP3000Sim",
    "kramer-p2000": "devices.sim.matrix:KramerP2000Sim",
    # PTZ cameras (devices/sim/ptz.py)
    "pelco-d": "devices.sim.ptz:PelcoDSim",
    "pelco-p": "devices.sim.ptz:PelcoPSim",
    "visca": "devices.sim.ptz:ViscaSim",
    # Analog line and fax modems (devices/sim/modem.py, devices/sim/faxmodem.py)
    "modem": "devices.sim.modem:ModemSim",
    "faxmodem": "devices.sim.faxmodem:FaxModemSim",
    "ami": "devices.sim.ami:AmiSim",  # scripted PBX, TCP only, own asyncio server
    # Monitoring stations dialling the platform (devices/sim/stations.py; --connect HOST:PORT)
    "hj212": "devices.sim.stations:Hj212StationSim",
    "sl651": "devices.sim.stations:Sl651StationSim",
}
