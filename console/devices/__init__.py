"""Device manager glue: configuration, one worker per device, health and commands as signals."""

from console.devices.config import DeviceConfig, DeviceKind, config_from_mapping
from console.devices.manager import (
    CommandResult,
    DeviceHealth,
    DeviceManager,
    HealthState,
)

__all__ = [
    "CommandResult",
    "DeviceConfig",
    "DeviceHealth",
    "DeviceKind",
    "DeviceManager",
    "HealthState",
    "config_from_mapping",
]
