"""Device views: the matrix routing grid, the PTZ pad, health indicators and the devices pane."""

from widgets.devices.devices_pane import DevicesPane
from widgets.devices.health import DeviceHealthDialog, DeviceHealthIndicator
from widgets.devices.ptz_pad import PtzPad
from widgets.devices.routing_grid import MatrixRoutingGrid

__all__ = [
    "DeviceHealthDialog",
    "DeviceHealthIndicator",
    "DevicesPane",
    "MatrixRoutingGrid",
    "PtzPad",
]
