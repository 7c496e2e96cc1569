"""Starting the devices of a console: configurations from the database into the manager.

``start_devices`` is called once by the composition root (``console.app``) after the manager
exists; ``reload_devices`` again whenever the ``devices`` topic announces a changed
configuration.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from console.devices.demo import DemoDevices, DemoError
from console.devices.manager import DeviceManager
from console.services.devices import DeviceService

if TYPE_CHECKING:
    from console.services import Services

log = logging.getLogger(__name__)

DEMO_ACTOR = "system"


def start_devices(
    services: Services, manager: DeviceManager, *, demo: bool = False
) -> DemoDevices | None:
    """Configure ``manager`` with every stored device; with ``demo`` start the simulators first.

    The demo's configurations are upserted by name (their ports and ptys change per run). A
    demo that cannot start is logged and the stored devices still run. Returns the running
    demo (stop it when the console closes; it also stops at exit), or None.
    """
    devices = DeviceService(services.db, services.notify)
    running: DemoDevices | None = None
    if demo:
        candidate = DemoDevices()
        try:
            configs = candidate.start()
            for cfg in configs:
                devices.upsert(DEMO_ACTOR, cfg)
            running = candidate
        except DemoError as exc:
            log.warning("demo devices not started: %s", exc)
            candidate.stop()
        except BaseException:
            candidate.stop()
            raise
    reload_devices(services, manager)
    return running


def reload_devices(services: Services, manager: DeviceManager) -> None:
    """Make ``manager`` run exactly the stored configurations (changed ones restart)."""
    manager.configure(DeviceService(services.db, services.notify).list())
