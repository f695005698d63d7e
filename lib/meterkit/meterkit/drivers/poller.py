# Copyright 2026 Meterkit contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Poll gateways concurrently, one connection and one request in flight each.

The caller (the Odoo cron, a bench or a site script) describes gateways and
their devices as plain :class:`GatewaySpec` data; :func:`poll_gateways` runs one
worker thread per gateway (up to ``max_workers``) and returns plain
:class:`GatewayOutcome` data. Nothing here touches a database: the caller
writes the results in its own thread.
"""

import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from .errors import CONFIG, CONNECTION, ConfigError, DriverError, TransportError
from .mbus import MBusClient
from .modbus import ModbusGateway
from .registers import get_map
from .shelly import ShellyClient

KINDS = (
    "modbus_tcp",
    "modbus_rtu_tcp",
    "modbus_rtu_serial",
    "mbus_tcp",
    "mbus_serial",
    "shelly",
)


@dataclass(frozen=True)
class DeviceSpec:
    """One device behind a gateway.

    :param key: the caller's id (e.g. a mapping record id).
    :param address: Modbus unit id, M-Bus primary address, Shelly channel.
    :param secondary: M-Bus secondary address (16 hex digits), if used.
    :param regmap: a RegisterMap (Modbus), or a built-in map code.
    :param shelly_kind: ``em`` or ``switch``.
    :param mbus_quantity: ``Energy`` or ``Volume``: the M-Bus counter billed
        (default: energy, else volume).
    :param relay: ``(coil_or_channel, desired_on)`` to reconcile, or None.
    """

    key: object
    address: int = 0
    secondary: str = ""
    regmap: object = None
    register_count: int = 1
    shelly_kind: str = "switch"
    mbus_quantity: str = ""
    relay: tuple | None = None


@dataclass(frozen=True)
class GatewaySpec:
    key: object
    kind: str
    host: str = ""
    port: int = 0
    timeout: float = 1.5
    retries: int = 0
    serial_port: str = ""
    baudrate: int = 9600
    parity: str = "N"
    username: str = ""
    password: str = ""
    devices: tuple = ()


@dataclass(frozen=True)
class RelayOutcome:
    desired: bool
    actual: bool | None
    raw: str = ""
    error: DriverError | None = None


@dataclass(frozen=True)
class DeviceOutcome:
    key: object
    result: object = None  # DeviceResult
    error: DriverError | None = None
    relay: RelayOutcome | None = None


@dataclass(frozen=True)
class GatewayOutcome:
    """``reached`` is False when the gateway could not be connected or no
    device answered at all (the cable is out), True otherwise."""

    key: object
    reached: bool
    error: DriverError | None = None
    devices: tuple = field(default_factory=tuple)
    elapsed: float = 0.0


def open_gateway(spec):
    """A connected client for ``spec`` (Modbus, M-Bus or Shelly)."""
    if spec.kind in ("modbus_tcp", "modbus_rtu_tcp", "modbus_rtu_serial"):
        client = ModbusGateway(
            spec.host,
            spec.port or 502,
            framer="socket" if spec.kind == "modbus_tcp" else "rtu",
            timeout=spec.timeout,
            retries=spec.retries,
            serial_port=spec.serial_port if spec.kind == "modbus_rtu_serial" else None,
            baudrate=spec.baudrate,
            parity=spec.parity,
        )
    elif spec.kind == "mbus_tcp":
        client = MBusClient(
            spec.host, spec.port, timeout=spec.timeout, retries=spec.retries
        )
    elif spec.kind == "mbus_serial":
        client = MBusClient(
            spec.serial_port,
            0,
            timeout=spec.timeout,
            retries=spec.retries,
            stream=_open_serial(spec),
        )
    elif spec.kind == "shelly":
        client = ShellyClient(
            spec.host,
            spec.port or 80,
            timeout=spec.timeout,
            username=spec.username or "admin",
            password=spec.password or None,
        )
    else:
        raise ConfigError(CONFIG, f"unknown gateway kind {spec.kind!r}")
    if hasattr(client, "connect"):
        client.connect()
    return client


def _open_serial(spec):
    """A local M-Bus master (2400 baud 8E1 by default) or any pyserial URL
    such as ``socket://host:port`` or ``rfc2217://host:port``."""
    import serial

    parity = {"N": serial.PARITY_NONE, "E": serial.PARITY_EVEN, "O": serial.PARITY_ODD}
    try:
        return serial.serial_for_url(
            spec.serial_port,
            baudrate=spec.baudrate or 2400,
            parity=parity.get(spec.parity, serial.PARITY_EVEN),
            timeout=0.05,
        )
    except (serial.SerialException, ValueError) as error:
        raise TransportError(CONNECTION, f"{spec.serial_port}: {error}") from error


def _read_device(client, kind, device, now):
    if kind.startswith("modbus"):
        regmap = device.regmap
        if isinstance(regmap, str):
            regmap = get_map(regmap)
        if regmap is None or not regmap.points:
            return None
        return client.read_map(int(device.address), regmap, now=now)
    if kind.startswith("mbus"):
        return client.read(
            address=None if device.secondary else int(device.address),
            secondary=device.secondary or None,
            now=now,
            register_count=device.register_count,
            quantity=device.mbus_quantity or None,
        )
    return client.read(device.address, kind=device.shelly_kind, now=now)


def _set_relay(client, kind, device):
    target, desired = device.relay
    try:
        if kind == "shelly":
            actual, raw = client.switch_set(target, desired)
        elif kind.startswith("modbus"):
            actual, raw = client.set_coil(int(device.address), int(target), desired)
        else:
            raise ConfigError(CONFIG, "M-Bus meters have no relay")
    except DriverError as error:
        return RelayOutcome(desired, None, error.raw or "", error)
    return RelayOutcome(desired, actual, raw)


def poll_gateway(spec, now=None):
    """Read every device of one gateway over one connection.

    Never raises a DriverError: failures are in the outcome. A connection
    error stops the gateway (the others would fail the same way)."""
    started = time.monotonic()
    try:
        client = open_gateway(spec)
    except DriverError as error:
        return GatewayOutcome(
            spec.key, False, error, elapsed=time.monotonic() - started
        )
    outcomes, answered, fatal = [], 0, None
    try:
        for device in spec.devices:
            if fatal is not None:
                outcomes.append(DeviceOutcome(device.key, error=fatal))
                continue
            relay = None
            try:
                if device.relay is not None:
                    relay = _set_relay(client, spec.kind, device)
                result = _read_device(client, spec.kind, device, now)
            except DriverError as error:
                if error.code == CONNECTION:
                    fatal = error
                outcomes.append(DeviceOutcome(device.key, error=error, relay=relay))
                continue
            answered += 1
            outcomes.append(DeviceOutcome(device.key, result=result, relay=relay))
    finally:
        client.close()
    reached = answered > 0 or not spec.devices
    error = None if reached else (fatal or next((o.error for o in outcomes), None))
    return GatewayOutcome(
        spec.key, reached, error, tuple(outcomes), elapsed=time.monotonic() - started
    )


def poll_gateways(specs, now=None, max_workers=10):
    """Poll ``specs`` concurrently (one thread per gateway); outcomes in order."""
    specs = list(specs)
    if not specs:
        return []
    if max_workers <= 1 or len(specs) == 1:
        return [poll_gateway(spec, now) for spec in specs]
    with ThreadPoolExecutor(max_workers=min(max_workers, len(specs))) as pool:
        return list(pool.map(lambda spec: poll_gateway(spec, now), specs))


def rs485_request_seconds(count, baudrate=9600, bits_per_char=11, turnaround=0.0):
    """Bus time of one Modbus RTU read of ``count`` registers: request (8
    bytes) + response (5 + 2 x count bytes) + two 3.5-character silences."""
    chars = 8 + 5 + 2 * count + 7
    return chars * bits_per_char / baudrate + turnaround
