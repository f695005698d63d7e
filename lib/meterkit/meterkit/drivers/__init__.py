# Copyright 2026 Meterkit contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Field-device drivers: Modbus TCP / RTU, wired M-Bus, Shelly Gen2 HTTP RPC.

No global state, explicit timeouts, every result keeps the raw frames as
evidence, and every failure is a :class:`DriverError` with a stable code.
The command line tool for installers is ``python -m meterkit.drivers.cli``.
"""

from .errors import ConfigError, DeviceError, DriverError, FrameError, TransportError
from .mbus import MBusClient, parse_frame
from .modbus import ModbusGateway
from .poller import DeviceSpec, GatewaySpec, poll_gateway, poll_gateways
from .registers import BUILTIN_MAPS, RegisterMap, RegisterPoint, get_map
from .result import DeviceResult
from .shelly import ShellyClient

__all__ = [
    "BUILTIN_MAPS",
    "ConfigError",
    "DeviceError",
    "DeviceResult",
    "DeviceSpec",
    "DriverError",
    "FrameError",
    "GatewaySpec",
    "MBusClient",
    "ModbusGateway",
    "RegisterMap",
    "RegisterPoint",
    "ShellyClient",
    "TransportError",
    "get_map",
    "parse_frame",
    "poll_gateway",
    "poll_gateways",
]
