# Copyright 2026 Meterkit contributors
# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Modbus TCP, RTU over a TCP converter and RTU serial, with pymodbus 3.10+.

One :class:`ModbusGateway` is one connection with one request in flight (an
RS485 bus is half-duplex): read a device through its :class:`RegisterMap`,
scan unit ids, switch relays on coils. Every request and response frame is
kept as hex in the result (``raw``) as evidence. Timeouts are explicit and
short by default (1.5 s, no retry): a dead meter must not block a bus.
"""

import logging
import time

from .errors import (
    CONFIG,
    CONNECTION,
    DEVICE_EXCEPTION,
    TIMEOUT,
    ConfigError,
    DeviceError,
    DriverError,
    FrameError,
    TransportError,
)
from .registers import decode_block, plan_blocks
from .result import DeviceResult

# pymodbus logs every refused connection and every exception reply as an
# ERROR; the poller reports them as results and alarms instead.
logging.getLogger("pymodbus").setLevel(logging.CRITICAL)

FRAMERS = ("socket", "rtu")
#: exception codes of a gateway saying that no device answers at that unit id
ABSENT = (10, 11)
EXCEPTION_TEXT = {
    1: "illegal function",
    2: "illegal data address",
    3: "illegal data value",
    4: "device failure",
    6: "device busy",
    10: "gateway path unavailable",
    11: "gateway target device failed to respond",
}


class ModbusGateway:
    """A connection to a Modbus TCP gateway, an RS485-Ethernet converter in
    transparent mode (``framer="rtu"``) or a local serial port
    (``serial_port=...``). Use as a context manager.

    :param timeout: seconds per request; ``retries`` extra attempts.
    :param latency: seconds added before each request (simulations only).
    """

    def __init__(
        self,
        host=None,
        port=502,
        *,
        framer="socket",
        timeout=1.5,
        retries=0,
        serial_port=None,
        baudrate=9600,
        parity="N",
        stopbits=1,
    ):
        if framer not in FRAMERS:
            raise ConfigError(CONFIG, f"unknown framer {framer!r}")
        if not serial_port and not host:
            raise ConfigError(CONFIG, "a host or a serial port is needed")
        self.host, self.port, self.framer = host, int(port or 502), framer
        self.timeout, self.retries = float(timeout), int(retries)
        self.serial_port = serial_port
        self.serial = {"baudrate": baudrate, "parity": parity, "stopbits": stopbits}
        self._client = None
        self._trace = []

    # ------------------------------------------------------------
    # CONNECTION
    # ------------------------------------------------------------

    def __enter__(self):
        self.connect()
        return self

    def __exit__(self, *exc):
        self.close()

    @property
    def label(self):
        return self.serial_port or f"{self.host}:{self.port}"

    def connect(self):
        """Open the connection.

        :raise TransportError: ``connection`` when refused or unreachable."""
        from pymodbus import FramerType
        from pymodbus.client import ModbusSerialClient, ModbusTcpClient

        framer = FramerType.SOCKET if self.framer == "socket" else FramerType.RTU
        common = {
            "timeout": self.timeout,
            "retries": self.retries,
            "trace_packet": self._trace_packet,
        }
        if self.serial_port:
            self._client = ModbusSerialClient(
                self.serial_port, framer=FramerType.RTU, **self.serial, **common
            )
        else:
            self._client = ModbusTcpClient(
                self.host, port=self.port, framer=framer, **common
            )
        try:
            connected = self._client.connect()
        except OSError as error:
            connected = False
            reason = str(error)
        else:
            reason = "connection refused or unreachable"
        if not connected:
            self.close()
            raise TransportError(CONNECTION, f"{self.label}: {reason}")

    def close(self):
        if self._client is not None:
            self._client.close()
            self._client = None

    def _trace_packet(self, sending, data):
        self._trace.append(("> " if sending else "< ") + bytes(data).hex(" "))
        return data

    def take_trace(self):
        """The frames exchanged since the last call, one per line."""
        trace, self._trace = self._trace, []
        return "\n".join(trace)

    # ------------------------------------------------------------
    # REQUESTS
    # ------------------------------------------------------------

    def _call(self, method, *args, **kwargs):
        from pymodbus.exceptions import ConnectionException, ModbusException

        if self._client is None:
            raise TransportError(CONNECTION, f"{self.label}: not connected")
        try:
            response = getattr(self._client, method)(*args, **kwargs)
        except ConnectionException as error:
            raise TransportError(
                CONNECTION, f"{self.label}: {error}", raw=self.take_trace()
            ) from error
        except ModbusException as error:
            # No response in time (ModbusIOException) or an unparsable one.
            raise TransportError(
                TIMEOUT,
                f"{self.label}: no valid response ({error})",
                raw=self.take_trace(),
            ) from error
        except (OSError, ValueError) as error:
            raise TransportError(
                CONNECTION, f"{self.label}: {error}", raw=self.take_trace()
            ) from error
        if response.isError():
            code = getattr(response, "exception_code", None)
            raise DeviceError(
                DEVICE_EXCEPTION,
                f"{self.label} unit {kwargs.get('device_id')}: Modbus exception "
                f"{code} ({EXCEPTION_TEXT.get(code, 'unknown')})",
                raw=self.take_trace(),
                exception_code=code,
            )
        return response

    def read_registers(self, device_id, table, start, count):
        """Words of ``count`` registers from ``table`` (``input``/``holding``)."""
        method = (
            "read_input_registers" if table == "input" else "read_holding_registers"
        )
        response = self._call(method, start, count=count, device_id=int(device_id))
        words = list(response.registers)
        if len(words) < count:
            raise FrameError(
                "frame_truncated",
                f"{self.label} unit {device_id}: {len(words)} of {count} registers",
                raw=self.take_trace(),
            )
        return words

    def read_map(self, device_id, regmap, now=None):
        """Decode every point of ``regmap`` on unit ``device_id``.

        :param now: the caller's clock, stored as ``read_at`` of the result.
        :raise DriverError: any failure; ``raw`` holds the frames so far.
        """
        started = time.monotonic()
        self.take_trace()
        values = {}
        for block in plan_blocks(regmap.points, regmap.max_gap):
            words = self.read_registers(
                device_id, block.table, block.start, block.count
            )
            try:
                values.update(decode_block(block, words))
            except DriverError as error:
                error.raw = self.take_trace()
                raise
        counters = {}
        for point in regmap.counters():
            if values.get(point.key) is not None:
                counters[point.register] = values[point.key]
        return DeviceResult(
            address=str(device_id),
            values=values,
            counters=counters,
            raw=self.take_trace(),
            read_at=now,
            elapsed=time.monotonic() - started,
        )

    def scan(self, device_ids, regmap=None, probe=None):
        """Unit ids that answer a read of the probe register.

        :return: ``[(device_id, "ok" | error code, text)]`` for every id asked;
            an exception reply means a device is there.
        """
        from .registers import RegisterPoint

        probe = probe or (regmap and regmap.probe) or RegisterPoint("probe", 0, "u16")
        found = []
        for device_id in device_ids:
            try:
                words = self.read_registers(
                    device_id, probe.table, probe.address, probe.words
                )
            except DeviceError as error:
                if error.exception_code not in ABSENT:
                    found.append((device_id, error.code, str(error)))
            except TransportError as error:
                if error.code == CONNECTION:
                    raise
                continue
            else:
                found.append((device_id, "ok", " ".join(f"{w:04x}" for w in words)))
        self.take_trace()
        return found

    def read_coils(self, device_id, address, count=1):
        response = self._call("read_coils", address, count=count, device_id=device_id)
        return [bool(b) for b in response.bits[:count]]

    def set_coil(self, device_id, address, on):
        """Write a relay coil (FC05) and read it back (FC01).

        :return: ``(actual_state, raw)``."""
        self.take_trace()
        self._call("write_coil", address, bool(on), device_id=device_id)
        actual = self.read_coils(device_id, address)[0]
        return actual, self.take_trace()
